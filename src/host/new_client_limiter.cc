#include "host/new_client_limiter.h"

namespace activa {

NewClientLimiter::NewClientLimiter(std::uint32_t limit, std::size_t max_sources)
    : limit_(limit == 0 ? 1 : limit), max_sources_(max_sources == 0 ? 1 : max_sources) {}

NewClientLimiter::Verdict NewClientLimiter::NewClient(std::string_view source, std::int64_t now) {
  auto it = sources_.find(std::string(source));
  if (it == sources_.end()) {
    if (sources_.size() >= max_sources_) MakeRoom(now);
    it = sources_.emplace(std::string(source), Window{now, 0, false}).first;
  }
  Window& w = it->second;
  // A window that has ended, or one "in the future" because the clock went
  // back, starts again at `now`.
  if (now - w.start >= kWindowSeconds || now < w.start) w = Window{now, 0, false};
  if (w.admitted < limit_) {
    ++w.admitted;
    return Verdict::kAdmit;
  }
  if (!w.tripped) {
    w.tripped = true;
    return Verdict::kTripped;
  }
  return Verdict::kRefuse;
}

// Only when the table is full, so its cost (one pass) is paid at most once
// per new address beyond `max_sources_`.
void NewClientLimiter::MakeRoom(std::int64_t now) {
  auto oldest = sources_.end();
  for (auto it = sources_.begin(); it != sources_.end();) {
    const Window& w = it->second;
    if (now - w.start >= kWindowSeconds || now < w.start) {
      it = sources_.erase(it);
      continue;
    }
    if (oldest == sources_.end() || w.start < oldest->second.start) oldest = it;
    ++it;
  }
  if (sources_.size() >= max_sources_ && oldest != sources_.end()) sources_.erase(oldest);
}

}  // namespace activa
