#include "clearinghouse/rate_limiter.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

TEST(RateLimiterTest, BurstThenRateWithRetryAfter) {
  RateLimiter limiter(/*rate=*/0.5, /*burst=*/3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Admit("a", 100.0), 0);
  EXPECT_EQ(limiter.Admit("a", 100.0), 2);  // one token every 2 s
  EXPECT_EQ(limiter.Admit("b", 100.0), 0);  // names are apart
  EXPECT_EQ(limiter.Admit("a", 101.0), 1);
  EXPECT_EQ(limiter.Admit("a", 102.0), 0);
  EXPECT_GT(limiter.Admit("a", 102.0), 0);
}

TEST(RateLimiterTest, ZeroRateIsOffAndClockGoingBackAddsNothing) {
  RateLimiter off(0, 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(off.Admit("a", 0), 0);
  RateLimiter limiter(1, 1);
  EXPECT_EQ(limiter.Admit("a", 50), 0);
  EXPECT_GT(limiter.Admit("a", 10), 0);
}

TEST(RateLimiterTest, ManyNamesDoNotGrowTheTableWithoutBound) {
  RateLimiter limiter(1, 1, /*max_names=*/4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.Admit("n" + std::to_string(i), 0), 0);
  // All four are still limited: a fifth waits rather than evicting them.
  EXPECT_GT(limiter.Admit("n4", 0), 0);
  EXPECT_EQ(limiter.size(), 4u);
  // Later they are full again and forgotten.
  EXPECT_EQ(limiter.Admit("n4", 10), 0);
  EXPECT_LE(limiter.size(), 4u);
}

}  // namespace
}  // namespace activa
