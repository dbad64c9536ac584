// The limits of the activation and renewal intervals (DESIGN.md section 5):
// the protocol carries them, slmgr /sai and /sri set them, the daemon and the
// management codec check them. One range, one check.
#ifndef ACTIVA_BASE_INTERVALS_H_
#define ACTIVA_BASE_INTERVALS_H_

#include <cstdint>

#include "base/status.h"

namespace activa {

inline constexpr std::uint32_t kMinIntervalMinutes = 15;
inline constexpr std::uint32_t kMaxIntervalMinutes = 43200;  // 30 days

// OK when `minutes` lies in [kMinIntervalMinutes, kMaxIntervalMinutes]
// (15 minutes to 30 days, both inclusive); otherwise kInvalidArgument with a
// message naming the value and the range, fit to show to the administrator
// who typed it. Callers with their own wording test .ok().
Status ValidateInterval(std::int64_t minutes);

}  // namespace activa

#endif  // ACTIVA_BASE_INTERVALS_H_
