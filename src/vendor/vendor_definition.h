// vendor.toml: the vendor's own definition of what it sells.
//
// `activa-vendor init` writes a working example; the vendor edits it and
// `activa-vendor catalog` turns it into the signed catalog. The file names
// things by name (an edition names its application, a group its editions);
// the catalog carries IDs.
#ifndef ACTIVA_VENDOR_VENDOR_DEFINITION_H_
#define ACTIVA_VENDOR_VENDOR_DEFINITION_H_

#include <string>
#include <string_view>

#include "base/status.h"
#include "catalog/catalog.h"

namespace activa {

// Parses vendor.toml text into a catalog without keys and setup keys.
// Unknown keys, missing keys and bad values are kInvalidData naming the key
// and line ("vendor.toml:12: edition \"Pro\": unknown key \"treshold\"").
Result<Catalog> ParseVendorDefinition(std::string_view toml_text, std::string_view file_name);

// The example definition `init` writes, with fresh random IDs.
std::string VendorDefinitionTemplate(std::string_view vendor_name);

}  // namespace activa

#endif  // ACTIVA_VENDOR_VENDOR_DEFINITION_H_
