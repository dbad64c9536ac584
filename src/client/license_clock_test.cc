#include "client/license_clock.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace activa {
namespace {

constexpr std::int64_t kStart = 1795000000;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

TEST(LicenseClockTest, RunsWithTheSystemClock) {
  LicenseClock c;
  std::int64_t back = -1;
  EXPECT_EQ(Observe(c, kStart, &back), kStart);
  EXPECT_EQ(back, 0);
  EXPECT_EQ(Observe(c, kStart + kDay), kStart + kDay);
  EXPECT_EQ(Observe(c, kStart + 40 * kDay), kStart + 40 * kDay);  // a step forward counts
}

TEST(LicenseClockTest, AStepBackIsAbsorbed) {
  LicenseClock c;
  Observe(c, kStart);
  std::int64_t back = 0;
  EXPECT_EQ(Observe(c, kStart - 30 * kDay, &back), kStart);
  EXPECT_EQ(back, 30 * kDay);
  // It runs on from the latest time seen, ahead of the clock by the step.
  EXPECT_EQ(Observe(c, kStart - 30 * kDay + kHour, &back), kStart + kHour);
  EXPECT_EQ(back, 0);
}

// Many steps back, each under the 4-hour tolerance, add up: the latest time
// seen keeps running.
TEST(LicenseClockTest, SmallStepsBackDoNotFreezeIt) {
  LicenseClock c;
  std::int64_t system = kStart;
  Observe(c, system);
  for (int i = 0; i < 100; ++i) {
    system += 3 * kHour;
    Observe(c, system);
    system -= 3 * kHour - 60;
    Observe(c, system);
  }
  EXPECT_EQ(c.latest_seen, kStart + 100 * 3 * kHour);
}

TEST(LicenseClockTest, AVerifiedHostTimeReanchorsIt) {
  LicenseClock c;
  Observe(c, kStart);
  Observe(c, kStart - 2 * kHour);  // a fast clock corrected: absorbed
  EXPECT_EQ(Observe(c, kStart - kHour), kStart + kHour);
  // A host vouches that it is kStart - kHour: the correction is forgiven.
  ObserveHostTime(c, kStart - kHour + 30, kStart - kHour);
  EXPECT_EQ(c.latest_seen, kStart - kHour + 30);
  EXPECT_EQ(Observe(c, kStart), kStart + 30);
  // Our own clock, when later than the host's, stays the floor.
  ObserveHostTime(c, kStart - 3 * kHour, kStart);
  EXPECT_EQ(c.latest_seen, kStart);
}

TEST(LicenseClockTest, ExtremeValuesDoNotOverflow) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  LicenseClock c{kMax - 5, kMin};
  EXPECT_EQ(Observe(c, kMax), kMax);
  std::int64_t back = 0;
  Observe(c, kMin, &back);
  EXPECT_EQ(back, kMax);
}

}  // namespace
}  // namespace activa
