#include "daemon/idle_wake.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

// A production build's idle client (no host key) sleeps an hour when
// nothing is due: once a minute would be 60 wakeups where one does.
TEST(IdleWakeTest, ProductionClientSleepsAnHour) {
  EXPECT_EQ(IdleWakeCapSeconds(/*test_controls=*/false, /*host=*/false), 3600);
}

// A host keeps the minute (its refusal summary), and so does every build
// with test controls, whose tests move the clock.
TEST(IdleWakeTest, HostsAndTestBuildsLookEveryMinute) {
  EXPECT_EQ(IdleWakeCapSeconds(false, true), 60);
  EXPECT_EQ(IdleWakeCapSeconds(true, false), 60);
  EXPECT_EQ(IdleWakeCapSeconds(true, true), 60);
}

TEST(IdleWakeTest, NothingDueSleepsTheCap) {
  EXPECT_EQ(ClientWaitSeconds(1'000'000, 0, 3600), 3600);
}

// The wake comes from the next attempt, not from a polling tick.
TEST(IdleWakeTest, WakesAtTheNextAttempt) {
  const std::int64_t now = 1'800'000'000;
  EXPECT_EQ(ClientWaitSeconds(now, now + 120 * 60 / 4, 3600), 1800);
  EXPECT_EQ(ClientWaitSeconds(now, now + 3599, 3600), 3599);
  // Farther than the cap: the cap, then another look.
  EXPECT_EQ(ClientWaitSeconds(now, now + 7 * 86400, 3600), 3600);
}

// An attempt already due (or a clock moved past it) is taken after a
// second, never in a loop that does not sleep.
TEST(IdleWakeTest, OverdueAttemptWaitsOneSecond) {
  const std::int64_t now = 1'800'000'000;
  EXPECT_EQ(ClientWaitSeconds(now, now, 3600), 1);
  EXPECT_EQ(ClientWaitSeconds(now, now - 86400, 3600), 1);
  EXPECT_EQ(ClientWaitSeconds(now, 1, 3600), 1);
}

}  // namespace
}  // namespace activa
