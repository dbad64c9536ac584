// Host certificates (DESIGN.md section 3).
//
// When the vendor activates a host key for a host, it signs a certificate
// that binds the host's own Ed25519 public key to that host key and to the
// product groups the key may activate. Every activation response carries the
// certificate, so a client can check that the host answering it was
// activated by the vendor whose key is in the client's catalog.
//
// Binary layout (big-endian; docs/catalog.md "Host certificates"):
//   version u8 (=2) | vendor_key_id 8 | host_public_key 32 | host_key_id 8 |
//   machine_tag 8 | group_count u8 (1..16) | group_code u16 * group_count |
//   issued i64 | not_after i64 (Unix seconds) | signature 64
// The signature covers every byte before it, under the context
// "activa/host-certificate/v2". Version 1 had no not_after and is refused:
// a certificate that never ends cannot be withdrawn by letting it expire.
#ifndef ACTIVA_CERT_HOST_CERTIFICATE_H_
#define ACTIVA_CERT_HOST_CERTIFICATE_H_

#include <array>
#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/signing.h"

namespace activa {

inline constexpr std::string_view kHostCertificateContext = "activa/host-certificate/v2";
inline constexpr std::size_t kMaxCertificateGroups = 16;

using MachineTag = std::array<std::uint8_t, 8>;
using HostKeyId = std::array<std::uint8_t, 8>;

struct HostCertificate {
  KeyId vendor_key_id{};
  PublicKey host_public_key{};
  HostKeyId host_key_id{};
  MachineTag machine_tag{};
  std::vector<std::uint16_t> group_codes;
  std::int64_t issued = 0;
  // The last second the certificate is good for; a client refuses a
  // response under it from not_after + 1 on.
  std::int64_t not_after = 0;
  Signature signature{};

  bool Covers(std::uint16_t group_code) const;
};

// The bytes the signature covers.
Bytes CertificateSignedBytes(const HostCertificate& cert);
// Fills in vendor_key_id and signature.
void SignCertificate(HostCertificate& cert, const SigningKey& vendor_key);
Bytes EncodeCertificate(const HostCertificate& cert);
// Pure decoding; does not verify. kInvalidData (also for not_after before
// issued) / kUnsupportedVersion.
Result<HostCertificate> DecodeCertificate(ByteSpan bytes);
// True when `vendor_key` (whose ID must match the certificate's) signed it.
bool VerifyCertificate(const HostCertificate& cert, const PublicKey& vendor_key);

}  // namespace activa

#endif  // ACTIVA_CERT_HOST_CERTIFICATE_H_
