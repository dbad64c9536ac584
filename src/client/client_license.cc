#include "client/client_license.h"

#include <algorithm>
#include <string>

#include "base/time_arithmetic.h"

namespace activa {
namespace {

using licensing_internal::AddSeconds;
using licensing_internal::kSecondsPerDay;
using licensing_internal::kSecondsPerMinute;
using licensing_internal::MinutesUntil;

constexpr std::int64_t kGraceSeconds = kGracePeriodDays * kSecondsPerDay;

std::int64_t After(std::int64_t now, std::uint32_t minutes) {
  return AddSeconds(now, static_cast<std::int64_t>(minutes) * kSecondsPerMinute);
}

// Back to initial grace from `now`, with an attempt due at once.
void RestartGrace(ClientLicense& license, std::int64_t now) {
  license.grace_end = AddSeconds(now, kGraceSeconds);
  license.validity_end = 0;
  license.next_attempt = now;
}

}  // namespace

ClientLicense NewClientLicense(std::int64_t now) {
  ClientLicense license;
  RestartGrace(license, now);
  return license;
}

LicenseState StateAt(const ClientLicense& license, std::int64_t now) {
  if (license.validity_end != 0) {
    if (now < license.validity_end) return LicenseState::kLicensed;
    if (now < AddSeconds(license.validity_end, kGraceSeconds)) {
      return LicenseState::kOutOfToleranceGrace;
    }
    return LicenseState::kNotification;
  }
  return now < license.grace_end ? LicenseState::kInitialGrace : LicenseState::kNotification;
}

std::uint32_t MinutesLeft(const ClientLicense& license, std::int64_t now) {
  switch (StateAt(license, now)) {
    case LicenseState::kLicensed:
      return MinutesUntil(license.validity_end, now);
    case LicenseState::kOutOfToleranceGrace:
      return MinutesUntil(AddSeconds(license.validity_end, kGraceSeconds), now);
    case LicenseState::kInitialGrace:
      return MinutesUntil(license.grace_end, now);
    default:
      return 0;
  }
}

int RearmsLeft(const ClientLicense& license) {
  return std::max(0, kMaxRearms - license.rearms_used);
}

Status Rearm(ClientLicense& license, std::int64_t now) {
  if (license.rearms_used >= kMaxRearms) {
    return Status(ResultCode::kNoRearmsLeft, "this installation has used all " +
                                                 std::to_string(kMaxRearms) + " of its rearms");
  }
  ++license.rearms_used;
  RestartGrace(license, now);
  return Status::Ok();
}

Status Generalize(ClientLicense& license, std::int64_t now) {
  ACTIVA_RETURN_IF_ERROR(Rearm(license, now));
  license.last_result = ResultCode::kOk;
  license.last_attempt = 0;
  license.last_activation = 0;
  return Status::Ok();
}

void ApplyResponse(ClientLicense& license, const ActivationResponse& response, std::int64_t now) {
  // The chain check has validated the response, so these are in range; a
  // value that is not is ignored rather than trusted, keeping the license's
  // own.
  if (ValidateInterval(response.activation_interval_minutes).ok()) {
    license.activation_interval_minutes = response.activation_interval_minutes;
  }
  if (ValidateInterval(response.renewal_interval_minutes).ok()) {
    license.renewal_interval_minutes = response.renewal_interval_minutes;
  }
  license.last_result = response.result;
  license.last_attempt = now;
  if (response.result == ResultCode::kOk) {
    license.validity_end = response.validity_end;
    license.last_activation = now;
    license.next_attempt = After(now, license.renewal_interval_minutes);
  } else {
    license.next_attempt = After(now, license.activation_interval_minutes);
  }
}

void ApplyFailure(ClientLicense& license, ResultCode result, std::int64_t now) {
  license.last_result = result;
  license.last_attempt = now;
  license.next_attempt = After(now, license.activation_interval_minutes);
}

bool AttemptDue(const ClientLicense& license, std::int64_t now) {
  if (now >= license.next_attempt) return true;
  // A day of slack, so that a clock stepped back by seconds or minutes does
  // not bring a renewal forward; a clock stepped back by weeks does.
  std::uint32_t longest =
      std::max(license.activation_interval_minutes, license.renewal_interval_minutes);
  return license.next_attempt > AddSeconds(After(now, longest), kSecondsPerDay);
}

}  // namespace activa
