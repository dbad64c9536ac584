#include "keys/base24.h"

#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace activa {
namespace {

using Group = std::array<std::uint8_t, 5>;

Group MakeGroup(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d,
                std::size_t group_index) {
  std::array<std::uint8_t, 4> data = {a, b, c, d};
  return {a, b, c, d, Base24CheckDigit(data, group_index)};
}

// Counts the valid groups among all single substitutions and adjacent swaps
// of every valid group at `group_index` (24^4 of them). Returns the number of
// errors that went undetected, which must be zero.
std::size_t UndetectedErrors(std::size_t group_index) {
  std::size_t undetected = 0;
  for (std::uint8_t a = 0; a < 24; ++a) {
    for (std::uint8_t b = 0; b < 24; ++b) {
      for (std::uint8_t c = 0; c < 24; ++c) {
        for (std::uint8_t d = 0; d < 24; ++d) {
          Group group = MakeGroup(a, b, c, d, group_index);
          if (!Base24GroupValid(group, group_index)) return SIZE_MAX;
          for (std::size_t pos = 0; pos < 5; ++pos) {
            for (std::uint8_t wrong = 0; wrong < 24; ++wrong) {
              if (wrong == group[pos]) continue;
              Group typo = group;
              typo[pos] = wrong;
              if (Base24GroupValid(typo, group_index)) ++undetected;
            }
          }
          // Positions (0,1) ... (3,4): the last swaps a data character with
          // the check character.
          for (std::size_t pos = 0; pos + 1 < 5; ++pos) {
            if (group[pos] == group[pos + 1]) continue;  // the text does not change
            Group swapped = group;
            std::swap(swapped[pos], swapped[pos + 1]);
            if (Base24GroupValid(swapped, group_index)) ++undetected;
          }
        }
      }
    }
  }
  return undetected;
}

TEST(Base24CheckTest, EverySubstitutionAndAdjacentSwapIsDetectedExhaustively) {
  // One target suffices: the check is linear, so whether an error escapes
  // does not depend on the target (docs/keys.md). The next test covers all
  // 24 targets through that argument; a second exhaustive run would double
  // this test's several seconds in a debug build.
  EXPECT_EQ(UndetectedErrors(0), 0u);
}

TEST(Base24CheckTest, LocalArgumentHoldsForEveryPositionAndPair) {
  // The sum is linear, so detection is a property of the position maps
  // alone: a substitution at i escapes only if phi_i(a) = phi_i(b), a swap at
  // (i, i+1) only if phi_i(a) + phi_i+1(b) = phi_i(b) + phi_i+1(a), whatever
  // the other characters are. Probe the maps, for all 24 targets, through
  // groups whose other characters are fixed.
  for (std::size_t g = 0; g < 24; ++g) {
    for (std::uint8_t a = 0; a < 24; ++a) {
      for (std::uint8_t b = 0; b < 24; ++b) {
        if (a == b) continue;
        for (std::size_t pos = 0; pos < 4; ++pos) {
          std::array<std::uint8_t, 4> x = {0, 0, 0, 0};
          std::array<std::uint8_t, 4> y = x;
          x[pos] = a;
          y[pos] = b;
          // A different data character forces a different check character,
          // so one wrong check character never matches either.
          EXPECT_NE(Base24CheckDigit(x, g), Base24CheckDigit(y, g));
          if (pos + 1 < 4) {
            x[pos + 1] = b;
            y[pos + 1] = a;
            EXPECT_NE(Base24CheckDigit(x, g), Base24CheckDigit(y, g));
          }
        }
        // The swap of the last data character with the check character: find
        // a valid group ending in (a, b) and swap them.
        bool found = false;
        for (std::uint8_t x = 0; x < 24 && !found; ++x) {
          std::array<std::uint8_t, 4> data = {x, 0, 0, a};
          if (Base24CheckDigit(data, g) != b) continue;
          found = true;
          EXPECT_FALSE(Base24GroupValid(Group{x, 0, 0, b, a}, g));
        }
        EXPECT_TRUE(found);
      }
    }
  }
}

TEST(Base24CheckTest, GroupInAnotherPlaceIsDetected) {
  Group group = MakeGroup(3, 14, 15, 9, 0);
  for (std::size_t g = 1; g < 24; ++g) EXPECT_FALSE(Base24GroupValid(group, g)) << g;
}

TEST(Base24CheckTest, DigitsOutOfRangeAreInvalid) {
  Group group = MakeGroup(1, 2, 3, 4, 0);
  group[2] = 24;
  EXPECT_FALSE(Base24GroupValid(group, 0));
}

TEST(Base24GroupsTest, EncodesGroupsWithDashes) {
  std::vector<std::uint8_t> digits = {0, 1, 2, 3, 20, 21, 22, 23};
  std::string text = EncodeBase24Groups(digits);
  ASSERT_EQ(text.size(), 11u);
  EXPECT_EQ(text.substr(0, 4), "BCDF");
  EXPECT_EQ(text[5], '-');
  EXPECT_EQ(text.substr(6, 4), "6789");
  EXPECT_EQ(EncodeBase24Groups({}), "");
}

TEST(Base24GroupsTest, RoundTripsWithLenientInput) {
  std::vector<std::uint8_t> digits = {5, 0, 23, 17, 9, 9, 9, 9, 1, 22, 3, 12};
  std::string text = EncodeBase24Groups(digits);
  std::string lower;
  std::string bare;
  for (char c : text) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c != '-') bare += c;
  }
  for (const std::string& input : {text, lower, bare, "  \t" + text + "\r\n", "-" + bare + "--"}) {
    Result<std::vector<std::uint8_t>> decoded =
        DecodeBase24Groups(input, 3, "the code", ResultCode::kInvalidData);
    ASSERT_TRUE(decoded.ok()) << input << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, digits);
  }
}

TEST(Base24GroupsTest, ReportsLengthAndCharacterErrors) {
  std::string text = EncodeBase24Groups(std::vector<std::uint8_t>(8, 7));  // 2 groups
  auto decode = [](std::string_view t) {
    return DecodeBase24Groups(t, 2, "the code", ResultCode::kInvalidKey);
  };
  Result<std::vector<std::uint8_t>> r = decode("");
  EXPECT_EQ(r.status().code(), ResultCode::kInvalidKey);
  EXPECT_EQ(r.status().message(), "the code is empty");
  EXPECT_EQ(decode(text.substr(0, 10)).status().message(),
            "the code has 9 characters; it needs 10");
  EXPECT_EQ(decode(text + "B").status().message(), "the code has 11 characters; it needs 10");
  EXPECT_EQ(decode("B").status().message(), "the code has 1 character; it needs 10");

  std::string bad = text;
  bad[7] = '0';
  EXPECT_EQ(decode(bad).status().message(),
            "group 2 of the code: '0' is not a key character (allowed: "
            "BCDFGHJKMPQRTVWXY2346789)");
  bad[7] = ' ';
  EXPECT_EQ(decode(bad).status().message(),
            "group 2 of the code: a space is not a key character (allowed: "
            "BCDFGHJKMPQRTVWXY2346789)");
  bad[7] = '\xC3';
  EXPECT_EQ(decode(bad).status().message(),
            "group 2 of the code: byte 0xC3 is not a key character (allowed: "
            "BCDFGHJKMPQRTVWXY2346789)");
  bad = text;
  bad[0] = '\0';
  EXPECT_EQ(decode(bad).status().message(),
            "group 1 of the code: byte 0x00 is not a key character (allowed: "
            "BCDFGHJKMPQRTVWXY2346789)");
}

TEST(Base24GroupsTest, NamesEveryGroupWithATypingError) {
  std::vector<std::uint8_t> digits(12, 4);
  std::string text = EncodeBase24Groups(digits);  // "GGGGx-GGGGy-GGGGz"
  std::string one = text;
  one[6] = 'H';
  EXPECT_EQ(DecodeBase24Groups(one, 3, "the code", ResultCode::kInvalidData).status().message(),
            "group 2 of the code has a typing error (check character does not match)");
  std::string three = one;
  three[0] = 'H';
  three[12] = 'H';
  EXPECT_EQ(DecodeBase24Groups(three, 3, "the code", ResultCode::kInvalidData).status().message(),
            "groups 1, 2 and 3 of the code have typing errors (check characters do not match)");
}

TEST(Base24GroupsTest, SwapAcrossGroupBoundaryIsDetected) {
  // The last character of group g and the first of group g+1: each group sees
  // a single substitution.
  std::vector<std::uint8_t> digits = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::string text = EncodeBase24Groups(digits);
  for (std::size_t boundary : {4u, 10u}) {
    std::string swapped = text;
    std::swap(swapped[boundary], swapped[boundary + 2]);  // skip the dash
    ASSERT_NE(swapped, text);
    Result<std::vector<std::uint8_t>> r =
        DecodeBase24Groups(swapped, 3, "the code", ResultCode::kInvalidData);
    EXPECT_EQ(r.status().code(), ResultCode::kInvalidData) << swapped;
  }
}

TEST(Base24GroupsTest, WholeGroupsSwappedAreDetected) {
  std::vector<std::uint8_t> digits = {1, 2, 3, 4, 5, 6, 7, 8};
  std::string text = EncodeBase24Groups(digits);
  std::string swapped = text.substr(6, 5) + "-" + text.substr(0, 5);
  EXPECT_FALSE(DecodeBase24Groups(swapped, 2, "the code", ResultCode::kInvalidData).ok());
}

TEST(Base24NumberTest, DigitsForBytes) {
  EXPECT_EQ(Base24DigitsForBytes(0), 0u);
  EXPECT_EQ(Base24DigitsForBytes(1), 4u);     // 255 needs 2 digits
  EXPECT_EQ(Base24DigitsForBytes(12), 24u);   // 2^96 needs 21 digits
  EXPECT_EQ(Base24DigitsForBytes(55), 96u);   // 2^440 needs 96 digits exactly
  EXPECT_EQ(Base24DigitsForBytes(69), 124u);  // 2^552 needs 121 digits
}

TEST(Base24NumberTest, ConvertsAndRoundTrips) {
  Bytes bytes = {0x01, 0x00};  // 256 = 10 * 24 + 16
  std::optional<std::vector<std::uint8_t>> digits = BytesToBase24(bytes, 4);
  ASSERT_TRUE(digits.has_value());
  EXPECT_EQ(*digits, (std::vector<std::uint8_t>{0, 0, 10, 16}));
  std::optional<Bytes> back = Base24ToBytes(*digits, 2);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, bytes);

  Bytes big(55);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 37 + 11);
  digits = BytesToBase24(big, Base24DigitsForBytes(big.size()));
  ASSERT_TRUE(digits.has_value());
  back = Base24ToBytes(*digits, big.size());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, big);

  Bytes max(55, 0xFF);
  EXPECT_TRUE(BytesToBase24(max, 96).has_value());
}

TEST(Base24NumberTest, RefusesValuesThatDoNotFit) {
  Bytes bytes = {0x02, 0x40};  // 576 = 24^2
  EXPECT_FALSE(BytesToBase24(bytes, 2).has_value());
  EXPECT_TRUE(BytesToBase24(bytes, 3).has_value());
  std::vector<std::uint8_t> digits = {1, 0, 0};  // 576 does not fit a byte
  EXPECT_FALSE(Base24ToBytes(digits, 1).has_value());
  EXPECT_TRUE(Base24ToBytes(std::vector<std::uint8_t>{10, 15}, 1).has_value());   // 255
  EXPECT_FALSE(Base24ToBytes(std::vector<std::uint8_t>{10, 16}, 1).has_value());  // 256
  EXPECT_FALSE(Base24ToBytes(std::vector<std::uint8_t>{24}, 1).has_value());
}

}  // namespace
}  // namespace activa
