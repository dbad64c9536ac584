#include "keys/product_key.h"

#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "keys/base24.h"

namespace activa {
namespace {

// The test vectors of docs/keys.md, section "Test vectors".
Bytes VectorMintSecret() {
  Bytes secret(32);
  for (std::size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<std::uint8_t>(i);
  return secret;
}

constexpr std::uint16_t kVendorTag = 0xA11C;
constexpr std::uint32_t kHostKeyMac = 0x69C51F36;
constexpr char kHostKeyText[] = "JBTC2-6V47J-G3GM6-Q3W28-P3KWK";
constexpr char kHostKeyPacked[] = "03423824675bcd1569c51f36";
constexpr char kHostKeyId[] = "bee7b9fa63ce8546";
constexpr std::uint32_t kSetupKeyMac = 0x85D2DB7A;
constexpr char kSetupKeyText[] = "DK4V4-HWB8Q-9T6WB-8K62X-VH93J";

ProductKey VectorHostKey() {
  return ProductKey{KeyKind::kHost, kVendorTag, 0x123, 123456789, kHostKeyMac};
}

std::string ErrorOf(std::string_view text) {
  Result<ProductKey> r = ParseProductKey(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), ResultCode::kInvalidKey) << text;
  return r.status().message();
}

TEST(ProductKeyTest, HostKeyVector) {
  Result<ProductKey> minted =
      MintProductKey(VectorMintSecret(), KeyKind::kHost, kVendorTag, 0x123, 123456789);
  ASSERT_TRUE(minted.ok()) << minted.status().ToString();
  EXPECT_EQ(minted->mac, kHostKeyMac);
  EXPECT_EQ(*minted, VectorHostKey());
  EXPECT_EQ(FormatProductKey(*minted), kHostKeyText);
  EXPECT_EQ(HexEncode(PackProductKey(*minted)), kHostKeyPacked);
  EXPECT_EQ(HexEncode(ProductKeyId(*minted)), kHostKeyId);
  EXPECT_EQ(PartialProductKey(*minted), std::string(kHostKeyText).substr(24));
  EXPECT_EQ(PartialProductKey(std::string_view(kHostKeyText)),
            std::string(kHostKeyText).substr(24));
  EXPECT_EQ(PartialProductKey(std::string_view("aaaaa-bbbbb-x44ck")), "X44CK");
  EXPECT_EQ(PartialProductKey(std::string_view("x4-4")), "X44");
  EXPECT_TRUE(VerifyProductKeyMac(*minted, VectorMintSecret()).ok());

  Result<ProductKey> parsed = ParseProductKey(kHostKeyText);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, VectorHostKey());
  EXPECT_EQ(parsed->kind, KeyKind::kHost);
}

TEST(ProductKeyTest, SetupKeyVector) {
  // Setup keys use the public secret, whatever secret is passed.
  Result<ProductKey> minted = MintProductKey({}, KeyKind::kSetup, kVendorTag, 7, 1);
  ASSERT_TRUE(minted.ok()) << minted.status().ToString();
  EXPECT_EQ(minted->mac, kSetupKeyMac);
  EXPECT_EQ(minted->mac, ProductKeyMac({}, KeyKind::kSetup, kVendorTag, 7, 1));
  EXPECT_EQ(*MintProductKey(VectorMintSecret(), KeyKind::kSetup, kVendorTag, 7, 1), *minted);
  EXPECT_EQ(FormatProductKey(*minted), kSetupKeyText);
  EXPECT_TRUE(VerifyProductKeyMac(*minted, {}).ok());

  const std::string secret(kSetupKeySecret);
  Bytes explicit_secret(secret.begin(), secret.end());
  EXPECT_EQ(ProductKeyMac(explicit_secret, KeyKind::kSetup, kVendorTag, 7, 1), kSetupKeyMac);
}

TEST(ProductKeyTest, RoundTripsEveryKindAndExtremeFields) {
  for (KeyKind kind : {KeyKind::kSetup, KeyKind::kHost, KeyKind::kMak}) {
    for (ProductKey key :
         {ProductKey{kind, 0, 0, 0, 0},
          ProductKey{kind, 0xFFFF, kMaxProductKeyItem, kMaxProductKeySerial, 0xFFFFFFFF},
          ProductKey{kind, 0x8001, 0x800, 0x10000001, 0x80000001}}) {
      std::string text = FormatProductKey(key);
      ASSERT_EQ(text.size(), 29u);
      Result<ProductKey> parsed = ParseProductKey(text);
      ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
      EXPECT_EQ(*parsed, key) << text;
      Result<ProductKey> unpacked = UnpackProductKey(PackProductKey(key));
      ASSERT_TRUE(unpacked.ok());
      EXPECT_EQ(*unpacked, key);
    }
  }
}

TEST(ProductKeyTest, AcceptsLowerCaseNoDashesAndWhitespace) {
  std::string text = kHostKeyText;
  std::string lenient;
  for (char c : text) {
    if (c != '-') lenient += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  Result<ProductKey> parsed = ParseProductKey("  " + lenient + "\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, VectorHostKey());
}

TEST(ProductKeyTest, EverySingleWrongCharacterIsRefusedNamingItsGroup) {
  const std::string text = kHostKeyText;
  std::size_t position = 0;  // among the 25 key characters
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '-') continue;
    std::string group = std::to_string(position / 5 + 1);
    for (char wrong : kBase24Alphabet) {
      if (wrong == text[i]) continue;
      std::string typo = text;
      typo[i] = wrong;
      EXPECT_EQ(ErrorOf(typo), "group " + group +
                                   " of the product key has a typing error (check character "
                                   "does not match)")
          << typo;
    }
    ++position;
  }
  EXPECT_EQ(position, 25u);
}

TEST(ProductKeyTest, EveryAdjacentSwapIsRefusedNamingAGroup) {
  std::string bare;
  for (char c : std::string(kHostKeyText)) {
    if (c != '-') bare += c;
  }
  int swaps = 0;
  for (std::size_t i = 0; i + 1 < bare.size(); ++i) {
    if (bare[i] == bare[i + 1]) continue;
    std::string swapped = bare;
    std::swap(swapped[i], swapped[i + 1]);
    std::string message = ErrorOf(swapped);
    std::string first = std::to_string(i / 5 + 1);
    std::string second = std::to_string((i + 1) / 5 + 1);
    if (first == second) {
      EXPECT_EQ(message, "group " + first +
                             " of the product key has a typing error (check character does "
                             "not match)");
    } else {
      EXPECT_EQ(message, "groups " + first + " and " + second +
                             " of the product key have typing errors (check characters do "
                             "not match)");
    }
    ++swaps;
  }
  EXPECT_GT(swaps, 15);
}

TEST(ProductKeyTest, RefusesWrongLengthAndBadCharacters) {
  const std::string text = kHostKeyText;
  EXPECT_EQ(ErrorOf(text.substr(0, 28)), "the product key has 24 characters; it needs 25");
  EXPECT_EQ(ErrorOf(text + "B"), "the product key has 26 characters; it needs 25");
  EXPECT_EQ(ErrorOf("   "), "the product key is empty");
  std::string bad = text;
  bad[13] = 'O';
  EXPECT_EQ(ErrorOf(bad),
            "group 3 of the product key: 'O' is not a key character (allowed: "
            "BCDFGHJKMPQRTVWXY2346789)");
}

TEST(ProductKeyTest, RefusesNumbersOutOfRangeAndKindThree) {
  // Twenty '9's (24^20 - 1) exceed 2^91 - 1.
  std::vector<std::uint8_t> digits(20, 23);
  EXPECT_EQ(ErrorOf(EncodeBase24Groups(digits)),
            "the product key is out of range (not an Activa key)");
  // Kind 3: the packed form 06 00 ... 00 (bits 89 and 90 set, the top five clear).
  PackedProductKey packed{};
  packed[0] = 0x06;
  std::optional<std::vector<std::uint8_t>> kind3 = BytesToBase24(packed, 20);
  ASSERT_TRUE(kind3.has_value());
  EXPECT_EQ(ErrorOf(EncodeBase24Groups(*kind3)), "the product key is of an unknown kind");
  EXPECT_EQ(UnpackProductKey(packed).status().code(), ResultCode::kInvalidKey);
  EXPECT_EQ(UnpackProductKey(Bytes(11)).status().code(), ResultCode::kInvalidKey);
}

TEST(ProductKeyTest, ValidatesFields) {
  EXPECT_TRUE(ValidateProductKey(VectorHostKey()).ok());
  ProductKey key = VectorHostKey();
  key.item = 4096;
  EXPECT_EQ(ValidateProductKey(key).code(), ResultCode::kInvalidArgument);
  key = VectorHostKey();
  key.serial = 1u << 29;
  EXPECT_EQ(ValidateProductKey(key).code(), ResultCode::kInvalidArgument);
  key = VectorHostKey();
  key.kind = static_cast<KeyKind>(3);
  EXPECT_EQ(ValidateProductKey(key).code(), ResultCode::kInvalidArgument);

  EXPECT_EQ(MintProductKey(VectorMintSecret(), KeyKind::kMak, 1, 4096, 0).status().code(),
            ResultCode::kInvalidArgument);
  EXPECT_EQ(MintProductKey(VectorMintSecret(), KeyKind::kMak, 1, 0, 1u << 29).status().code(),
            ResultCode::kInvalidArgument);
  EXPECT_EQ(MintProductKey(VectorMintSecret(), static_cast<KeyKind>(3), 1, 0, 0).status().code(),
            ResultCode::kInvalidArgument);
}

TEST(ProductKeyTest, HostKeysAndMaksNeedAProperSecret) {
  EXPECT_EQ(MintProductKey({}, KeyKind::kHost, 1, 2, 3).status().code(),
            ResultCode::kInvalidArgument);
  EXPECT_EQ(MintProductKey(Bytes(15), KeyKind::kMak, 1, 2, 3).status().code(),
            ResultCode::kInvalidArgument);
  EXPECT_EQ(MintProductKey(Bytes(65), KeyKind::kMak, 1, 2, 3).status().code(),
            ResultCode::kInvalidArgument);
  EXPECT_TRUE(MintProductKey(Bytes(64), KeyKind::kMak, 1, 2, 3).ok());
  EXPECT_EQ(VerifyProductKeyMac(VectorHostKey(), {}).code(), ResultCode::kInvalidArgument);
}

TEST(ProductKeyTest, MacDetectsForgeriesAndWrongSecrets) {
  ProductKey key = VectorHostKey();
  Bytes other = VectorMintSecret();
  other[0] ^= 1;
  EXPECT_EQ(VerifyProductKeyMac(key, other).code(), ResultCode::kInvalidKey);
  std::vector<ProductKey> forgeries(4, key);
  forgeries[0].serial += 1;
  forgeries[1].item += 1;
  forgeries[2].vendor_tag += 1;
  forgeries[3].kind = KeyKind::kMak;
  for (const ProductKey& forged : forgeries) {
    EXPECT_EQ(VerifyProductKeyMac(forged, VectorMintSecret()).code(), ResultCode::kInvalidKey);
  }
  // A host key with the public setup secret's MAC does not pass as a host key.
  key.mac = ProductKeyMac({}, key.kind, key.vendor_tag, key.item, key.serial);
  EXPECT_EQ(VerifyProductKeyMac(key, VectorMintSecret()).code(), ResultCode::kInvalidKey);
}

TEST(ProductKeyTest, KeyIdsDiffer) {
  ProductKey a = VectorHostKey();
  ProductKey b = a;
  b.serial += 1;
  EXPECT_NE(ProductKeyId(a), ProductKeyId(b));
}

}  // namespace
}  // namespace activa
