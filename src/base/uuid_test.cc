#include "base/uuid.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

TEST(UuidTest, ParsesAndFormats) {
  auto id = ParseUuid("{6F327760-8C5C-417C-9B61-836A98287E0C}");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(FormatUuid(*id), "6f327760-8c5c-417c-9b61-836a98287e0c");
  EXPECT_EQ(ParseUuid(FormatUuid(*id)), id);
}

TEST(UuidTest, RejectsMalformed) {
  EXPECT_FALSE(ParseUuid("6f327760-8c5c-417c-9b61-836a98287e0").has_value());
  EXPECT_FALSE(ParseUuid("6f327760x8c5c-417c-9b61-836a98287e0c").has_value());
  EXPECT_FALSE(ParseUuid("6f327760-8c5c-417c-9b61-836a98287e0g").has_value());
  EXPECT_FALSE(ParseUuid("").has_value());
}

TEST(UuidTest, RandomIdsAreVersion4AndDiffer) {
  Uuid a = NewRandomUuid(), b = NewRandomUuid();
  EXPECT_NE(a, b);
  EXPECT_EQ(a[6] >> 4, 4);
  EXPECT_EQ(a[8] & 0xc0, 0x80);
}

}  // namespace
}  // namespace activa
