#include "daemon/idle_wake.h"

#include <algorithm>

namespace activa {

std::int64_t IdleWakeCapSeconds(bool test_controls, bool host) {
  return test_controls || host ? kHostIdleWakeSeconds : kClientIdleWakeSeconds;
}

std::int64_t ClientWaitSeconds(std::int64_t now, std::int64_t next_attempt, std::int64_t cap) {
  if (next_attempt == 0) return cap;
  // Subtracted as a difference first: a next attempt far away (or a clock
  // set back by years) must not overflow the clamp.
  return std::clamp<std::int64_t>(next_attempt - now, 1, std::max<std::int64_t>(cap, 1));
}

}  // namespace activa
