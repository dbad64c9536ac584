#include "remote/login_throttle.h"

#include <gtest/gtest.h>

namespace activa::remote {
namespace {

TEST(LoginThrottleTest, DelayGrowsWithFailuresInARowAndIsCapped) {
  LoginThrottle t;
  std::vector<int> delays;
  for (int i = 0; i < 9; ++i) {
    delays.push_back(t.Begin("192.0.2.1", "alice", 1000 + i));
    t.Failed("192.0.2.1", "alice", 1000 + i);
  }
  EXPECT_EQ(delays, (std::vector<int>{0, 1, 2, 4, 8, 16, 32, 32, 32}));
}

TEST(LoginThrottleTest, PerSourceAndUser) {
  LoginThrottle t;
  t.Begin("192.0.2.1", "alice", 0);
  t.Failed("192.0.2.1", "alice", 0);
  EXPECT_EQ(t.Begin("192.0.2.1", "alice", 1), 1);
  t.Failed("192.0.2.1", "alice", 1);
  EXPECT_EQ(t.Begin("192.0.2.2", "alice", 1), 0);  // another source
  EXPECT_EQ(t.Begin("192.0.2.1", "bob", 1), 0);    // another user
}

TEST(LoginThrottleTest, SuccessAndQuietClearTheRow) {
  LoginThrottle t;
  for (int i = 0; i < 3; ++i) {
    t.Begin("s", "u", 0);
    t.Failed("s", "u", 0);
  }
  EXPECT_EQ(t.Begin("s", "u", 0), 4);
  t.Succeeded("s", "u");
  EXPECT_EQ(t.Begin("s", "u", 0), 0);
  t.Failed("s", "u", 0);
  EXPECT_EQ(t.Begin("s", "u", LoginThrottle::kForgetSeconds + 10), 0);
}

TEST(LoginThrottleTest, ParallelAttemptsDoNotShareOneDelay) {
  LoginThrottle t;
  EXPECT_EQ(t.Begin("s", "u", 0), 0);
  EXPECT_EQ(t.Begin("s", "u", 0), 1);  // the first is still being checked
  EXPECT_EQ(t.Begin("s", "u", 0), 2);
}

TEST(LoginThrottleTest, MemoryIsBounded) {
  LoginThrottle t;
  for (std::size_t i = 0; i < LoginThrottle::kMaxEntries + 50; ++i) {
    std::string source = "10.0." + std::to_string(i);
    t.Begin(source, "u", 0);
    t.Failed(source, "u", 0);
  }
  EXPECT_LE(t.size(), LoginThrottle::kMaxEntries);
}

}  // namespace
}  // namespace activa::remote
