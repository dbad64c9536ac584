#include "base/time_text.h"

#include <gtest/gtest.h>

#include "base/intervals.h"

namespace activa {
namespace {

TEST(TimeTextTest, Utc) {
  EXPECT_EQ(FormatUtcTime(0), "1970-01-01 00:00:00 UTC");
  EXPECT_EQ(FormatUtcTime(1811332800), "2027-05-26 12:00:00 UTC");
  EXPECT_EQ(FormatUtcTimeBare(1795000000), "2026-11-18 11:06:40");
}

TEST(IntervalsTest, Range) {
  EXPECT_TRUE(ValidateInterval(15).ok());
  EXPECT_TRUE(ValidateInterval(43200).ok());
  EXPECT_FALSE(ValidateInterval(14).ok());
  EXPECT_FALSE(ValidateInterval(43201).ok());
  EXPECT_FALSE(ValidateInterval(-1).ok());
  EXPECT_EQ(ValidateInterval(0).code(), ResultCode::kInvalidArgument);
}

}  // namespace
}  // namespace activa
