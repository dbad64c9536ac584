// Offline activation codes, exchanged by phone or on paper when a host
// cannot reach its vendor.
//
// The host shows an installation ID (`slmgr /dti`); the vendor answers with
// a confirmation ID, which the host's operator types back in. Both are
// grouped base-24 text (base24.h) carrying a small binary payload:
//
//   installation ID: version (1) = 1 || machine_tag (8) || host public key (32)
//                    || packed host key (12) || checksum (2)
//                    = 55 bytes -> 96 digits -> 24 groups (120 characters)
//   confirmation ID: version (1) = 3 || issue_day (2) || valid_days (2)
//                    || signature (64)
//                    = 69 bytes, below 2^550 -> 120 digits -> 30 groups
//                    (150 characters)
//
// The installation ID's checksum is the first 2 bytes of
// BLAKE2b-128("activa/installation-id/v1" || 0x00 || the payload before
// it). The per-group check characters catch typing errors and say where
// they are; the checksum catches what they cannot (several errors in one
// group) before the vendor signs for a mistyped key. A confirmation ID has
// no checksum: the signature, checked against the host's own installation
// ID, catches what the group checks cannot. What the signature covers is
// up to the vendor component; here it is 64 bytes. Each code is as short as
// its contents allow (docs/keys.md, section 3.4).
//
// docs/keys.md has the exact format and test vectors. Everything here is
// pure and thread-compatible; parsing accepts untrusted text.
#ifndef ACTIVA_KEYS_ACTIVATION_CODES_H_
#define ACTIVA_KEYS_ACTIVATION_CODES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/signing.h"
#include "keys/product_key.h"

namespace activa {

inline constexpr std::size_t kInstallationIdGroups = 24;
inline constexpr std::size_t kConfirmationIdGroups = 30;

struct InstallationId {
  std::array<std::uint8_t, 8> machine_tag{};
  PublicKey host_public_key{};
  // Any kind of valid key; whether it must be a host key is the caller's
  // policy.
  ProductKey host_key;

  friend bool operator==(const InstallationId&, const InstallationId&) = default;
};

struct ConfirmationId {
  std::uint16_t issue_day = 0;  // days since 1970-01-01, UTC
  // The certificate ends valid_days after the issue day (its not-after is
  // the first second of day issue_day + valid_days, minus one); 1..65535.
  std::uint16_t valid_days = 0;
  Signature signature{};

  friend bool operator==(const ConfirmationId&, const ConfirmationId&) = default;
};

// Upper-case groups joined by dashes. Requires a valid host_key
// (ValidateProductKey); aborts otherwise.
std::string FormatInstallationId(const InstallationId& id);

// Parses an installation ID as a person typed or pasted it (any case, dashes
// optional, surrounding whitespace ignored). Errors:
//   kInvalidData: wrong length, a bad character or a typing error (the
//     message names the group), a number out of range, a checksum mismatch,
//     or a product key inside that is not valid;
//   kUnsupportedVersion: a version other than 1.
Result<InstallationId> ParseInstallationId(std::string_view text);

std::string FormatConfirmationId(const ConfirmationId& id);

// As ParseInstallationId, for confirmation IDs (version 3; versions 1 and 2,
// 31 groups long, are refused by their length; valid_days 0 is
// kInvalidData). The signature is not verified here.
Result<ConfirmationId> ParseConfirmationId(std::string_view text);

}  // namespace activa

#endif  // ACTIVA_KEYS_ACTIVATION_CODES_H_
