#include "client/license_clock.h"

#include <algorithm>
#include <limits>

#include "base/time_arithmetic.h"

namespace activa {

using licensing_internal::AddSeconds;

constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();

std::int64_t Observe(LicenseClock& clock, std::int64_t system_now, std::int64_t* stepped_back) {
  std::int64_t back = 0;
  if (clock.system_clock == 0) {
    // Never read before: nothing to compare with.
    clock.latest_seen = system_now;
  } else if (system_now >= clock.system_clock) {
    // Unsigned, so that no pair of stored values can overflow.
    std::uint64_t ahead =
        static_cast<std::uint64_t>(system_now) - static_cast<std::uint64_t>(clock.system_clock);
    clock.latest_seen = AddSeconds(clock.latest_seen,
                                   static_cast<std::int64_t>(std::min<std::uint64_t>(ahead, kMax)));
  } else {
    std::uint64_t b =
        static_cast<std::uint64_t>(clock.system_clock) - static_cast<std::uint64_t>(system_now);
    back = static_cast<std::int64_t>(std::min<std::uint64_t>(b, kMax));
  }
  clock.system_clock = system_now;
  if (stepped_back != nullptr) *stepped_back = back;
  return clock.latest_seen;
}

void ObserveHostTime(LicenseClock& clock, std::int64_t host_time, std::int64_t system_now) {
  clock.latest_seen = std::max(system_now, host_time);
  clock.system_clock = system_now;
}

}  // namespace activa
