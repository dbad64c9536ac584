// The vendor most daemon tests start from: `activa-vendor init`'s example
// ("Example", its default applications and editions) in DIR/vendor, and its
// signed catalog written to DIR/catalogs/CATALOG_FILE for the daemons'
// catalog folder.
#ifndef ACTIVA_TESTS_TESTING_EXAMPLE_VENDOR_H_
#define ACTIVA_TESTS_TESTING_EXAMPLE_VENDOR_H_

#include <filesystem>
#include <string_view>

#include "base/status.h"
#include "vendor/vendor.h"

namespace activa::testing {

Result<Vendor> MakeExampleVendor(const std::filesystem::path& dir,
                                 std::string_view catalog_file = "example.json");

}  // namespace activa::testing

#endif  // ACTIVA_TESTS_TESTING_EXAMPLE_VENDOR_H_
