#include "keys/activation_codes.h"

#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "keys/base24.h"

namespace activa {
namespace {

// The test vectors of docs/keys.md, section "Test vectors".
constexpr char kInstallationIdText[] =
    "BDFRV-489WB-B7TGH-49GPR-9M96B-PBJFR-WDW63-QHW6D-KMDYR-KCQ7C-WJJYQ-KX6HJ-"
    "QXT6D-62C9Y-KQTPR-MY8XR-R2BCD-YG46Q-WMK2D-4CFFF-RQ33H-G73X9-6M6GW-4MXPQ";
constexpr char kInstallationIdPayload[] =
    "011011121314151617a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "03423824675bcd1569c51f365571";
constexpr char kConfirmationIdText[] =
    "CC9Q4-XKW7Q-YKH23-FTJDR-8KGPD-BDW4K-TD82R-PMYTY-RKDPV-YXP68-HT6H3-KRJ6R-P76R8-"
    "Y7CCC-H97Y6-M6DF7-VFJHQ-JTYPJ-TWQ42-HT4M7-JCRMJ-PG32J-W2HMF-2D89K-WT23J-RF4KX-"
    "DGGK2-3TFF4-C8RD2-TP7KC";
constexpr char kConfirmationIdPayload[] =
    "034e20016d000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223242526"
    "2728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

// The payload a text carries, as hex.
std::string PayloadHex(std::string_view text, std::size_t groups, std::size_t bytes) {
  Result<std::vector<std::uint8_t>> digits =
      DecodeBase24Groups(text, groups, "the code", ResultCode::kInvalidData);
  EXPECT_TRUE(digits.ok());
  if (!digits.ok()) return "";
  std::optional<Bytes> payload = Base24ToBytes(*digits, bytes);
  EXPECT_TRUE(payload.has_value());
  return payload ? HexEncode(*payload) : "";
}

InstallationId VectorInstallationId() {
  InstallationId id;
  for (std::size_t i = 0; i < id.machine_tag.size(); ++i) {
    id.machine_tag[i] = static_cast<std::uint8_t>(0x10 + i);
  }
  for (std::size_t i = 0; i < id.host_public_key.size(); ++i) {
    id.host_public_key[i] = static_cast<std::uint8_t>(0xA0 + i);
  }
  // The host key vector of product_key_test.cc.
  id.host_key = ProductKey{KeyKind::kHost, 0xA11C, 0x123, 123456789, 0x69C51F36};
  return id;
}

ConfirmationId VectorConfirmationId() {
  ConfirmationId id;
  id.issue_day = 20000;  // 2024-10-04
  id.valid_days = 365;
  for (std::size_t i = 0; i < id.signature.size(); ++i) {
    id.signature[i] = static_cast<std::uint8_t>(i);
  }
  return id;
}

std::string Bare(std::string_view text) {
  std::string bare;
  for (char c : text) {
    if (c != '-') bare += c;
  }
  return bare;
}

TEST(InstallationIdTest, Vector) {
  std::string text = FormatInstallationId(VectorInstallationId());
  EXPECT_EQ(text, kInstallationIdText);
  EXPECT_EQ(text.size(), kInstallationIdGroups * 6 - 1);
  EXPECT_EQ(PayloadHex(text, kInstallationIdGroups, 55), kInstallationIdPayload);
  Result<InstallationId> parsed = ParseInstallationId(kInstallationIdText);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, VectorInstallationId());
}

TEST(ConfirmationIdTest, Vector) {
  std::string text = FormatConfirmationId(VectorConfirmationId());
  EXPECT_EQ(text, kConfirmationIdText);
  EXPECT_EQ(text.size(), kConfirmationIdGroups * 6 - 1);
  EXPECT_EQ(text.size(), 179u);  // 30 groups: 150 characters and 29 dashes
  EXPECT_EQ(PayloadHex(text, kConfirmationIdGroups, 69), kConfirmationIdPayload);
  Result<ConfirmationId> parsed = ParseConfirmationId(kConfirmationIdText);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, VectorConfirmationId());
}

TEST(InstallationIdTest, RoundTripsExtremes) {
  InstallationId id;
  id.host_key = ProductKey{KeyKind::kMak, 0, 0, 0, 0};
  for (int round = 0; round < 2; ++round) {
    Result<InstallationId> parsed = ParseInstallationId(FormatInstallationId(id));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, id);
    id.machine_tag.fill(0xFF);
    id.host_public_key.fill(0xFF);
    id.host_key =
        ProductKey{KeyKind::kMak, 0xFFFF, kMaxProductKeyItem, kMaxProductKeySerial, 0xFFFFFFFF};
  }
}

TEST(ConfirmationIdTest, RoundTripsExtremes) {
  ConfirmationId id;
  id.valid_days = 1;
  for (int round = 0; round < 2; ++round) {
    Result<ConfirmationId> parsed = ParseConfirmationId(FormatConfirmationId(id));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, id);
    id.issue_day = 0xFFFF;
    id.valid_days = 0xFFFF;
    id.signature.fill(0xFF);
  }
}

TEST(ActivationCodesTest, AcceptsLowerCaseNoDashesAndWhitespace) {
  std::string text = Bare(kInstallationIdText);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Result<InstallationId> parsed = ParseInstallationId(" " + text + "\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, VectorInstallationId());
}

TEST(ActivationCodesTest, EverySingleWrongCharacterIsRefusedNamingItsGroup) {
  for (const std::string& text :
       {std::string(kInstallationIdText), std::string(kConfirmationIdText)}) {
    bool installation = text == kInstallationIdText;
    std::string what = installation ? "the installation ID" : "the confirmation ID";
    std::size_t position = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '-') continue;
      for (char wrong : kBase24Alphabet) {
        if (wrong == text[i]) continue;
        std::string typo = text;
        typo[i] = wrong;
        Status status =
            installation ? ParseInstallationId(typo).status() : ParseConfirmationId(typo).status();
        EXPECT_EQ(status.code(), ResultCode::kInvalidData);
        EXPECT_EQ(status.message(), "group " + std::to_string(position / 5 + 1) + " of " + what +
                                        " has a typing error (check character does not match)");
      }
      ++position;
    }
  }
}

TEST(ActivationCodesTest, EveryAdjacentSwapIsRefused) {
  for (const std::string& text : {Bare(kInstallationIdText), Bare(kConfirmationIdText)}) {
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
      if (text[i] == text[i + 1]) continue;
      std::string swapped = text;
      std::swap(swapped[i], swapped[i + 1]);
      EXPECT_FALSE(ParseInstallationId(swapped).ok());
      EXPECT_FALSE(ParseConfirmationId(swapped).ok());
    }
  }
}

TEST(ActivationCodesTest, RefusesTheWrongKindOfCode) {
  Status status = ParseInstallationId(kConfirmationIdText).status();
  EXPECT_EQ(status.code(), ResultCode::kInvalidData);
  EXPECT_EQ(status.message(), "the installation ID has 150 characters; it needs 120");
}

// Builds the text of `payload` as the formatter would, without its checks.
std::string EncodePayload(const Bytes& payload, std::size_t groups) {
  std::optional<std::vector<std::uint8_t>> digits = BytesToBase24(payload, groups * 4);
  EXPECT_TRUE(digits.has_value());
  return EncodeBase24Groups(*digits);
}

TEST(ActivationCodesTest, RefusesBadChecksum) {
  Bytes payload(55, 0);
  payload[0] = 1;
  Status status = ParseInstallationId(EncodePayload(payload, kInstallationIdGroups)).status();
  EXPECT_EQ(status.code(), ResultCode::kInvalidData);
  EXPECT_EQ(status.message(),
            "the installation ID does not check out; compare it with the one the host shows");
}

// A confirmation ID has no checksum: a typing error the group checks miss
// (here a whole group moved 24 places, which lands on the same check) is
// left to the signature, which CertificateFromConfirmation verifies.
TEST(ActivationCodesTest, ConfirmationIdErrorsTheGroupsMissAreLeftToTheSignature) {
  std::string text = Bare(kConfirmationIdText);
  std::string moved = text;
  std::swap_ranges(moved.begin() + 5, moved.begin() + 10, moved.begin() + 125);
  ASSERT_NE(moved, text);
  Result<ConfirmationId> parsed = ParseConfirmationId(moved);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_NE(*parsed, VectorConfirmationId());
}

TEST(ActivationCodesTest, RefusesUnknownVersion) {
  Bytes payload(55, 0);
  payload[0] = 2;
  Status status = ParseInstallationId(EncodePayload(payload, kInstallationIdGroups)).status();
  EXPECT_EQ(status.code(), ResultCode::kUnsupportedVersion);
  EXPECT_EQ(status.message(),
            "the installation ID has version 2; this release reads version 1 only");
}

TEST(ActivationCodesTest, RefusesConfirmationIdsWithoutValidity) {
  // Version 1 confirmation IDs carried no validity: refused, not read as
  // "forever".
  Bytes payload(69, 0);
  payload[0] = 1;
  Status status = ParseConfirmationId(EncodePayload(payload, kConfirmationIdGroups)).status();
  EXPECT_EQ(status.code(), ResultCode::kUnsupportedVersion);
  EXPECT_EQ(status.message(),
            "the confirmation ID has version 1; this release reads version 3 only");
  // Versions 1 and 2 were 31 groups long: refused by their length.
  std::vector<std::uint8_t> old_digits(31 * 4, 0);
  status = ParseConfirmationId(EncodeBase24Groups(old_digits)).status();
  EXPECT_EQ(status.code(), ResultCode::kInvalidData);
  EXPECT_EQ(status.message(), "the confirmation ID has 155 characters; it needs 150");
  ConfirmationId none = VectorConfirmationId();
  none.valid_days = 0;
  EXPECT_EQ(ParseConfirmationId(FormatConfirmationId(none)).status().code(),
            ResultCode::kInvalidData);
}

TEST(ActivationCodesTest, RefusesNumbersOutOfRange) {
  std::vector<std::uint8_t> digits(kInstallationIdGroups * 4, 23);
  Status status = ParseInstallationId(EncodeBase24Groups(digits)).status();
  EXPECT_EQ(status.code(), ResultCode::kInvalidData);
  EXPECT_EQ(status.message(),
            "the installation ID is out of range; compare it with the one the host shows");
  // Any 120 digits fit a confirmation ID's 69 bytes (24^120 < 2^552); the
  // largest reads as a version this release does not know.
  digits.assign(kConfirmationIdGroups * 4, 23);
  EXPECT_EQ(ParseConfirmationId(EncodeBase24Groups(digits)).status().code(),
            ResultCode::kUnsupportedVersion);
}

TEST(ActivationCodesTest, RefusesAnInvalidProductKeyInside) {
  // A correct checksum over a packed key whose top bits are set.
  InstallationId id = VectorInstallationId();
  ByteWriter w;
  w.U8(1);
  w.Raw(id.machine_tag);
  w.Raw(id.host_public_key);
  PackedProductKey packed = PackProductKey(id.host_key);
  packed[0] |= 0x80;
  w.Raw(packed);
  Bytes body = w.Take();
  Bytes hashed;
  std::string context = "activa/installation-id/v1";
  hashed.insert(hashed.end(), context.begin(), context.end());
  hashed.push_back(0);
  hashed.insert(hashed.end(), body.begin(), body.end());
  std::array<std::uint8_t, 16> hash;
  Blake2b(hash, hashed);
  body.push_back(hash[0]);
  body.push_back(hash[1]);
  Status status = ParseInstallationId(EncodePayload(body, kInstallationIdGroups)).status();
  EXPECT_EQ(status.code(), ResultCode::kInvalidData);
  EXPECT_EQ(status.message(),
            "the installation ID contains an invalid product key: the product key is out of "
            "range (not an Activa key)");
}

}  // namespace
}  // namespace activa
