// Fuzz target for the catalog loader and the host-certificate decoder: the
// two decoders of signed objects that a client reads from files and from
// the network.
//
// Arbitrary bytes must never crash either. A catalog that loads must pass
// its own validation; a certificate that decodes must re-encode to the same
// bytes (the signature covers exactly those bytes).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/catalog.h"
#include "cert/host_certificate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  activa::Result<activa::Catalog> catalog = activa::LoadCatalog(text);
  if (catalog.ok() && !activa::ValidateCatalog(*catalog).ok()) std::abort();

  activa::ByteSpan bytes(data, size);
  activa::Result<activa::HostCertificate> cert = activa::DecodeCertificate(bytes);
  if (cert.ok()) {
    activa::Bytes again = activa::EncodeCertificate(*cert);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  }
  return 0;
}
