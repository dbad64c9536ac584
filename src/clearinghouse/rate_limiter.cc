#include "clearinghouse/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace activa {

RateLimiter::RateLimiter(double rate, double burst, std::size_t max_names)
    : rate_(rate), burst_(std::max(burst, 1.0)), max_names_(std::max<std::size_t>(max_names, 1)) {}

int RateLimiter::Admit(const std::string& name, double now) {
  if (rate_ <= 0) return 0;
  auto it = buckets_.find(name);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_names_) Prune(now);
    if (buckets_.size() >= max_names_) {
      // Every remembered name is still limited: a new one waits for room
      // rather than evicting a name that is being held back.
      return std::max(1, static_cast<int>(std::ceil(1.0 / rate_)));
    }
    it = buckets_.emplace(name, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  // A clock that went backwards adds nothing (and takes nothing away).
  if (now > b.last) {
    b.tokens = std::min(burst_, b.tokens + (now - b.last) * rate_);
    b.last = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  double wait = (1.0 - b.tokens) / rate_;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

void RateLimiter::Prune(double now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    double tokens = b.tokens + std::max(0.0, now - b.last) * rate_;
    it = tokens >= burst_ ? buckets_.erase(it) : std::next(it);
  }
}

}  // namespace activa
