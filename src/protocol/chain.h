// The client's check of an activation response (DESIGN.md section 3).
//
// A client believes a response only when all of this holds:
//   1. it answers the request that was sent: same CMID, nonce and edition;
//   2. the host certificate inside it was signed by a vendor key listed in
//      the client's catalog;
//   3. the certificate's product groups cover the client's edition;
//   4. the response is signed by the host key the certificate names;
//   5. the threshold the host applied is the edition's in the client's
//      catalog and the request's required count (DESIGN.md section 3,
//      point 7); a refusal may say 0, "no threshold applied";
//   6. the times are sane: the host's clock within 4 hours of the client's,
//      a validity end after the host time and at most 180 days past it, a
//      certificate not issued in the future and not past its not-after.
// Pure logic; the caller passes its clock reading.
#ifndef ACTIVA_PROTOCOL_CHAIN_H_
#define ACTIVA_PROTOCOL_CHAIN_H_

#include <cstdint>

#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/revocation_list.h"
#include "cert/host_certificate.h"
#include "protocol/codec.h"

namespace activa {

inline constexpr std::int64_t kMaxClockSkewSeconds = 4 * 3600;
inline constexpr std::int64_t kValidityDays = 180;

// Returns the host's certificate when the response may be believed.
// Failures: kBadSignature (not for this request, certificate or response
// signature does not verify), kEditionNotCovered, kThresholdMismatch,
// kClockSkew, kKeyRevoked (`revocations`, the newest list this machine
// holds for the catalog's vendor, withdraws the certificate's host key or
// host public key), kCertificateExpired (the client's clock is past the
// certificate's not_after), kInvalidData
// (impossible times or an undecodable certificate). The response's own
// result code is not judged here: a verified refusal is still a refusal.
Result<HostCertificate> VerifyResponseChain(const ActivationResponse& response,
                                            const ActivationRequest& request,
                                            const Catalog& catalog, std::int64_t now,
                                            const RevocationList* revocations = nullptr);

// The check a product makes of a proof (DESIGN.md section 3, point 5): a
// response activad verified and kept, checked again by libactiva, which
// never saw the request and so cannot check its nonce. What it can check:
// the response is a success for edition `sku` of machine `cmid`, points 2
// to 4 above, the threshold is the edition's in `catalog`, and the times:
// the validity end is at most 180 days past the host time, and neither the
// host time nor the certificate's issue lies in `now`'s future (beyond the
// skew). An old proof is fine while it lasts; whether it has lasted is the
// caller's to judge from `validity_end` (one that ended is not an error
// here, so the caller can say so).
// Failures as above, and kOtherMachine for another CMID, kNotFound for a
// response that is not a success (nothing to prove).
Result<HostCertificate> VerifyResponseProof(const ActivationResponse& response, const Uuid& cmid,
                                            const Uuid& sku, const Catalog& catalog,
                                            std::int64_t now);

}  // namespace activa

#endif  // ACTIVA_PROTOCOL_CHAIN_H_
