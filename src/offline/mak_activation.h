// MAK activation: a machine activated once by the vendor, for good.
//
// A MAK client shows an installation ID (keys/activation_codes.h) like a
// host's: its machine tag, its own Ed25519 public key, and the MAK in place
// of a host key. The vendor checks the MAK and its count, and signs a MAK
// activation record: which vendor, which machine (tag and public key),
// which edition, which MAK, and the day. The confirmation ID carries the
// day and the signature, with valid_days kMakValidDays ("never expires");
// the machine rebuilds the record from its own installation ID, the
// confirmation ID and its catalog, and keeps it only if the signature
// verifies. A product (libactiva) checks the same record against the
// vendor key compiled into it, this machine's CMID and its edition.
//
// Signed bytes (big-endian), under the context kMakActivationContext:
//   vendor_id (16) || machine_tag (8) || machine_public_key (32)
//   || edition_id (16) || mak_key_id (8) || issue_day (u16)
// docs/keys.md "MAK activations" has the format. Pure logic: no files, no
// clock (callers pass the time); thread-compatible.
#ifndef ACTIVA_OFFLINE_MAK_ACTIVATION_H_
#define ACTIVA_OFFLINE_MAK_ACTIVATION_H_

#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "base/uuid.h"
#include "catalog/catalog.h"
#include "cert/host_certificate.h"
#include "crypto/signing.h"
#include "keys/activation_codes.h"

namespace activa {

inline constexpr std::string_view kMakActivationContext = "activa/mak-activation/v1";
// The confirmation ID's valid_days of a MAK activation: it never expires.
inline constexpr std::uint16_t kMakValidDays = 65535;

struct MakActivation {
  Uuid vendor_id{};
  MachineTag machine_tag{};
  PublicKey machine_public_key{};
  Uuid edition_id{};
  HostKeyId mak_key_id{};       // ProductKeyId() of the MAK
  std::uint16_t issue_day = 0;  // days since 1970-01-01, UTC
  Signature signature{};

  friend bool operator==(const MakActivation&, const MakActivation&) = default;
};

// The machine tag a machine shows in its installation IDs: the first 8
// bytes of BLAKE2b-128 of its CMID. A product recomputes it from the CMID
// activad reports, so a MAK activation is bound to that CMID; /generalize
// (a new CMID) leaves it behind, as an image's activation must be.
MachineTag MachineTagOf(const Uuid& cmid);

// The bytes the signature covers.
Bytes MakActivationSignedBytes(const MakActivation& activation);

// The vendor's side: the confirmation ID for `iid` (whose host_key must be
// a MAK of edition `edition_id`, checked by the caller with its count),
// dated on the UTC day of `now`, valid_days kMakValidDays.
ConfirmationId IssueMakActivation(const InstallationId& iid, const Uuid& vendor_id,
                                  const Uuid& edition_id, const SigningKey& vendor_key,
                                  std::int64_t now);

// The machine's side: rebuilds the record from its own `iid`, the `cid` it
// was given and its `catalog`, and verifies it under the catalog's vendor
// keys. Errors: kWrongKeyKind when iid holds no MAK; kInvalidKey when the
// MAK's edition is not in the catalog; kBadSignature when the confirmation
// ID was issued for another installation ID (another machine, another
// MAK or edition) or not by this vendor, or is a host's (valid_days).
Result<MakActivation> MakActivationFromConfirmation(const InstallationId& iid,
                                                    const ConfirmationId& cid,
                                                    const Catalog& catalog);

// True when `vendor_key` signed `activation`.
bool VerifyMakActivation(const MakActivation& activation, const PublicKey& vendor_key);

}  // namespace activa

#endif  // ACTIVA_OFFLINE_MAK_ACTIVATION_H_
