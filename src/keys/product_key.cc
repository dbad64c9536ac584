#include "keys/product_key.h"

#include <cctype>
#include <cstdlib>
#include <optional>
#include <vector>

#include "crypto/signing.h"
#include "keys/base24.h"

namespace activa {
namespace {

constexpr std::string_view kMacContext = "activa/product-key/v1";
constexpr std::string_view kIdContext = "activa/product-key-id/v1";
constexpr std::string_view kWhat = "the product key";
// 24^20 > 2^91: twenty data digits hold the 91-bit number.
constexpr std::size_t kDataDigits = kProductKeyGroups * kBase24DataPerGroup;

// The fields above the MAC (kind, vendor_tag, item, serial) take 59 bits, so
// they fit one u64 and the packed form is simply u64 || u32 (mac): the five
// unused top bits of the u64 are the padding from 91 to 96 bits.
constexpr int kSerialShift = 0;
constexpr int kItemShift = 29;
constexpr int kVendorShift = 41;
constexpr int kKindShift = 57;
constexpr int kUsedUpperBits = 59;

void RequireValid(const ProductKey& key) {
  // A key from Parse or Mint is always valid; one that is not was built by
  // hand with a bug, and formatting it would silently drop bits.
  if (!ValidateProductKey(key).ok()) std::abort();
}

// The secret a key of `kind` is minted with (see MintProductKey).
Result<ByteSpan> SecretFor(KeyKind kind, ByteSpan mint_secret) {
  if (kind == KeyKind::kSetup) return ByteSpan();
  if (mint_secret.size() < kMinMintSecretSize || mint_secret.size() > kMaxMintSecretSize) {
    return Status(ResultCode::kInvalidArgument,
                  "a mint secret has 16 to 64 bytes, not " + std::to_string(mint_secret.size()));
  }
  return mint_secret;
}

}  // namespace

Status ValidateProductKey(const ProductKey& key) {
  if (static_cast<std::uint8_t>(key.kind) > static_cast<std::uint8_t>(KeyKind::kMak)) {
    return Status(ResultCode::kInvalidArgument,
                  "product key kind " + std::to_string(static_cast<int>(key.kind)) +
                      " does not exist (0 = setup key, 1 = host key, 2 = MAK)");
  }
  if (key.item > kMaxProductKeyItem) {
    return Status(ResultCode::kInvalidArgument,
                  "product key item " + std::to_string(key.item) + " is out of range (0 to 4095)");
  }
  if (key.serial > kMaxProductKeySerial) {
    return Status(ResultCode::kInvalidArgument, "product key serial " + std::to_string(key.serial) +
                                                    " is out of range (0 to " +
                                                    std::to_string(kMaxProductKeySerial) + ")");
  }
  return Status::Ok();
}

PackedProductKey PackProductKey(const ProductKey& key) {
  RequireValid(key);
  std::uint64_t upper = (std::uint64_t{static_cast<std::uint8_t>(key.kind)} << kKindShift) |
                        (std::uint64_t{key.vendor_tag} << kVendorShift) |
                        (std::uint64_t{key.item} << kItemShift) |
                        (std::uint64_t{key.serial} << kSerialShift);
  ByteWriter w;
  w.U64(upper);
  w.U32(key.mac);
  PackedProductKey packed{};
  std::copy(w.bytes().begin(), w.bytes().end(), packed.begin());
  return packed;
}

Result<ProductKey> UnpackProductKey(ByteSpan packed) {
  if (packed.size() != kPackedProductKeySize) {
    return Status(ResultCode::kInvalidKey,
                  "a packed product key has 12 bytes, not " + std::to_string(packed.size()));
  }
  ByteReader r(packed);
  std::uint64_t upper = r.U64();
  std::uint32_t mac = r.U32();
  if ((upper >> kUsedUpperBits) != 0) {
    // Twenty digits can hold numbers up to 24^20 - 1, a little over 2^91.
    return Status(ResultCode::kInvalidKey, "the product key is out of range (not an Activa key)");
  }
  auto kind = static_cast<std::uint8_t>(upper >> kKindShift);
  if (kind > static_cast<std::uint8_t>(KeyKind::kMak)) {
    return Status(ResultCode::kInvalidKey, "the product key is of an unknown kind");
  }
  ProductKey key;
  key.kind = static_cast<KeyKind>(kind);
  key.vendor_tag = static_cast<std::uint16_t>(upper >> kVendorShift);
  key.item = static_cast<std::uint16_t>((upper >> kItemShift) & kMaxProductKeyItem);
  key.serial = static_cast<std::uint32_t>(upper & kMaxProductKeySerial);
  key.mac = mac;
  return key;
}

std::string FormatProductKey(const ProductKey& key) {
  PackedProductKey packed = PackProductKey(key);
  // Cannot fail: the packed number is below 2^91 < 24^20.
  std::optional<std::vector<std::uint8_t>> digits = BytesToBase24(packed, kDataDigits);
  if (!digits) std::abort();
  return EncodeBase24Groups(*digits);
}

Result<ProductKey> ParseProductKey(std::string_view text) {
  Result<std::vector<std::uint8_t>> digits =
      DecodeBase24Groups(text, kProductKeyGroups, kWhat, ResultCode::kInvalidKey);
  if (!digits.ok()) return digits.status();
  // Cannot fail: 24^20 < 2^96. Range is checked by UnpackProductKey.
  std::optional<Bytes> packed = Base24ToBytes(*digits, kPackedProductKeySize);
  if (!packed) std::abort();
  return UnpackProductKey(*packed);
}

std::string PartialProductKey(const ProductKey& key) {
  return PartialProductKey(std::string_view(FormatProductKey(key)));
}

std::string PartialProductKey(std::string_view key_text) {
  std::string chars;
  for (char c : key_text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      chars += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return chars.size() <= kBase24GroupSize ? chars : chars.substr(chars.size() - kBase24GroupSize);
}

std::uint32_t ProductKeyMac(ByteSpan mint_secret, KeyKind kind, std::uint16_t vendor_tag,
                            std::uint16_t item, std::uint32_t serial) {
  // libsodium refuses longer keys and would leave the output unwritten.
  if (mint_secret.size() > kMaxMintSecretSize) std::abort();
  // An empty key would make BLAKE2b unkeyed; setup keys get a fixed,
  // published one instead, so their MAC is computed exactly like the others.
  ByteSpan secret = mint_secret;
  if (secret.empty()) {
    secret = ByteSpan(reinterpret_cast<const std::uint8_t*>(kSetupKeySecret.data()),
                      kSetupKeySecret.size());
  }
  ByteWriter w;
  w.Raw(kMacContext);
  w.U8(0);
  w.U8(static_cast<std::uint8_t>(kind));
  w.U16(vendor_tag);
  w.U16(item);
  w.U32(serial);
  std::array<std::uint8_t, 16> hash{};
  Blake2b(hash, w.bytes(), secret);
  ByteReader r(hash);
  return r.U32();
}

Result<ProductKey> MintProductKey(ByteSpan mint_secret, KeyKind kind, std::uint16_t vendor_tag,
                                  std::uint16_t item, std::uint32_t serial) {
  ProductKey key{kind, vendor_tag, item, serial, 0};
  ACTIVA_RETURN_IF_ERROR(ValidateProductKey(key));
  Result<ByteSpan> secret = SecretFor(kind, mint_secret);
  if (!secret.ok()) return secret.status();
  key.mac = ProductKeyMac(*secret, kind, vendor_tag, item, serial);
  return key;
}

Status VerifyProductKeyMac(const ProductKey& key, ByteSpan mint_secret) {
  ACTIVA_RETURN_IF_ERROR(ValidateProductKey(key));
  Result<ByteSpan> secret = SecretFor(key.kind, mint_secret);
  if (!secret.ok()) return secret.status();
  std::uint32_t expected = ProductKeyMac(*secret, key.kind, key.vendor_tag, key.item, key.serial);
  ByteWriter a;
  a.U32(expected);
  ByteWriter b;
  b.U32(key.mac);
  if (!ConstantTimeEqual(a.bytes(), b.bytes())) {
    return Status(ResultCode::kInvalidKey,
                  "the product key is not genuine (its MAC does not match)");
  }
  return Status::Ok();
}

std::array<std::uint8_t, 8> ProductKeyId(const ProductKey& key) {
  PackedProductKey packed = PackProductKey(key);
  ByteWriter w;
  w.Raw(kIdContext);
  w.U8(0);
  w.Raw(packed);
  std::array<std::uint8_t, 16> hash{};
  Blake2b(hash, w.bytes());
  std::array<std::uint8_t, 8> id;
  std::copy_n(hash.begin(), id.size(), id.begin());
  return id;
}

}  // namespace activa
