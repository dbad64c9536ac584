#include "host/refusal_log.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

TEST(RefusalLogTest, BurstThenCountedThenOneSummary) {
  RefusalLog log(60, 3);
  std::size_t events = 0;
  for (int i = 0; i < 1000; ++i) events += log.Refused(1000 + i / 100, "bad magic").size();
  EXPECT_EQ(events, 3u);                      // the burst only, within one interval
  EXPECT_FALSE(log.Flush(1030).has_value());  // the interval is not over
  std::optional<Event> summary = log.Flush(1060);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->event_id, kEventHostRequest);
  EXPECT_NE(summary->message.find("997 more frames"), std::string::npos) << summary->message;
  EXPECT_NE(summary->message.find("bad magic"), std::string::npos);
  EXPECT_FALSE(log.Flush(1200).has_value());  // nothing more to say
  EXPECT_EQ(log.total(), 1000u);
}

TEST(RefusalLogTest, NextIntervalStartsWithTheSummaryAndAFreshBurst) {
  RefusalLog log(10, 1);
  EXPECT_EQ(log.Refused(100, "a").size(), 1u);
  EXPECT_EQ(log.Refused(101, "b").size(), 0u);
  std::vector<Event> next = log.Refused(111, "c");
  ASSERT_EQ(next.size(), 2u);
  EXPECT_NE(next[0].message.find("1 more frames"), std::string::npos);
  EXPECT_NE(next[1].message.find("c"), std::string::npos);
}

TEST(RefusalLogTest, TakeSummaryReportsTheCountBeforeTheIntervalIsOver) {
  RefusalLog log(60, 2);
  for (int i = 0; i < 7; ++i) log.Refused(1000, "bad magic");
  EXPECT_FALSE(log.Flush(1030).has_value());
  std::optional<Event> summary = log.TakeSummary(1030);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->event_id, kEventHostRequest);
  EXPECT_EQ(summary->time, 1030);
  EXPECT_NE(summary->message.find("Refused 5 more frames in 30 s"), std::string::npos)
      << summary->message;
  EXPECT_NE(summary->message.find("bad magic"), std::string::npos);
  // Taken: neither a second take nor the interval's end reports it again.
  EXPECT_FALSE(log.TakeSummary(1031).has_value());
  EXPECT_FALSE(log.Flush(1200).has_value());
  // The taken interval ended, so a fresh burst is logged one by one.
  EXPECT_EQ(log.Refused(1040, "c").size(), 1u);
}

TEST(RefusalLogTest, TakeSummaryWithNothingCountedIsEmpty) {
  RefusalLog log(60, 2);
  EXPECT_FALSE(log.TakeSummary(1000).has_value());
  log.Refused(1000, "a");  // within the burst: logged already
  EXPECT_FALSE(log.TakeSummary(1001).has_value());
}

TEST(RefusalLogTest, ClockSetBackEndsTheInterval) {
  RefusalLog log(60, 1);
  log.Refused(1000, "a");
  log.Refused(1001, "b");
  EXPECT_TRUE(log.Flush(500).has_value());
}

}  // namespace
}  // namespace activa
