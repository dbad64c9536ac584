#include "base/clock.h"

#include <chrono>

namespace activa {

std::int64_t SystemClock::Now() const {
  // system_clock is the wall clock (Unix epoch since C++20), which is what
  // validity ends and the client-time check are about; steady_clock would
  // not follow the dates the hosts and clients compare.
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace activa
