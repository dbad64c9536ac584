// Which key database a vendor uses, named by a URL (`--db`).
//
// "" is the default: the SQLite file VENDORDIR/vendor.db that `mint`,
// `confirm` and `revoke` use. "sqlite:PATH" or a plain PATH names another
// SQLite file. "postgresql://..." (or "postgres://") names a PostgreSQL
// database (PgKeyRegistry, vendor/pg_key_registry.h).
#ifndef ACTIVA_VENDOR_REGISTRY_URL_H_
#define ACTIVA_VENDOR_REGISTRY_URL_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "vendor/key_registry.h"

namespace activa {

// Opens (creating the SQLite file when `create`; a PostgreSQL database
// gets its tables whenever it has none) and migrates the database of the
// vendor `vendor_id` (a PostgreSQL ledger refuses another vendor's ID).
// Errors name the URL (without its password) or the file.
Result<std::unique_ptr<KeyRegistry>> OpenKeyRegistry(std::string_view database_url,
                                                     const std::string& vendor_dir,
                                                     std::string_view vendor_id, bool create);

}  // namespace activa

#endif  // ACTIVA_VENDOR_REGISTRY_URL_H_
