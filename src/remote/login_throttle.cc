#include "remote/login_throttle.h"

#include <algorithm>

namespace activa::remote {

int LoginThrottle::Begin(const std::string& source, const std::string& user, std::int64_t now) {
  Prune(now);
  Entry& e = entries_[{source, user}];
  if (e.in_flight == 0 && now - e.last > kForgetSeconds) e.failures = 0;
  const int n = e.failures + e.in_flight;
  ++e.in_flight;
  e.last = now;
  if (n == 0) return 0;
  // 2^(n-1), without overflowing for a long row.
  return n > 6 ? kMaxDelaySeconds : std::min(kMaxDelaySeconds, 1 << (n - 1));
}

void LoginThrottle::Succeeded(const std::string& source, const std::string& user) {
  auto it = entries_.find({source, user});
  if (it == entries_.end()) return;
  if (it->second.in_flight > 0) --it->second.in_flight;
  it->second.failures = 0;
  if (it->second.in_flight == 0) entries_.erase(it);
}

void LoginThrottle::Failed(const std::string& source, const std::string& user, std::int64_t now) {
  Entry& e = entries_[{source, user}];
  if (e.in_flight > 0) --e.in_flight;
  ++e.failures;
  e.last = now;
}

void LoginThrottle::Prune(std::int64_t now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.in_flight == 0 && now - it->second.last > kForgetSeconds) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  while (entries_.size() >= kMaxEntries) {
    auto quietest = std::min_element(entries_.begin(), entries_.end(), [](auto& a, auto& b) {
      return a.second.last < b.second.last;
    });
    entries_.erase(quietest);
  }
}

}  // namespace activa::remote
