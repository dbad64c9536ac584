#include "offline/offline_activation.h"

#include <algorithm>

namespace activa {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

// Everything in the certificate except the vendor's key ID and signature.
HostCertificate UnsignedCertificate(const InstallationId& iid, std::uint16_t issue_day,
                                    std::uint16_t valid_days) {
  HostCertificate cert;
  cert.host_public_key = iid.host_public_key;
  cert.host_key_id = ProductKeyId(iid.host_key);
  cert.machine_tag = iid.machine_tag;
  cert.group_codes = {iid.host_key.item};
  // Whole days, because the confirmation ID carries the day only: the host
  // must arrive at the same bytes the vendor signed.
  cert.issued = static_cast<std::int64_t>(issue_day) * kSecondsPerDay;
  cert.not_after = (static_cast<std::int64_t>(issue_day) + valid_days) * kSecondsPerDay - 1;
  return cert;
}

}  // namespace

IssuedActivation IssueHostActivation(const InstallationId& iid, const SigningKey& vendor_key,
                                     std::int64_t now, int certificate_days) {
  auto day = static_cast<std::uint16_t>(now / kSecondsPerDay);
  auto days = static_cast<std::uint16_t>(std::clamp(certificate_days, 1, kMaxCertificateDays));
  IssuedActivation out;
  out.certificate = UnsignedCertificate(iid, day, days);
  SignCertificate(out.certificate, vendor_key);
  out.confirmation.issue_day = day;
  out.confirmation.valid_days = days;
  out.confirmation.signature = out.certificate.signature;
  return out;
}

Result<HostCertificate> CertificateFromConfirmation(const InstallationId& iid,
                                                    const ConfirmationId& cid,
                                                    const Catalog& catalog) {
  if (iid.host_key.kind != KeyKind::kHost) {
    return Status(ResultCode::kWrongKeyKind, "the installation ID does not hold a host key");
  }
  HostCertificate cert = UnsignedCertificate(iid, cid.issue_day, cid.valid_days);
  cert.signature = cid.signature;
  for (const PublicKey& key : catalog.vendor_keys) {
    cert.vendor_key_id = KeyIdOf(key);
    if (VerifyCertificate(cert, key)) return cert;
  }
  return Status(ResultCode::kBadSignature,
                "the confirmation ID was not issued for this installation ID by " +
                    catalog.vendor_name + "; check that it answers the ID that `slmgr /dti` shows");
}

}  // namespace activa
