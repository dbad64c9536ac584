#include "testing/example_vendor.h"

#include <ctime>
#include <string>

#include "base/file_util.h"

namespace activa::testing {

Result<Vendor> MakeExampleVendor(const std::filesystem::path& dir, std::string_view catalog_file) {
  ACTIVA_RETURN_IF_ERROR(Vendor::Init(dir / "vendor", "Example"));
  Result<Vendor> vendor = Vendor::Open(dir / "vendor");
  if (!vendor.ok()) return vendor.status();
  Result<std::string> catalog = vendor->SignedCatalog(::time(nullptr));
  if (!catalog.ok()) return catalog.status();
  std::error_code ec;
  std::filesystem::create_directories(dir / "catalogs", ec);
  if (ec) return Status(ResultCode::kStorage, (dir / "catalogs").string() + ": " + ec.message());
  ACTIVA_RETURN_IF_ERROR(WriteFileAtomic(dir / "catalogs" / catalog_file, *catalog, 0644, true));
  return vendor;
}

}  // namespace activa::testing
