#include "daemon/clearinghouse_schedule.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

constexpr std::int64_t kDay = 86400;

TEST(RenewalTimeTest, ThirtyDaysBeforeOrTwoThirdsOfAShortLife) {
  EXPECT_EQ(RenewalTime(0, 365 * kDay), 335 * kDay);
  EXPECT_EQ(RenewalTime(0, 90 * kDay), 60 * kDay);
  EXPECT_EQ(RenewalTime(0, 30 * kDay), 20 * kDay);
  EXPECT_EQ(RenewalTime(100, 100), 100);  // no life at all: due at once
}

TEST(ClearinghouseScheduleTest, RevocationsAtStartThenDaily) {
  ClearinghouseSchedule s;
  EXPECT_TRUE(s.RevocationsDue(1000));
  s.Succeeded(ClearinghouseSchedule::Task::kRevocations, 1000);
  EXPECT_FALSE(s.RevocationsDue(1000 + kDay - 1));
  EXPECT_TRUE(s.RevocationsDue(1000 + kDay));
}

TEST(ClearinghouseScheduleTest, BacksOffDoublingAndHonoursRetryAfter) {
  ClearinghouseSchedule s;
  const Status down(ResultCode::kClearinghouseUnreachable, "connection refused");
  using T = ClearinghouseSchedule::Task;
  EXPECT_TRUE(s.Failed(T::kRenewal, 0, down, 0));  // became unreachable
  EXPECT_FALSE(s.RenewalDue(0, 10, 299));
  EXPECT_TRUE(s.RenewalDue(0, 10, 300));
  EXPECT_FALSE(s.Failed(T::kRenewal, 300, down, 0));  // already said
  EXPECT_FALSE(s.RenewalDue(0, 10, 300 + 599));
  EXPECT_TRUE(s.RenewalDue(0, 10, 300 + 600));
  for (int i = 0; i < 20; ++i) s.Failed(T::kRenewal, 0, down, 0);
  EXPECT_TRUE(s.RenewalDue(0, 10, kMaxRetrySeconds));
  // A 429's Retry-After wins when it is longer.
  ClearinghouseSchedule busy;
  busy.Failed(T::kRevocations, 0, Status(ResultCode::kClearinghouseBusy, "429"), 3600);
  EXPECT_FALSE(busy.RevocationsDue(3599));
  EXPECT_TRUE(busy.RevocationsDue(3600));
  EXPECT_FALSE(busy.unreachable().has_value());  // it answered
}

TEST(ClearinghouseScheduleTest, UnreachableSinceTheFirstFailureUntilAnAnswer) {
  ClearinghouseSchedule s;
  using T = ClearinghouseSchedule::Task;
  s.Failed(T::kRevocations, 50, Status(ResultCode::kClearinghouseUnreachable, "a"), 0);
  s.Failed(T::kRenewal, 70, Status(ResultCode::kClearinghouseUntrusted, "b"), 0);
  ASSERT_TRUE(s.unreachable().has_value());
  EXPECT_EQ(s.unreachable()->since, 50);
  EXPECT_EQ(s.unreachable()->cause, "0xC0AC0041: b");
  s.Succeeded(T::kRevocations, 90);
  EXPECT_FALSE(s.unreachable().has_value());
  // A refusal is an answer: the key is revoked, not the network down.
  s.Failed(T::kRenewal, 95, Status(ResultCode::kClearinghouseUnreachable, "a"), 0);
  s.Failed(T::kRenewal, 99, Status(ResultCode::kKeyRevoked, "revoked"), 0);
  EXPECT_FALSE(s.unreachable().has_value());
}

}  // namespace
}  // namespace activa
