#include "host/refusal_log.h"

#include <algorithm>

namespace activa {

RefusalLog::RefusalLog(std::int64_t interval_seconds, std::uint32_t burst)
    : interval_(std::max<std::int64_t>(interval_seconds, 1)), burst_(burst) {}

std::optional<Event> RefusalLog::Flush(std::int64_t now) {
  // A clock set back also ends the window: its start lies in the future.
  if (now < window_start_ + interval_ && now >= window_start_) return std::nullopt;
  return EndInterval(now, interval_);
}

std::optional<Event> RefusalLog::TakeSummary(std::int64_t now) {
  // The interval so far; none when the clock was set back.
  return EndInterval(now, std::clamp<std::int64_t>(now - window_start_, 0, interval_));
}

std::optional<Event> RefusalLog::EndInterval(std::int64_t now, std::int64_t seconds) {
  std::optional<Event> summary;
  if (suppressed_ > 0) {
    summary =
        Event{0, now, kEventHostRequest,
              "Refused " + std::to_string(suppressed_) + " more frames in " +
                  std::to_string(seconds) + " s, not logged one by one; the last: " + last_reason_};
  }
  window_start_ = now;
  in_window_ = 0;
  suppressed_ = 0;
  return summary;
}

std::vector<Event> RefusalLog::Refused(std::int64_t now, std::string_view reason) {
  std::vector<Event> out;
  ++total_;
  if (std::optional<Event> summary = Flush(now)) out.push_back(std::move(*summary));
  if (in_window_ < burst_) {
    ++in_window_;
    out.push_back(Event{0, now, kEventHostRequest, "Refused a frame: " + std::string(reason)});
  } else {
    ++suppressed_;
    last_reason_ = std::string(reason.substr(0, 512));
  }
  return out;
}

}  // namespace activa
