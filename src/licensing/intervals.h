// The two intervals a client lives by (DESIGN.md section 5), shared by the
// host, which sends its values to its clients, and the client, which uses the
// host's values once it has them and its own until then.
//
// The interval limits and their one check (kMinIntervalMinutes,
// kMaxIntervalMinutes, ValidateInterval) are in base/intervals.h, shared with
// the protocol and slmgr: a value that could not go on the wire is not a
// valid setting either.
#ifndef ACTIVA_LICENSING_INTERVALS_H_
#define ACTIVA_LICENSING_INTERVALS_H_

#include <cstdint>

#include "base/intervals.h"

namespace activa {

// How often a client that is not activated, or whose renewal failed, tries a
// host again (slmgr /sai).
inline constexpr std::uint32_t kDefaultActivationIntervalMinutes = 120;
// How often an activated client renews (slmgr /sri): 7 days.
inline constexpr std::uint32_t kDefaultRenewalIntervalMinutes = 10080;

}  // namespace activa

#endif  // ACTIVA_LICENSING_INTERVALS_H_
