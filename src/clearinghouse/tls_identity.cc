#include "clearinghouse/tls_identity.h"

namespace activa {

std::string SelfSignedCertificatePath(const std::string& vendor_dir) {
  return vendor_dir + "/clearinghouse.crt";
}
std::string SelfSignedKeyPath(const std::string& vendor_dir) {
  return vendor_dir + "/clearinghouse.key";
}

Status EnsureSelfSignedIdentity(const std::string& vendor_dir) {
  tls::SelfSignedOptions options;
  options.common_name = "Activa clearinghouse";
  options.remedy = "pass --tls-cert and --tls-key";
  return tls::EnsureSelfSignedIdentity(SelfSignedCertificatePath(vendor_dir),
                                       SelfSignedKeyPath(vendor_dir), options);
}

}  // namespace activa
