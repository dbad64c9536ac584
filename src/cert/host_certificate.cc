#include "cert/host_certificate.h"

#include <algorithm>

namespace activa {
namespace {
constexpr std::uint8_t kVersion = 2;
}  // namespace

bool HostCertificate::Covers(std::uint16_t group_code) const {
  return std::find(group_codes.begin(), group_codes.end(), group_code) != group_codes.end();
}

Bytes CertificateSignedBytes(const HostCertificate& cert) {
  ByteWriter w;
  w.U8(kVersion);
  w.Raw(cert.vendor_key_id);
  w.Raw(cert.host_public_key);
  w.Raw(cert.host_key_id);
  w.Raw(cert.machine_tag);
  w.U8(static_cast<std::uint8_t>(cert.group_codes.size()));
  for (std::uint16_t g : cert.group_codes) w.U16(g);
  w.I64(cert.issued);
  w.I64(cert.not_after);
  return w.Take();
}

void SignCertificate(HostCertificate& cert, const SigningKey& vendor_key) {
  cert.vendor_key_id = vendor_key.key_id();
  cert.signature = vendor_key.Sign(kHostCertificateContext, CertificateSignedBytes(cert));
}

Bytes EncodeCertificate(const HostCertificate& cert) {
  Bytes out = CertificateSignedBytes(cert);
  out.insert(out.end(), cert.signature.begin(), cert.signature.end());
  return out;
}

Result<HostCertificate> DecodeCertificate(ByteSpan bytes) {
  ByteReader r(bytes);
  HostCertificate cert;
  std::uint8_t version = r.U8();
  if (r.ok() && version != kVersion) {
    return Status(ResultCode::kUnsupportedVersion,
                  "host certificate: version " + std::to_string(version) + " is not supported");
  }
  r.Fixed(cert.vendor_key_id);
  r.Fixed(cert.host_public_key);
  r.Fixed(cert.host_key_id);
  r.Fixed(cert.machine_tag);
  std::uint8_t count = r.U8();
  if (r.ok() && (count == 0 || count > kMaxCertificateGroups)) {
    return Status(ResultCode::kInvalidData, "host certificate: " + std::to_string(count) +
                                                " product groups (allowed: 1 to 16)");
  }
  for (int i = 0; i < count && r.ok(); ++i) cert.group_codes.push_back(r.U16());
  cert.issued = r.I64();
  cert.not_after = r.I64();
  r.Fixed(cert.signature);
  if (!r.ok()) return Status(ResultCode::kInvalidData, "host certificate: truncated");
  if (cert.not_after < cert.issued) {
    return Status(ResultCode::kInvalidData, "host certificate: it ends before it was issued");
  }
  if (!r.AtEnd()) return Status(ResultCode::kInvalidData, "host certificate: trailing bytes");
  return cert;
}

bool VerifyCertificate(const HostCertificate& cert, const PublicKey& vendor_key) {
  if (KeyIdOf(vendor_key) != cert.vendor_key_id) return false;
  return Verify(vendor_key, kHostCertificateContext, CertificateSignedBytes(cert), cert.signature);
}

}  // namespace activa
