#include "client/client_license.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "base/clock.h"

namespace activa {
namespace {

constexpr std::int64_t kStart = 1795000000;
constexpr std::int64_t kMinute = 60;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

// A verified answer from a host whose clock reads `host_now`.
ActivationResponse Answer(ResultCode result, std::int64_t host_now,
                          std::uint32_t activation_minutes = 120,
                          std::uint32_t renewal_minutes = 10080) {
  ActivationResponse r;
  r.result = result;
  r.current_count = 25;
  r.activation_interval_minutes = activation_minutes;
  r.renewal_interval_minutes = renewal_minutes;
  r.host_time = host_now;
  r.validity_end = result == ResultCode::kOk ? host_now + 180 * kDay : 0;
  return r;
}

TEST(ClientLicenseTest, StartsInInitialGraceWithAnAttemptDue) {
  ClientLicense lic = NewClientLicense(kStart);
  EXPECT_EQ(StateAt(lic, kStart), LicenseState::kInitialGrace);
  EXPECT_EQ(MinutesLeft(lic, kStart), 30u * 24 * 60);
  EXPECT_TRUE(AttemptDue(lic, kStart));
  EXPECT_EQ(lic.activation_interval_minutes, 120u);
  EXPECT_EQ(lic.renewal_interval_minutes, 10080u);
  EXPECT_EQ(lic.validity_end, 0);
  EXPECT_EQ(lic.last_attempt, 0);
  EXPECT_EQ(RearmsLeft(lic), 3);
}

TEST(ClientLicenseTest, InitialGraceEndsInNotificationAfterThirtyDays) {
  FakeClock clock(kStart);
  ClientLicense lic = NewClientLicense(clock.Now());
  clock.Advance(30 * kDay - 1);
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kInitialGrace);
  EXPECT_EQ(MinutesLeft(lic, clock.Now()), 1u);  // one second left shows as a minute
  clock.Advance(1);
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kNotification);
  EXPECT_EQ(MinutesLeft(lic, clock.Now()), 0u);
  clock.Advance(365 * kDay);
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kNotification);
}

TEST(ClientLicenseTest, FailuresAreRetriedEveryActivationInterval) {
  FakeClock clock(kStart);
  ClientLicense lic = NewClientLicense(clock.Now());
  for (int attempt = 0; attempt < 5; ++attempt) {
    ASSERT_TRUE(AttemptDue(lic, clock.Now()));
    ApplyFailure(lic, ResultCode::kNoHostReachable, clock.Now());
    EXPECT_EQ(lic.last_result, ResultCode::kNoHostReachable);
    EXPECT_EQ(lic.last_attempt, clock.Now());
    clock.Advance(120 * kMinute - 1);
    EXPECT_FALSE(AttemptDue(lic, clock.Now()));
    clock.Advance(1);
  }
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kInitialGrace);
}

TEST(ClientLicenseTest, RefusalsAreRetriedEveryActivationInterval) {
  ClientLicense lic = NewClientLicense(kStart);
  ApplyResponse(lic, Answer(ResultCode::kCountInsufficient, kStart), kStart);
  EXPECT_EQ(lic.last_result, ResultCode::kCountInsufficient);
  EXPECT_EQ(StateAt(lic, kStart), LicenseState::kInitialGrace);
  EXPECT_EQ(lic.next_attempt, kStart + 120 * kMinute);
  EXPECT_EQ(lic.last_activation, 0);
}

TEST(ClientLicenseTest, ActivationLicensesForOneHundredEightyDays) {
  FakeClock clock(kStart);
  ClientLicense lic = NewClientLicense(clock.Now());
  clock.Advance(3 * kDay);
  ApplyResponse(lic, Answer(ResultCode::kOk, clock.Now()), clock.Now());
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kLicensed);
  EXPECT_EQ(MinutesLeft(lic, clock.Now()), 180u * 24 * 60);
  EXPECT_EQ(lic.last_activation, clock.Now());
  EXPECT_EQ(lic.last_result, ResultCode::kOk);
  // The initial grace period's end no longer matters.
  clock.Advance(30 * kDay);
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kLicensed);
}

TEST(ClientLicenseTest, RenewalIsDueAfterTheRenewalIntervalAndSlidesTheWindow) {
  FakeClock clock(kStart);
  ClientLicense lic = NewClientLicense(clock.Now());
  ApplyResponse(lic, Answer(ResultCode::kOk, clock.Now()), clock.Now());
  EXPECT_FALSE(AttemptDue(lic, clock.Now()));
  clock.Advance(7 * kDay - 1);
  EXPECT_FALSE(AttemptDue(lic, clock.Now()));
  clock.Advance(1);
  EXPECT_TRUE(AttemptDue(lic, clock.Now()));
  ApplyResponse(lic, Answer(ResultCode::kOk, clock.Now()), clock.Now());
  EXPECT_EQ(lic.validity_end, kStart + 7 * kDay + 180 * kDay);
  EXPECT_EQ(MinutesLeft(lic, clock.Now()), 180u * 24 * 60);
  EXPECT_EQ(lic.next_attempt, clock.Now() + 7 * kDay);
}

TEST(ClientLicenseTest, TheHostsValidityEndIsTaken) {
  // The host's clock is an hour behind ours: its validity end is the one
  // that counts.
  ClientLicense lic = NewClientLicense(kStart);
  ApplyResponse(lic, Answer(ResultCode::kOk, kStart - kHour), kStart);
  EXPECT_EQ(lic.validity_end, kStart - kHour + 180 * kDay);
}

TEST(ClientLicenseTest, FailedRenewalsAreRetriedWhileStillLicensed) {
  FakeClock clock(kStart);
  ClientLicense lic = NewClientLicense(clock.Now());
  ApplyResponse(lic, Answer(ResultCode::kOk, clock.Now()), clock.Now());
  std::int64_t validity_end = lic.validity_end;
  clock.Advance(7 * kDay);
  ApplyFailure(lic, ResultCode::kNoHostReachable, clock.Now());
  EXPECT_EQ(lic.next_attempt, clock.Now() + 120 * kMinute);
  clock.Advance(120 * kMinute);
  ASSERT_TRUE(AttemptDue(lic, clock.Now()));
  // A host that refuses the renewal leaves the activation running out.
  ApplyResponse(lic, Answer(ResultCode::kCountInsufficient, clock.Now()), clock.Now());
  EXPECT_EQ(lic.validity_end, validity_end);
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kLicensed);
  EXPECT_EQ(lic.next_attempt, clock.Now() + 120 * kMinute);
  EXPECT_EQ(lic.last_activation, kStart);
}

TEST(ClientLicenseTest, ValidityRunsOutIntoOutOfToleranceGraceThenNotification) {
  FakeClock clock(kStart);
  ClientLicense lic = NewClientLicense(clock.Now());
  ApplyResponse(lic, Answer(ResultCode::kOk, clock.Now()), clock.Now());
  clock.Advance(180 * kDay - 1);
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kLicensed);
  clock.Advance(1);
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kOutOfToleranceGrace);
  EXPECT_EQ(MinutesLeft(lic, clock.Now()), 30u * 24 * 60);
  clock.Advance(30 * kDay - 1);
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kOutOfToleranceGrace);
  clock.Advance(1);
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kNotification);
  EXPECT_EQ(MinutesLeft(lic, clock.Now()), 0u);
}

TEST(ClientLicenseTest, RenewalInOutOfToleranceGraceLicensesAgain) {
  FakeClock clock(kStart);
  ClientLicense lic = NewClientLicense(clock.Now());
  ApplyResponse(lic, Answer(ResultCode::kOk, clock.Now()), clock.Now());
  clock.Advance(200 * kDay);
  ASSERT_EQ(StateAt(lic, clock.Now()), LicenseState::kOutOfToleranceGrace);
  ApplyResponse(lic, Answer(ResultCode::kOk, clock.Now()), clock.Now());
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kLicensed);
  clock.Advance(365 * kDay);
  ASSERT_EQ(StateAt(lic, clock.Now()), LicenseState::kNotification);
  ApplyResponse(lic, Answer(ResultCode::kOk, clock.Now()), clock.Now());
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kLicensed);
}

TEST(ClientLicenseTest, RearmRestartsGraceThreeTimesThenRefuses) {
  FakeClock clock(kStart);
  ClientLicense lic = NewClientLicense(clock.Now());
  for (int i = 1; i <= 3; ++i) {
    clock.Advance(40 * kDay);
    ASSERT_EQ(StateAt(lic, clock.Now()), LicenseState::kNotification);
    ApplyFailure(lic, ResultCode::kNoHostReachable, clock.Now());
    ASSERT_TRUE(Rearm(lic, clock.Now()).ok());
    EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kInitialGrace);
    EXPECT_EQ(MinutesLeft(lic, clock.Now()), 30u * 24 * 60);
    EXPECT_TRUE(AttemptDue(lic, clock.Now()));
    EXPECT_EQ(lic.rearms_used, i);
    EXPECT_EQ(RearmsLeft(lic), 3 - i);
  }
  clock.Advance(40 * kDay);
  ClientLicense before = lic;
  Status s = Rearm(lic, clock.Now());
  EXPECT_EQ(s.code(), ResultCode::kNoRearmsLeft);
  EXPECT_NE(s.message().find('3'), std::string::npos) << s.message();
  EXPECT_EQ(lic, before);
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kNotification);
  EXPECT_EQ(RearmsLeft(lic), 0);
}

TEST(ClientLicenseTest, RearmRestartsGraceRatherThanAddingToIt) {
  ClientLicense lic = NewClientLicense(kStart);
  ASSERT_TRUE(Rearm(lic, kStart + 10 * kDay).ok());
  EXPECT_EQ(lic.grace_end, kStart + 40 * kDay);
  EXPECT_EQ(MinutesLeft(lic, kStart + 10 * kDay), 30u * 24 * 60);
}

TEST(ClientLicenseTest, RearmOnALicensedClientReturnsToInitialGrace) {
  ClientLicense lic = NewClientLicense(kStart);
  ApplyResponse(lic, Answer(ResultCode::kOk, kStart, 60, 1440), kStart);
  const std::int64_t now = kStart + kDay;
  ASSERT_TRUE(Rearm(lic, now).ok());
  EXPECT_EQ(StateAt(lic, now), LicenseState::kInitialGrace);
  EXPECT_EQ(lic.validity_end, 0);
  EXPECT_TRUE(AttemptDue(lic, now));
  // History and the host's intervals stay.
  EXPECT_EQ(lic.last_activation, kStart);
  EXPECT_EQ(lic.activation_interval_minutes, 60u);
  EXPECT_EQ(lic.renewal_interval_minutes, 1440u);
}

TEST(ClientLicenseTest, HostIntervalsReplaceLocalOnes) {
  ClientLicense lic = NewClientLicense(kStart);
  lic.activation_interval_minutes = 60;  // the local /sai
  lic.renewal_interval_minutes = 20000;  // the local /sri
  ApplyFailure(lic, ResultCode::kNoHostReachable, kStart);
  EXPECT_EQ(lic.next_attempt, kStart + 60 * kMinute);  // local value until a host answers

  std::int64_t now = kStart + 60 * kMinute;
  ApplyResponse(lic, Answer(ResultCode::kCountInsufficient, now, 30, 1440), now);
  EXPECT_EQ(lic.activation_interval_minutes, 30u);
  EXPECT_EQ(lic.renewal_interval_minutes, 1440u);
  EXPECT_EQ(lic.next_attempt, now + 30 * kMinute);  // the host's value, already

  now += 30 * kMinute;
  ApplyResponse(lic, Answer(ResultCode::kOk, now, 30, 1440), now);
  EXPECT_EQ(lic.next_attempt, now + 1440 * kMinute);
  now += 1440 * kMinute;
  ApplyFailure(lic, ResultCode::kNoHostReachable, now);
  EXPECT_EQ(lic.next_attempt, now + 30 * kMinute);
}

TEST(ClientLicenseTest, OutOfRangeHostIntervalsAreIgnored) {
  ClientLicense lic = NewClientLicense(kStart);
  ApplyResponse(lic, Answer(ResultCode::kOk, kStart, 0, 50000), kStart);
  EXPECT_EQ(lic.activation_interval_minutes, 120u);
  EXPECT_EQ(lic.renewal_interval_minutes, 10080u);
  EXPECT_EQ(lic.next_attempt, kStart + 10080 * kMinute);
}

TEST(ClientLicenseTest, GeneralizeResetsGraceAndClearsTheActivation) {
  ClientLicense lic = NewClientLicense(kStart);
  ApplyResponse(lic, Answer(ResultCode::kOk, kStart, 60, 1440), kStart);
  ASSERT_TRUE(Rearm(lic, kStart + kDay).ok());
  ApplyResponse(lic, Answer(ResultCode::kOk, kStart + kDay, 60, 1440), kStart + kDay);

  const std::int64_t now = kStart + 100 * kDay;
  ASSERT_TRUE(Generalize(lic, now).ok());
  EXPECT_EQ(StateAt(lic, now), LicenseState::kInitialGrace);
  EXPECT_EQ(MinutesLeft(lic, now), 30u * 24 * 60);
  EXPECT_EQ(lic.validity_end, 0);
  EXPECT_TRUE(AttemptDue(lic, now));
  EXPECT_EQ(lic.last_activation, 0);
  EXPECT_EQ(lic.last_attempt, 0);
  EXPECT_EQ(lic.last_result, ResultCode::kOk);
  // A rearm used, and the configuration kept.
  EXPECT_EQ(lic.rearms_used, 2);
  EXPECT_EQ(lic.activation_interval_minutes, 60u);
  EXPECT_EQ(lic.renewal_interval_minutes, 1440u);
  EXPECT_EQ(StateAt(lic, now + 30 * kDay), LicenseState::kNotification);
}

// sysprep /generalize with no rearm left: "the activation timers are not
// changed and an error is returned". Before, it restarted the grace period
// without counting, so an image could be generalized forever.
TEST(ClientLicenseTest, GeneralizeWithNoRearmLeftChangesNothing) {
  FakeClock clock(kStart);
  ClientLicense lic = NewClientLicense(clock.Now());
  for (int i = 0; i < kMaxRearms; ++i) {
    clock.Advance(29 * kDay);
    ASSERT_TRUE(Generalize(lic, clock.Now()).ok());
  }
  EXPECT_EQ(RearmsLeft(lic), 0);
  clock.Advance(40 * kDay);
  const ClientLicense before = lic;
  EXPECT_EQ(Generalize(lic, clock.Now()).code(), ResultCode::kNoRearmsLeft);
  EXPECT_EQ(lic, before);
  EXPECT_EQ(StateAt(lic, clock.Now()), LicenseState::kNotification);
  EXPECT_EQ(Rearm(lic, clock.Now()).code(), ResultCode::kNoRearmsLeft);
}

TEST(ClientLicenseTest, ClockGoingFarBackMakesAnAttemptDue) {
  ClientLicense lic = NewClientLicense(kStart);
  // Activated while the clock was a year ahead.
  const std::int64_t wrong = kStart + 365 * kDay;
  ApplyResponse(lic, Answer(ResultCode::kOk, wrong), wrong);
  // Within the renewal interval of the schedule, or a clock set back by
  // less than a day: wait.
  EXPECT_FALSE(AttemptDue(lic, wrong + kDay));
  EXPECT_FALSE(AttemptDue(lic, wrong - kHour));
  EXPECT_FALSE(AttemptDue(lic, wrong - kDay));
  EXPECT_TRUE(AttemptDue(lic, wrong - kDay - 1));
  // The clock corrected: the renewal lies further ahead than any interval
  // could have put it, so try now rather than in a year.
  EXPECT_TRUE(AttemptDue(lic, kStart));
}

TEST(ClientLicenseTest, MinutesLeftRoundsUp) {
  ClientLicense lic = NewClientLicense(kStart);
  EXPECT_EQ(MinutesLeft(lic, kStart + 30 * kDay - 30), 1u);
  EXPECT_EQ(MinutesLeft(lic, kStart + 30 * kDay - 60), 1u);
  EXPECT_EQ(MinutesLeft(lic, kStart + 30 * kDay - 61), 2u);
}

TEST(ClientLicenseTest, ExtremeTimesDoNotOverflow) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  ClientLicense lic = NewClientLicense(kMax - 10);
  EXPECT_EQ(lic.grace_end, kMax);
  EXPECT_EQ(StateAt(lic, kMax - 10), LicenseState::kInitialGrace);
  ApplyFailure(lic, ResultCode::kNoHostReachable, kMax - 10);
  EXPECT_EQ(lic.next_attempt, kMax);
  lic.validity_end = kMax - 5;
  EXPECT_EQ(StateAt(lic, kMax - 1), LicenseState::kOutOfToleranceGrace);
  EXPECT_EQ(MinutesLeft(lic, kMax - 1), 1u);
}

TEST(IntervalsTest, AcceptsFifteenMinutesToThirtyDays) {
  EXPECT_TRUE(ValidateInterval(15).ok());
  EXPECT_TRUE(ValidateInterval(120).ok());
  EXPECT_TRUE(ValidateInterval(43200).ok());
  for (std::uint32_t bad : {0u, 14u, 43201u, 4294967295u}) {
    Status s = ValidateInterval(bad);
    EXPECT_EQ(s.code(), ResultCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("15..43200"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(std::to_string(bad)), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace activa
