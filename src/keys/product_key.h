// Product keys: the 25-character keys a vendor hands out
// ("BCDFG-HJKMP-QRTVW-XY234-6789B").
//
// A key is five base-24 groups (base24.h) carrying a 91-bit number, most
// significant bit first:
//   kind (2) | vendor_tag (16) | item (12) | serial (29) | mac (32)
// docs/keys.md has the exact layout and test vectors.
//
// The MAC lets a vendor tell its own keys from made-up ones without a
// database: it is keyed with the vendor's mint secret. Setup keys are public
// (printed in documentation) and use the well-known secret
// kSetupKeySecret, so anyone can check that a setup key is well formed; what
// makes a setup key valid is the catalog listing it, not its MAC.
//
// Everything here is pure and thread-compatible. A ProductKey that came from
// ParseProductKey or MintProductKey always satisfies ValidateProductKey;
// functions taking a ProductKey require that, and abort on a key that does
// not (a programming error: the caller built the struct by hand).
#ifndef ACTIVA_KEYS_PRODUCT_KEY_H_
#define ACTIVA_KEYS_PRODUCT_KEY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace activa {

enum class KeyKind : std::uint8_t {
  kSetup = 0,  // installs an edition on a client; public
  kHost = 1,   // activates a host for a product group
  kMak = 2,    // one-off activation of a client, counted by the vendor
};

struct ProductKey {
  KeyKind kind = KeyKind::kSetup;
  // The vendor's tag: the first two bytes of its KeyId, big-endian.
  std::uint16_t vendor_tag = 0;
  // Edition code (setup keys, MAKs) or product-group code (host keys); < 4096.
  std::uint16_t item = 0;
  std::uint32_t serial = 0;  // < 2^29
  std::uint32_t mac = 0;

  friend bool operator==(const ProductKey&, const ProductKey&) = default;
};

inline constexpr std::uint16_t kMaxProductKeyItem = (1u << 12) - 1;
inline constexpr std::uint32_t kMaxProductKeySerial = (1u << 29) - 1;
inline constexpr std::size_t kProductKeyGroups = 5;
inline constexpr std::size_t kPackedProductKeySize = 12;
using PackedProductKey = std::array<std::uint8_t, kPackedProductKeySize>;

// The MAC secret of setup keys. Public on purpose: 16 bytes of ASCII.
inline constexpr std::string_view kSetupKeySecret = "activa-setup-key";
// BLAKE2b accepts keys of up to 64 bytes; shorter than 16 is too weak.
inline constexpr std::size_t kMinMintSecretSize = 16;
inline constexpr std::size_t kMaxMintSecretSize = 64;

// "kind", "item" or "serial" out of range, or a kind with no enumerator:
// kInvalidArgument naming the field. OK otherwise.
Status ValidateProductKey(const ProductKey& key);

// "BCDFG-HJKMP-QRTVW-XY234-6789B" (upper case, dashes).
std::string FormatProductKey(const ProductKey& key);

// Parses a key typed by a person (any case, dashes optional, surrounding
// whitespace ignored). Every error is kInvalidKey with a message for a
// person that names the offending group when there is one. Does not check
// the MAC: that needs the vendor's secret (VerifyProductKeyMac).
Result<ProductKey> ParseProductKey(std::string_view text);

// The last five characters of the formatted key, as slmgr shows them.
std::string PartialProductKey(const ProductKey& key);
// The same rule for a key's text as typed or as stored: its last five
// letters and digits, upper-cased (dashes and spaces do not count). Shorter
// text gives all its letters and digits. Never more of a key than that is
// shown or logged.
std::string PartialProductKey(std::string_view key_text);

// The MAC a vendor puts into the keys it mints: the first 4 bytes
// (big-endian) of keyed BLAKE2b-128 over
//   "activa/product-key/v1" || 0x00 || kind (1) || vendor_tag (2) || item (2) || serial (4)
// with key = `mint_secret`, or kSetupKeySecret when `mint_secret` is empty.
// Requires mint_secret.size() <= kMaxMintSecretSize (aborts otherwise).
std::uint32_t ProductKeyMac(ByteSpan mint_secret, KeyKind kind, std::uint16_t vendor_tag,
                            std::uint16_t item, std::uint32_t serial);

// A complete key with its MAC. The secret behind the MAC is chosen by kind:
// setup keys always use kSetupKeySecret (`mint_secret` is not used); host
// keys and MAKs use `mint_secret`, which must be kMinMintSecretSize to
// kMaxMintSecretSize bytes. Errors: kInvalidArgument for a field out of
// range or a secret of the wrong size.
Result<ProductKey> MintProductKey(ByteSpan mint_secret, KeyKind kind, std::uint16_t vendor_tag,
                                  std::uint16_t item, std::uint32_t serial);

// Whether `key` carries the MAC MintProductKey would give it (compared in
// constant time; secrets chosen by kind as there). Errors: kInvalidKey when
// the MAC does not match; kInvalidArgument for a secret of the wrong size
// when one is needed.
Status VerifyProductKeyMac(const ProductKey& key, ByteSpan mint_secret);

// The 12-byte big-endian form (the 91 bits right-aligned in 96), used inside
// installation IDs.
PackedProductKey PackProductKey(const ProductKey& key);
// The inverse of PackProductKey. Errors: kInvalidKey when the top five bits
// are set or the kind is 3.
Result<ProductKey> UnpackProductKey(ByteSpan packed);

// A stable identifier for a key, shown as the "host key ID": the first 8
// bytes of BLAKE2b-128("activa/product-key-id/v1" || 0x00 || packed key).
std::array<std::uint8_t, 8> ProductKeyId(const ProductKey& key);

}  // namespace activa

#endif  // ACTIVA_KEYS_PRODUCT_KEY_H_
