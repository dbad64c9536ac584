#include "base/uuid.h"

#include <gtest/gtest.h>

#include <string>

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

// The parser decodes in place (no hex string in between): every position is
// checked on its own, the high nibble of a byte as much as the low one.
TEST(UuidTest, RejectsWhatTheDigitByDigitDecoderCouldLetThrough) {
  const std::string good = "6f327760-8c5c-417c-9b61-836a98287e0c";
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (char c : {'g', 'G', ' ', '+', '-', '\0', '{'}) {
      std::string bad = good;
      if (bad[i] == c) continue;
      bad[i] = c;
      EXPECT_FALSE(ParseUuid(bad).has_value()) << "position " << i << ": " << bad;
    }
  }
  EXPECT_FALSE(ParseUuid("{" + good).has_value());
  EXPECT_FALSE(ParseUuid(good + "}").has_value());
  EXPECT_FALSE(ParseUuid("(" + good + ")").has_value());
  EXPECT_FALSE(ParseUuid("6f3277608c5c417c9b61836a98287e0c").has_value());  // no dashes
  // Either case, the same ID.
  EXPECT_EQ(ParseUuid("6F327760-8C5C-417C-9B61-836A98287E0C"), ParseUuid(good));
  Uuid all{};
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i * 17);
  EXPECT_EQ(ParseUuid(FormatUuid(all)), all);
}

TEST(UuidTest, RandomIdsAreVersion4AndDiffer) {
  Uuid a = NewRandomUuid(), b = NewRandomUuid();
  EXPECT_NE(a, b);
  EXPECT_EQ(a[6] >> 4, 4);
  EXPECT_EQ(a[8] & 0xc0, 0x80);
}

}  // namespace
}  // namespace activa
