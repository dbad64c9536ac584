// What libactiva believes of activad's `status` answer (DESIGN.md section 3,
// point 5): a licensed state only when the proof that comes with it
// verifies under the product's own vendor key, for this machine and this
// edition; the days left from the signed validity end and the product's own
// clock, never from activad's numbers.
//
// Pure: the reply, the key and the time in, the judged state out.
#ifndef ACTIVA_CAPI_LICENSE_CHECK_H_
#define ACTIVA_CAPI_LICENSE_CHECK_H_

#include <cstdint>

#include "base/uuid.h"
#include "capi/status_message.h"
#include "crypto/signing.h"

namespace activa::capi {

// Judges `status` (as ParseStatusReply gave it) for edition `sku` of
// application `application_id`, with `vendor_key` the key the product
// holds and `now` the product's clock (Unix seconds). Sets
// status.verification:
//   kOk                 licensed, and the proof verifies: `minutes_left`
//                       now counts from the later of `now` and the host's
//                       signed time to the signed validity end; or a state
//                       that grants nothing (unlicensed, notification),
//                       which needs no proof;
//   kGraceUnverified    a grace state: it has no proof by nature, so state
//                       and minutes stay activad's word;
//   anything else       activad said licensed and the proof does not bear
//                       it out; the state becomes unlicensed with 0 minutes.
//                       kProofMissing (no proof), kBadSignature (the catalog
//                       or the chain does not verify under `vendor_key`, or
//                       a field was altered), kOtherMachine (the proof names
//                       another CMID than the reply's), kEditionNotCovered
//                       (the vendor's catalog lists no such edition of this
//                       application, or the host's key does not cover it),
//                       kThresholdMismatch, kClockSkew (the proof is dated in
//                       the future: the clock was set back), kProofExpired,
//                       kInvalidData, kUnsupportedVersion.
// A MAK activation's proof (installation and confirmation IDs instead of a
// response) must be signed by the catalog's vendor over the machine tag of
// the reply's CMID (else kOtherMachine) and this edition
// (kEditionNotCovered; kBadSignature for a forged or altered one); it
// never expires, so `minutes_left` is 0.
// `verification_text` says which, for activa_last_error_message.
// InitCrypto() must have been called.
void JudgeStatus(LicenseStatus& status, const PublicKey& vendor_key, const Uuid& application_id,
                 const Uuid& sku, std::int64_t now);

}  // namespace activa::capi

#endif  // ACTIVA_CAPI_LICENSE_CHECK_H_
