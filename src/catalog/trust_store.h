// The vendors this machine trusts (DESIGN.md section 3 point 4): one trust
// file per vendor in a folder that only root may change
// (/etc/activa/trusted-vendors.d, installed by the vendor's package), each
// pinning the vendor's public key:
//
//   activa-trusted-vendor-v1 BASE64(32-byte Ed25519 public key) VENDOR NAME
//
// A catalog is trusted only when one of these keys signed it; a catalog's
// own list of keys never vouches for the catalog. The folder and each file
// must be owned by root (or by the user the daemon runs as) and writable by
// no one else, or they are refused: otherwise any local user could widen
// what the daemon trusts.
#ifndef ACTIVA_CATALOG_TRUST_STORE_H_
#define ACTIVA_CATALOG_TRUST_STORE_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/system.h"
#include "crypto/signing.h"

namespace activa {

inline constexpr std::string_view kDefaultTrustDir = "/etc/activa/trusted-vendors.d";
inline constexpr std::string_view kTrustFileSuffix = ".trust";

struct TrustedVendor {
  PublicKey key{};
  std::string name;
  std::string file;  // where it was pinned, for messages
};

// The text of a trust file for `key`.
std::string FormatTrustFile(const PublicKey& key, std::string_view vendor_name);
// One trust file's text; kInvalidData naming `file` when it is not one.
Result<TrustedVendor> ParseTrustFile(std::string_view text, const std::string& file);

// Every `*.trust` file in `dir`. A file or folder that others may write, or
// that someone else owns, is refused and described in `problems` (one line
// each), as is a file that does not parse; the rest still load. A missing
// folder trusts nobody (also a problem line).
std::vector<TrustedVendor> LoadTrustedVendors(System& system, const std::string& dir,
                                              std::vector<std::string>* problems);

}  // namespace activa

#endif  // ACTIVA_CATALOG_TRUST_STORE_H_
