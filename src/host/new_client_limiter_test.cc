#include "host/new_client_limiter.h"

#include <gtest/gtest.h>

#include <string>

#include "base/clock.h"

namespace activa {
namespace {

using Verdict = NewClientLimiter::Verdict;

constexpr std::int64_t kT0 = 1795000000;

TEST(NewClientLimiterTest, AdmitsTheLimitThenTripsOnceAndRefuses) {
  FakeClock clock(kT0);
  NewClientLimiter limiter(3);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kAdmit);
  EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kTripped);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kRefuse);
  }
  // Another address has its own window.
  EXPECT_EQ(limiter.NewClient("10.0.0.10", clock.Now()), Verdict::kAdmit);
}

TEST(NewClientLimiterTest, TheWindowEndsAfterAMinute) {
  FakeClock clock(kT0);
  NewClientLimiter limiter(1);
  EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kAdmit);
  clock.Advance(59);
  EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kTripped);
  clock.Advance(1);
  EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kAdmit);
  // The next window trips (and is logged) once again.
  EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kTripped);
}

TEST(NewClientLimiterTest, AClockSetBackStartsAFreshWindow) {
  FakeClock clock(kT0);
  NewClientLimiter limiter(1);
  EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kAdmit);
  clock.Advance(-3600);
  EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kAdmit);
}

TEST(NewClientLimiterTest, TracksAtMostMaxSources) {
  FakeClock clock(kT0);
  NewClientLimiter limiter(1, 8);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(limiter.NewClient("10.1.0." + std::to_string(i), clock.Now()), Verdict::kAdmit);
    EXPECT_LE(limiter.tracked(), 8u);
  }
  // Ended windows make room first.
  clock.Advance(NewClientLimiter::kWindowSeconds);
  EXPECT_EQ(limiter.NewClient("10.2.0.1", clock.Now()), Verdict::kAdmit);
  EXPECT_EQ(limiter.tracked(), 1u);
}

TEST(NewClientLimiterTest, AReloadChangesTheLimit) {
  FakeClock clock(kT0);
  NewClientLimiter limiter(1);
  EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kAdmit);
  limiter.set_limit(2);
  EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kAdmit);
  EXPECT_EQ(limiter.NewClient("10.0.0.9", clock.Now()), Verdict::kTripped);
}

}  // namespace
}  // namespace activa
