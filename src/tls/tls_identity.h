// A TLS server's identity in PEM files: a certificate and its private key,
// either given by the operator (a CA's) or, by default, a self-signed one
// made on first start. The clearinghouse (activa-vendor serve) and
// activad's management listener both use it.
//
// Two ways to name a certificate:
//  - the SPKI pin "sha256:<64 lower-case hex>", the SHA-256 of the DER
//    SubjectPublicKeyInfo, as HTTP public key pinning defined it: it
//    survives renewing the certificate over the same key (the catalogs'
//    clearinghouse_pins, docs/catalog.md);
//  - the fingerprint "SHA256:<base64, no padding>", the SHA-256 of the
//    whole DER certificate, written as OpenSSH writes key fingerprints:
//    what slmgr pins in known_hosts and /dlv shows (docs/remote.md).
#ifndef ACTIVA_TLS_TLS_IDENTITY_H_
#define ACTIVA_TLS_TLS_IDENTITY_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace activa::tls {

struct SelfSignedOptions {
  std::string common_name;  // "Activa clearinghouse"
  // subjectAltName entries in OpenSSL's notation ("DNS:localhost",
  // "IP:::1"); pinning clients do not check them.
  std::vector<std::string> alt_names = {"DNS:localhost", "IP:127.0.0.1", "IP:::1"};
  // Said when only one of the two files exists: how else to give an
  // identity ("pass --tls-cert and --tls-key").
  std::string remedy;
};

// Creates a self-signed certificate (ECDSA P-256, valid for 10 years) at
// `cert_path` (0644) and its key at `key_path` (0600, written first) unless
// both files exist. Refuses when only one of them exists: a lone key or
// certificate is someone's mistake to look at, not to overwrite.
Status EnsureSelfSignedIdentity(const std::string& cert_path, const std::string& key_path,
                                const SelfSignedOptions& options);

// "sha256:<64 hex>" of the first certificate in the PEM file at `path`.
Result<std::string> SpkiPinOfCertificateFile(const std::string& path);

// True for a well-formed pin ("sha256:" and 64 lower-case hex digits).
bool IsWellFormedSpkiPin(const std::string& pin);

// "SHA256:<43 base64 characters>" of DER certificate bytes.
std::string CertificateFingerprint(ByteSpan der);
// The same for the first certificate in the PEM file at `path`;
// kInvalidData naming the file when it holds none.
Result<std::string> CertificateFingerprintOfFile(const std::string& path);

}  // namespace activa::tls

#endif  // ACTIVA_TLS_TLS_IDENTITY_H_
