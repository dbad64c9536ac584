// The client's license state machine (DESIGN.md section 5, Client), one
// ClientLicense per installed edition on a machine.
//
// ClientLicense is plain data, so the daemon can persist it as it is; the
// functions below are the only rules, all pure: the caller passes `now`
// (Unix seconds) from its clock, and nothing here reads a clock, a file or
// the network. The state is not stored but derived from the times
// (StateAt()), so a license read back from storage after months is right
// without anyone having updated it.
//
// The life of a license, with the defaults:
//
//   NewClientLicense(now)  initial grace, 30 days; try a host at once
//     |  no host activates it: try again every activation interval (120 min)
//     |  30 days pass                      -> notification
//     v
//   ApplyResponse(kOk)     licensed until the response's validity end
//                          (host's now + 180 days); renew every renewal
//                          interval (7 days), each renewal restarting the
//                          180 days; a failed renewal is retried every
//                          activation interval
//     |  validity runs out without renewal -> out-of-tolerance grace, 30 days
//     |  30 more days                      -> notification
//
//   Rearm(now)       back to initial grace, 30 days from now (3 times)
//   Generalize(now)  the same, using one of the 3 rearms, history cleared
//
// The host's intervals, once received, replace the local ones. A license's
// functions are not thread-safe; the daemon serialises access to each one.
#ifndef ACTIVA_CLIENT_CLIENT_LICENSE_H_
#define ACTIVA_CLIENT_CLIENT_LICENSE_H_

#include <cstdint>

#include "base/result_code.h"
#include "base/status.h"
#include "licensing/intervals.h"
#include "protocol/codec.h"

namespace activa {

// The length of initial grace, of out-of-tolerance grace, and of the grace
// each rearm gives.
inline constexpr std::int64_t kGracePeriodDays = 30;
inline constexpr int kMaxRearms = 3;

struct ClientLicense {
  // End of initial grace. Decides the state only while never activated
  // (validity_end == 0).
  std::int64_t grace_end = 0;
  // End of the current activation (0 until activated): the host's time at
  // the last successful activation or renewal plus 180 days. Out-of-tolerance
  // grace runs from here for 30 days.
  std::int64_t validity_end = 0;
  int rearms_used = 0;  // 0..kMaxRearms
  // When to try a host next (AttemptDue()).
  std::int64_t next_attempt = 0;
  // The local values (slmgr /sai, /sri on the client) until a host sends its
  // own, which then replace them. Each in 15..43200 (ValidateInterval()).
  std::uint32_t activation_interval_minutes = kDefaultActivationIntervalMinutes;
  std::uint32_t renewal_interval_minutes = kDefaultRenewalIntervalMinutes;
  // The outcome of the last attempt (a host's answer or the failure to get
  // one), and when it was; last_attempt is 0 before the first.
  ResultCode last_result = ResultCode::kOk;
  std::int64_t last_attempt = 0;
  std::int64_t last_activation = 0;  // last successful activation or renewal; 0 if none

  bool operator==(const ClientLicense&) const = default;
};

// A freshly installed edition: initial grace until now + 30 days, an attempt
// due at once, the default intervals, no rearms used.
ClientLicense NewClientLicense(std::int64_t now);

// The state at `now`:
//   activated (validity_end != 0):  licensed while now < validity_end, then
//     out-of-tolerance grace while now < validity_end + 30 days, then
//     notification;
//   never activated:  initial grace while now < grace_end, then notification.
// Every end is exclusive: at exactly validity_end the client is no longer
// licensed. Never returns kUnlicensed: that is the daemon's answer for an
// edition with no license at all.
LicenseState StateAt(const ClientLicense& license, std::int64_t now);

// Minutes left in the state StateAt() gives, rounded up (so the last partial
// minute shows as 1, not as an expiry); 0 in notification.
std::uint32_t MinutesLeft(const ClientLicense& license, std::int64_t now);

// kMaxRearms - rearms_used, never negative (slmgr /dlv's "remaining rearm
// count").
int RearmsLeft(const ClientLicense& license);

// slmgr /rearm: initial grace again, ending now + 30 days (not added to what
// was left: the grace timer restarts), the activation cleared and an attempt
// due at once. Allowed in any state, a licensed one included: like KMS's
// rearm it resets the license to initial grace, and the client, trying at
// once, activates again if its host will have it. At most kMaxRearms times;
// after that kNoRearmsLeft and the license is unchanged. History
// (last_result, last_activation) and the intervals are kept.
Status Rearm(ClientLicense& license, std::int64_t now);

// /generalize's part of the license: a rearm (as sysprep /generalize uses
// one), and the activation's history cleared too, since it belongs to the
// machine the image was taken from; the intervals are kept. With no rearm
// left: kNoRearmsLeft and the license unchanged ("the activation timers are
// not changed and an error is returned"). Giving the machine a new CMID is
// the caller's job, and only after this succeeded: the CMID is
// machine-wide, the license per edition.
Status Generalize(ClientLicense& license, std::int64_t now);

// Applies a host's answer. Precondition: `response` passed the chain check
// (VerifyResponseChain()), so its fields are in range and its validity end
// within 180 days of a clock close to ours.
//   Always: the host's intervals replace the license's; last_result and
//     last_attempt are set.
//   kOk: validity_end = response.validity_end (the window slides),
//     last_activation = now, next attempt after the renewal interval.
//   Any refusal (count insufficient, edition not covered, ...): validity_end
//     is kept (a refused renewal leaves the activation running out), next
//     attempt after the activation interval.
void ApplyResponse(ClientLicense& license, const ActivationResponse& response, std::int64_t now);

// No host could be reached, or no answer passed the chain check: records
// `result` and retries after the (unchanged) activation interval.
void ApplyFailure(ClientLicense& license, ResultCode result, std::int64_t now);

// True when the client should try a host: now >= next_attempt. Also true
// when next_attempt lies more than a day further ahead than the longer of
// the two intervals could have put it, which happens only when the clock
// went back (or an interval was shortened): waiting for a time a wrong clock
// chose could let the activation run out.
bool AttemptDue(const ClientLicense& license, std::int64_t now);

}  // namespace activa

#endif  // ACTIVA_CLIENT_CLIENT_LICENSE_H_
