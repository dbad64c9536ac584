// Offline host activation: installation ID in, confirmation ID out.
//
// The host shows an installation ID (its machine tag, its public key and its
// host key); the vendor checks the key, signs a host certificate, and returns
// only what the host cannot know itself: the day of issue and the vendor's
// signature. The host rebuilds the certificate from its own installation ID,
// the confirmation ID and its catalog, and keeps it only if the signature
// verifies. Pure logic: no files, no clock (callers pass the time).
#ifndef ACTIVA_OFFLINE_OFFLINE_ACTIVATION_H_
#define ACTIVA_OFFLINE_OFFLINE_ACTIVATION_H_

#include <cstdint>

#include "base/status.h"
#include "catalog/catalog.h"
#include "cert/host_certificate.h"
#include "crypto/signing.h"
#include "keys/activation_codes.h"

namespace activa {

struct IssuedActivation {
  HostCertificate certificate;
  ConfirmationId confirmation;
};

inline constexpr int kDefaultCertificateDays = 365;
inline constexpr int kMaxCertificateDays = 3650;

// The certificate the vendor signs for `iid`, dated on the UTC day of `now`
// and good for `certificate_days` (1..kMaxCertificateDays) from that day:
// its not-after is the last second before day + certificate_days. The caller
// has already checked the host key (kind, MAC, limits).
IssuedActivation IssueHostActivation(const InstallationId& iid, const SigningKey& vendor_key,
                                     std::int64_t now, int certificate_days);

// The host's side: rebuilds and verifies the certificate. kBadSignature when
// the confirmation ID was issued for another installation ID (or not by a
// vendor key in `catalog`); kWrongKeyKind when iid holds no host key.
Result<HostCertificate> CertificateFromConfirmation(const InstallationId& iid,
                                                    const ConfirmationId& cid,
                                                    const Catalog& catalog);

}  // namespace activa

#endif  // ACTIVA_OFFLINE_OFFLINE_ACTIVATION_H_
