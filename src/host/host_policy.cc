#include "host/host_policy.h"

#include "base/time_arithmetic.h"

namespace activa {

using licensing_internal::AddSeconds;
using licensing_internal::kSecondsPerDay;

Status ValidateHostSettings(const HostSettings& settings) {
  ACTIVA_RETURN_IF_ERROR(ValidateInterval(settings.activation_interval_minutes));
  return ValidateInterval(settings.renewal_interval_minutes);
}

HostDecision DecideActivation(const ActivationRequest& request, bool host_activated,
                              bool edition_covered, std::uint16_t threshold, std::uint32_t count,
                              std::int64_t now) {
  HostDecision d;
  d.current_count = count;
  d.required_count = threshold;
  if (!host_activated) {
    d.result = ResultCode::kHostNotActivated;
  } else if (!edition_covered) {
    d.result = ResultCode::kEditionNotCovered;
  } else if (request.required_count != threshold) {
    // Refused rather than corrected: either the client holds another catalog
    // than the host, which its administrator should learn, or something on
    // the way altered the request.
    d.result = ResultCode::kThresholdMismatch;
  } else if (request.client_time < AddSeconds(now, -kMaxClockSkewSeconds) ||
             request.client_time > AddSeconds(now, kMaxClockSkewSeconds)) {
    // Compared against the window's ends rather than as |client - now|: the
    // client's time is whatever the wire carried, and the subtraction could
    // overflow.
    d.result = ResultCode::kClockSkew;
  } else if (count < threshold) {
    d.result = ResultCode::kCountInsufficient;
  } else {
    d.result = ResultCode::kOk;
    d.validity_end = AddSeconds(now, kValidityDays * kSecondsPerDay);
  }
  return d;
}

void RequestStats::Count(const ActivationRequest& request, ResultCode result) {
  ++total;
  if (result != ResultCode::kOk) ++failed;
  // Decoded requests carry only the seven states; anything else (a struct
  // built by hand) is counted in total but in no state.
  auto state = static_cast<std::size_t>(request.license_state);
  if (state < by_state.size()) ++by_state[state];
}

std::uint64_t RequestStats::of_state(LicenseState state) const {
  auto i = static_cast<std::size_t>(state);
  return i < by_state.size() ? by_state[i] : 0;
}

RequestStats& RequestStats::operator+=(const RequestStats& other) {
  total += other.total;
  failed += other.failed;
  for (std::size_t i = 0; i < by_state.size(); ++i) by_state[i] += other.by_state[i];
  return *this;
}

}  // namespace activa
