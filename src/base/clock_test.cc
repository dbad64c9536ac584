#include "base/clock.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(1000);
  EXPECT_EQ(clock.Now(), 1000);
  EXPECT_EQ(clock.Now(), 1000);
  clock.Advance(180 * 86400);
  EXPECT_EQ(clock.Now(), 1000 + 180 * 86400);
  clock.Advance(-500);
  EXPECT_EQ(clock.Now(), 500 + 180 * 86400);
  clock.Set(42);
  EXPECT_EQ(clock.Now(), 42);
}

TEST(ClockTest, OffsetClockFollowsItsBasePlusTheOffset) {
  FakeClock base(1000);
  OffsetClock clock(base);
  EXPECT_EQ(clock.Now(), 1000);
  clock.Advance(7 * 86400);
  EXPECT_EQ(clock.offset(), 7 * 86400);
  EXPECT_EQ(clock.Now(), 1000 + 7 * 86400);
  base.Advance(10);  // the base keeps running underneath
  EXPECT_EQ(clock.Now(), 1010 + 7 * 86400);
  clock.SetOffset(-10);
  EXPECT_EQ(clock.Now(), 1000);
}

TEST(ClockTest, SystemClockReadsUnixSeconds) {
  SystemClock clock;
  std::int64_t now = clock.Now();
  EXPECT_GT(now, 1577836800);  // after 2020-01-01: seconds, not a steady clock's ticks
  EXPECT_LT(now, 4102444800);  // before 2100-01-01: seconds, not milliseconds
  const Clock& as_interface = clock;
  EXPECT_GE(as_interface.Now(), now);
}

}  // namespace
}  // namespace activa
