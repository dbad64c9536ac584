// Saturating arithmetic on Unix times, for the licensing code only.
//
// Times here come from storage and, after checks, from the network; a sum
// that would overflow int64 is undefined behaviour, so every "time plus
// duration" goes through AddSeconds(), which stops at the int64 limits
// instead. No real clock gets near them; the point is that a corrupt or
// hostile value cannot make the arithmetic undefined.
#ifndef ACTIVA_BASE_TIME_ARITHMETIC_H_
#define ACTIVA_BASE_TIME_ARITHMETIC_H_

#include <cstdint>
#include <limits>

namespace activa::licensing_internal {

inline constexpr std::int64_t kSecondsPerMinute = 60;
inline constexpr std::int64_t kSecondsPerDay = 86400;

// t + seconds, clamped to the int64 range.
constexpr std::int64_t AddSeconds(std::int64_t t, std::int64_t seconds) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(t, seconds, &sum)) return sum;
  return seconds > 0 ? std::numeric_limits<std::int64_t>::max()
                     : std::numeric_limits<std::int64_t>::min();
}

// The whole minutes from `now` until `end`, rounded up (30 seconds left is
// 1 minute, not 0, which would read as "expired"); 0 when `end` has passed,
// at most UINT32_MAX.
constexpr std::uint32_t MinutesUntil(std::int64_t end, std::int64_t now) {
  if (end <= now) return 0;
  // end > now, so the difference is positive; as unsigned it cannot overflow.
  std::uint64_t seconds = static_cast<std::uint64_t>(end) - static_cast<std::uint64_t>(now);
  std::uint64_t minutes = seconds / kSecondsPerMinute + (seconds % kSecondsPerMinute != 0);
  return minutes > std::numeric_limits<std::uint32_t>::max()
             ? std::numeric_limits<std::uint32_t>::max()
             : static_cast<std::uint32_t>(minutes);
}

}  // namespace activa::licensing_internal

#endif  // ACTIVA_BASE_TIME_ARITHMETIC_H_
