// The clearinghouse's TLS identity: a certificate and its private key in
// PEM files, either given by the vendor (a CA's) or, by default, a
// self-signed one that `serve` creates on first start in VENDORDIR.
//
// The pin that catalogs carry (vendor.clearinghouse_pins, docs/catalog.md)
// is "sha256:" and the lower-case hex SHA-256 of the certificate's DER
// SubjectPublicKeyInfo, as HTTP public key pinning defined it: it survives
// renewing the certificate with the same key.
#ifndef ACTIVA_CLEARINGHOUSE_TLS_IDENTITY_H_
#define ACTIVA_CLEARINGHOUSE_TLS_IDENTITY_H_

#include <string>

#include "base/status.h"

namespace activa {

// VENDORDIR/clearinghouse.crt and VENDORDIR/clearinghouse.key.
std::string SelfSignedCertificatePath(const std::string& vendor_dir);
std::string SelfSignedKeyPath(const std::string& vendor_dir);

// Creates the self-signed certificate (ECDSA P-256, valid for 10 years,
// for the names "localhost", 127.0.0.1 and ::1; hosts check the pin, not
// the names) and its key (mode 0600) unless both files exist. Refuses when
// only one of them exists: a lone key or certificate is someone's mistake
// to look at, not to overwrite.
Status EnsureSelfSignedIdentity(const std::string& vendor_dir);

// "sha256:<64 hex>" of the first certificate in the PEM file at `path`.
Result<std::string> SpkiPinOfCertificateFile(const std::string& path);

// True for a well-formed pin ("sha256:" and 64 lower-case hex digits).
bool IsWellFormedSpkiPin(const std::string& pin);

}  // namespace activa

#endif  // ACTIVA_CLEARINGHOUSE_TLS_IDENTITY_H_
