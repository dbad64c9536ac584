// The clearinghouse's TLS identity: a certificate and its private key in
// PEM files, either given by the vendor (a CA's) or, by default, a
// self-signed one that `serve` creates on first start in VENDORDIR
// (tls/tls_identity.h does the work).
//
// The pin that catalogs carry (vendor.clearinghouse_pins, docs/catalog.md)
// is tls::SpkiPinOfCertificateFile's: it survives renewing the certificate
// with the same key.
#ifndef ACTIVA_CLEARINGHOUSE_TLS_IDENTITY_H_
#define ACTIVA_CLEARINGHOUSE_TLS_IDENTITY_H_

#include <string>

#include "base/status.h"
#include "tls/tls_identity.h"

namespace activa {

// VENDORDIR/clearinghouse.crt and VENDORDIR/clearinghouse.key.
std::string SelfSignedCertificatePath(const std::string& vendor_dir);
std::string SelfSignedKeyPath(const std::string& vendor_dir);

// tls::EnsureSelfSignedIdentity for the clearinghouse ("Activa
// clearinghouse", for localhost, 127.0.0.1 and ::1; hosts check the pin,
// not the names).
Status EnsureSelfSignedIdentity(const std::string& vendor_dir);

using tls::IsWellFormedSpkiPin;
using tls::SpkiPinOfCertificateFile;

}  // namespace activa

#endif  // ACTIVA_CLEARINGHOUSE_TLS_IDENTITY_H_
