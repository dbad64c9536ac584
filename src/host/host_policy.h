// What a host answers to an activation request (DESIGN.md sections 4 and 5),
// and the request statistics `slmgr /dli` shows on a host.
//
// Pure logic: the caller decodes the request, records it with the
// ClientCounter (every request counts, so it records before deciding), works
// out from its certificate and catalog whether the request's edition is
// covered, and passes the time.
#ifndef ACTIVA_HOST_HOST_POLICY_H_
#define ACTIVA_HOST_HOST_POLICY_H_

#include <array>
#include <cstdint>

#include "base/result_code.h"
#include "base/status.h"
#include "licensing/intervals.h"
#include "protocol/chain.h"
#include "protocol/codec.h"

namespace activa {

// The limits below are the protocol's, so the host never grants what a
// client's chain check (protocol/chain.h) would refuse:
//   kValidityDays (180): an activation's validity from the host's now;
//   kMaxClockSkewSeconds (4 hours): the most a client's clock may be off.

// The intervals a host sends its clients (slmgr /sai, /sri on the host).
struct HostSettings {
  std::uint32_t activation_interval_minutes = kDefaultActivationIntervalMinutes;
  std::uint32_t renewal_interval_minutes = kDefaultRenewalIntervalMinutes;

  bool operator==(const HostSettings&) const = default;
};

// OK, or kInvalidArgument naming the interval outside 15..43200 minutes.
Status ValidateHostSettings(const HostSettings& settings);

struct HostDecision {
  ResultCode result = ResultCode::kOk;
  std::uint32_t current_count = 0;   // the count passed in, echoed for the response
  std::uint16_t required_count = 0;  // the threshold passed in, for the response
  std::int64_t validity_end = 0;     // now + kValidityDays when result is kOk, else 0

  bool operator==(const HostDecision&) const = default;
};

// The answer to `request`. `threshold` is the edition's threshold in the
// host's own catalog (0 when the catalog does not hold the edition, which is
// then never covered); `count` is the application's count after recording
// this request (ClientCounter::Record()); `now` is the host's time.
// The first rule that fails decides, in this order:
//   1. !host_activated (no host certificate)            -> kHostNotActivated
//   2. !edition_covered (certificate's groups lack it)  -> kEditionNotCovered
//   3. request.required_count != threshold               -> kThresholdMismatch
//   4. |request.client_time - now| > 4 hours            -> kClockSkew
//      (exactly 4 hours is accepted, as in the client's chain check)
//   5. count < threshold                                 -> kCountInsufficient
//   6. otherwise kOk, valid until now + 180 days.
// The order goes from the host's own state to the request's, so the code a
// client reports names first what only the host's administrator can fix.
// The count is compared with the catalog's threshold, never the request's:
// the request's is only checked against it (DESIGN.md section 3, point 7),
// so a request rewritten to "required 1" is refused, not licensed.
HostDecision DecideActivation(const ActivationRequest& request, bool host_activated,
                              bool edition_covered, std::uint16_t threshold, std::uint32_t count,
                              std::int64_t now);

// Cumulative requests received, as `slmgr /dli` shows them on a host: total,
// failed, and by the license state each client reported. Plain counters;
// thread safety: none (the caller serialises, or keeps one per worker and
// adds them up with operator+=).
struct RequestStats {
  std::uint64_t total = 0;
  std::uint64_t failed = 0;  // answered with any result other than kOk
  // Indexed by LicenseState: unlicensed, licensed, initial grace,
  // out-of-tolerance grace, non-genuine grace, notification, extended grace.
  std::array<std::uint64_t, 7> by_state{};

  // Counts one answered request.
  void Count(const ActivationRequest& request, ResultCode result);
  std::uint64_t of_state(LicenseState state) const;

  RequestStats& operator+=(const RequestStats& other);
  bool operator==(const RequestStats&) const = default;
};

}  // namespace activa

#endif  // ACTIVA_HOST_HOST_POLICY_H_
