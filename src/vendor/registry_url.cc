#include "vendor/registry_url.h"

#include "vendor/sqlite_key_registry.h"

namespace activa {

Result<std::unique_ptr<KeyRegistry>> OpenKeyRegistry(std::string_view database_url,
                                                     const std::string& vendor_dir, bool create) {
  std::string path;
  if (database_url.empty()) {
    path = vendor_dir + "/vendor.db";
  } else if (database_url.starts_with("postgresql://") || database_url.starts_with("postgres://")) {
    return Status(ResultCode::kInvalidArgument,
                  "--db " + std::string(database_url) +
                      ": postgresql support is not built in; use the default SQLite database");
  } else if (database_url.starts_with("sqlite:")) {
    path = std::string(database_url.substr(7));
  } else if (database_url.find("://") != std::string_view::npos) {
    return Status(ResultCode::kInvalidArgument,
                  "--db " + std::string(database_url) +
                      ": unknown database URL (give an SQLite file path or sqlite:PATH)");
  } else {
    path = std::string(database_url);
  }
  if (path.empty()) {
    return Status(ResultCode::kInvalidArgument, "--db names no SQLite file");
  }
  Result<SqliteKeyRegistry> db = SqliteKeyRegistry::Open(path, create);
  if (!db.ok()) return db.status();
  return std::unique_ptr<KeyRegistry>(std::make_unique<SqliteKeyRegistry>(std::move(db).value()));
}

}  // namespace activa
