// The vendor's revocation list (DESIGN.md section 3 point 6): what the
// vendor has withdrawn, signed by the vendor and numbered, so a machine
// keeps the newest it has seen and an older list never undoes a newer one.
//
// It names, for one vendor:
//   - host keys, by product key ID (keys.md section 2): every host
//     certificate issued for the key is withdrawn with it;
//   - host certificates, by the host public key they certify (a host whose
//     key pair was copied or stolen);
//   - MAKs, by product key ID.
//
// File (docs/revocation.md):
//   {"activa_revocations":1,
//    "body":"{\"format\":\"activa-revocations\",\"version\":1, ... }",
//    "signature":{"key_id":"HEX","signature":"BASE64"}}
// signed as Ed25519 over "activa/revocations/v1" || 0x00 || body, the exact
// bytes of the body string, so the signature can never be passed off as a
// catalog's or a certificate's.
//
// Parsing accepts untrusted text: every field is checked, and nothing of the
// body is returned unless the signature verifies under a trusted key.
// Pure: no files, no clock. Thread-compatible.
#ifndef ACTIVA_CATALOG_REVOCATION_LIST_H_
#define ACTIVA_CATALOG_REVOCATION_LIST_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/uuid.h"
#include "crypto/signing.h"

namespace activa {

inline constexpr std::string_view kRevocationListContext = "activa/revocations/v1";
inline constexpr std::string_view kRevocationFileSuffix = ".revocations";
// A list is small text; anything larger is not one of ours.
inline constexpr std::size_t kMaxRevocationEntries = 100000;

using ProductKeyIdBytes = std::array<std::uint8_t, 8>;

struct RevocationList {
  Uuid vendor_id{};
  std::uint64_t serial = 0;  // 1, 2, ...: a higher serial replaces a lower
  std::int64_t issued = 0;   // Unix seconds
  std::vector<ProductKeyIdBytes> host_keys;
  std::vector<PublicKey> host_certificates;  // host public keys
  std::vector<ProductKeyIdBytes> maks;
  // The key that signed it (set by LoadTrustedRevocationList).
  PublicKey signer{};

  // True when a host certificate for `host_public_key` under host key
  // `host_key_id` is withdrawn.
  bool RevokesHost(const PublicKey& host_public_key, const ProductKeyIdBytes& host_key_id) const;
  bool RevokesMak(const ProductKeyIdBytes& mak_id) const;
};

// The file's text, signed by `key`.
std::string SignRevocationList(const RevocationList& list, const SigningKey& key);

// Parses and verifies a revocation list file. Errors: kInvalidData (not a
// list, a field missing or malformed), kUnsupportedVersion, kBadSignature
// (no key of `trusted` signed these bytes).
Result<RevocationList> LoadTrustedRevocationList(std::string_view file_text,
                                                 const std::vector<PublicKey>& trusted);

}  // namespace activa

#endif  // ACTIVA_CATALOG_REVOCATION_LIST_H_
