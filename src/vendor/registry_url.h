// Which key database a vendor uses, named by a URL (`--db`).
//
// "" is the default: the SQLite file VENDORDIR/vendor.db that `mint`,
// `confirm` and `revoke` use. "sqlite:PATH" or a plain PATH names another
// SQLite file. "postgresql://..." names a PostgreSQL database, which this
// build does not support yet (kInvalidArgument, saying so).
#ifndef ACTIVA_VENDOR_REGISTRY_URL_H_
#define ACTIVA_VENDOR_REGISTRY_URL_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "vendor/key_registry.h"

namespace activa {

// Opens (creating the SQLite file when `create`) and migrates the database.
// Errors name the URL or the file.
Result<std::unique_ptr<KeyRegistry>> OpenKeyRegistry(std::string_view database_url,
                                                     const std::string& vendor_dir, bool create);

}  // namespace activa

#endif  // ACTIVA_VENDOR_REGISTRY_URL_H_
