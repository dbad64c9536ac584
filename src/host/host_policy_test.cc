#include "host/host_policy.h"

#include <gtest/gtest.h>

#include <limits>

namespace activa {
namespace {

constexpr std::int64_t kNow = 1795000000;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

ActivationRequest Request(std::uint16_t required = 25, std::int64_t client_time = kNow) {
  ActivationRequest r;
  r.cmid = {1};
  r.application_id = {2};
  r.sku_id = {3};
  r.machine_name = "pc-1";
  r.license_state = LicenseState::kInitialGrace;
  r.minutes_left = 43200;
  r.required_count = required;
  r.client_time = client_time;
  return r;
}

TEST(HostPolicyTest, ActivatesWhenEveryRuleHolds) {
  HostDecision d = DecideActivation(Request(25), true, true, 25, 25, kNow);
  EXPECT_EQ(d.result, ResultCode::kOk);
  EXPECT_EQ(d.current_count, 25u);
  EXPECT_EQ(d.required_count, 25u);
  EXPECT_EQ(d.validity_end, kNow + 180 * kDay);
  // What the client's chain check allows, exactly.
  EXPECT_EQ(d.validity_end - kNow, kValidityDays * kDay);
}

TEST(HostPolicyTest, CountMustReachTheCatalogsThreshold) {
  EXPECT_EQ(DecideActivation(Request(25), true, true, 25, 24, kNow).result,
            ResultCode::kCountInsufficient);
  EXPECT_EQ(DecideActivation(Request(5), true, true, 5, 5, kNow).result, ResultCode::kOk);
  EXPECT_EQ(DecideActivation(Request(5), true, true, 5, 4, kNow).result,
            ResultCode::kCountInsufficient);
  EXPECT_EQ(DecideActivation(Request(1), true, true, 1, 1000, kNow).result, ResultCode::kOk);
}

// The attack: a request rewritten to "required 1" for an edition whose
// threshold is 25. It was licensed at a count of 1 when the host compared
// with the request's number.
TEST(HostPolicyTest, RequestsRequiredCountOtherThanTheThresholdIsRefused) {
  HostDecision d = DecideActivation(Request(1), true, true, 25, 1, kNow);
  EXPECT_EQ(d.result, ResultCode::kThresholdMismatch);
  EXPECT_EQ(d.required_count, 25u);  // the response names the catalog's threshold
  EXPECT_EQ(d.validity_end, 0);
  // However high the count, and the other way round too.
  EXPECT_EQ(DecideActivation(Request(1), true, true, 25, 1000, kNow).result,
            ResultCode::kThresholdMismatch);
  EXPECT_EQ(DecideActivation(Request(26), true, true, 25, 1000, kNow).result,
            ResultCode::kThresholdMismatch);
}

TEST(HostPolicyTest, RefusalsCarryTheCountButNoValidity) {
  HostDecision d = DecideActivation(Request(25), true, true, 25, 7, kNow);
  EXPECT_EQ(d.result, ResultCode::kCountInsufficient);
  EXPECT_EQ(d.current_count, 7u);
  EXPECT_EQ(d.required_count, 25u);
  EXPECT_EQ(d.validity_end, 0);
}

TEST(HostPolicyTest, ClockSkewOfExactlyFourHoursIsAccepted) {
  EXPECT_EQ(DecideActivation(Request(1, kNow + 4 * kHour), true, true, 1, 1, kNow).result,
            ResultCode::kOk);
  EXPECT_EQ(DecideActivation(Request(1, kNow - 4 * kHour), true, true, 1, 1, kNow).result,
            ResultCode::kOk);
  EXPECT_EQ(DecideActivation(Request(1, kNow + 4 * kHour + 1), true, true, 1, 1, kNow).result,
            ResultCode::kClockSkew);
  EXPECT_EQ(DecideActivation(Request(1, kNow - 4 * kHour - 1), true, true, 1, 1, kNow).result,
            ResultCode::kClockSkew);
}

TEST(HostPolicyTest, ExtremeClientTimesAreSkewNotOverflow) {
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(DecideActivation(Request(1, kMin), true, true, 1, 1, kNow).result,
            ResultCode::kClockSkew);
  EXPECT_EQ(DecideActivation(Request(1, kMax), true, true, 1, 1, kNow).result,
            ResultCode::kClockSkew);
  EXPECT_EQ(DecideActivation(Request(1, 0), true, true, 1, 1, kNow).result, ResultCode::kClockSkew);
}

TEST(HostPolicyTest, RulesApplyInTheirOrder) {
  // Everything wrong at once: the host's own state speaks first.
  ActivationRequest bad = Request(25, kNow + 10 * kHour);
  EXPECT_EQ(DecideActivation(bad, false, false, 0, 0, kNow).result, ResultCode::kHostNotActivated);
  EXPECT_EQ(DecideActivation(bad, true, false, 0, 0, kNow).result, ResultCode::kEditionNotCovered);
  EXPECT_EQ(DecideActivation(bad, true, true, 5, 0, kNow).result, ResultCode::kThresholdMismatch);
  EXPECT_EQ(DecideActivation(bad, true, true, 25, 0, kNow).result, ResultCode::kClockSkew);
  bad.client_time = kNow;
  EXPECT_EQ(DecideActivation(bad, true, true, 25, 0, kNow).result, ResultCode::kCountInsufficient);
  // Each rule alone also refuses, however high the count.
  EXPECT_EQ(DecideActivation(Request(1), false, true, 1, 100, kNow).result,
            ResultCode::kHostNotActivated);
  EXPECT_EQ(DecideActivation(Request(1), true, false, 1, 100, kNow).result,
            ResultCode::kEditionNotCovered);
}

TEST(HostPolicyTest, SettingsDefaultToKmsValuesAndAreChecked) {
  HostSettings s;
  EXPECT_EQ(s.activation_interval_minutes, 120u);
  EXPECT_EQ(s.renewal_interval_minutes, 10080u);
  EXPECT_TRUE(ValidateHostSettings(s).ok());
  s.activation_interval_minutes = 14;
  EXPECT_EQ(ValidateHostSettings(s).code(), ResultCode::kInvalidArgument);
  s.activation_interval_minutes = 15;
  s.renewal_interval_minutes = 43201;
  EXPECT_EQ(ValidateHostSettings(s).code(), ResultCode::kInvalidArgument);
  s.renewal_interval_minutes = 43200;
  EXPECT_TRUE(ValidateHostSettings(s).ok());
}

TEST(HostPolicyTest, StatsCountTotalFailedAndStates) {
  RequestStats stats;
  ActivationRequest r = Request();
  stats.Count(r, ResultCode::kCountInsufficient);
  stats.Count(r, ResultCode::kOk);
  r.license_state = LicenseState::kLicensed;
  stats.Count(r, ResultCode::kOk);
  r.license_state = LicenseState::kNotification;
  stats.Count(r, ResultCode::kClockSkew);
  r.license_state = LicenseState::kExtendedGrace;
  stats.Count(r, ResultCode::kOk);
  EXPECT_EQ(stats.total, 5u);
  EXPECT_EQ(stats.failed, 2u);
  EXPECT_EQ(stats.of_state(LicenseState::kInitialGrace), 2u);
  EXPECT_EQ(stats.of_state(LicenseState::kLicensed), 1u);
  EXPECT_EQ(stats.of_state(LicenseState::kNotification), 1u);
  EXPECT_EQ(stats.of_state(LicenseState::kExtendedGrace), 1u);
  EXPECT_EQ(stats.of_state(LicenseState::kUnlicensed), 0u);
  EXPECT_EQ(stats.by_state[2], 2u);  // indexed by the state's number

  // A state outside the seven is counted in the total only, not out of bounds.
  r.license_state = static_cast<LicenseState>(9);
  stats.Count(r, ResultCode::kOk);
  EXPECT_EQ(stats.total, 6u);
  std::uint64_t in_states = 0;
  for (std::uint64_t n : stats.by_state) in_states += n;
  EXPECT_EQ(in_states, 5u);
  EXPECT_EQ(stats.of_state(static_cast<LicenseState>(9)), 0u);
}

TEST(HostPolicyTest, StatsAddUp) {
  RequestStats a;
  RequestStats b;
  a.Count(Request(), ResultCode::kOk);
  b.Count(Request(), ResultCode::kCountInsufficient);
  b.Count(Request(), ResultCode::kOk);
  a += b;
  EXPECT_EQ(a.total, 3u);
  EXPECT_EQ(a.failed, 1u);
  EXPECT_EQ(a.of_state(LicenseState::kInitialGrace), 3u);
}

}  // namespace
}  // namespace activa
