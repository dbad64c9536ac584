#include "vendor/registry_url.h"

#include "vendor/pg_key_registry.h"
#include "vendor/sqlite_key_registry.h"

namespace activa {

Result<std::unique_ptr<KeyRegistry>> OpenKeyRegistry(std::string_view database_url,
                                                     const std::string& vendor_dir,
                                                     std::string_view vendor_id, bool create) {
  std::string path;
  if (database_url.empty()) {
    path = vendor_dir + "/vendor.db";
  } else if (IsPostgresUrl(database_url)) {
    Result<std::unique_ptr<PgKeyRegistry>> pg =
        PgKeyRegistry::Open(std::string(database_url), vendor_id);
    if (!pg.ok()) return pg.status();
    return std::unique_ptr<KeyRegistry>(std::move(pg).value());
  } else if (database_url.starts_with("sqlite:")) {
    path = std::string(database_url.substr(7));
  } else if (database_url.find("://") != std::string_view::npos) {
    return Status(ResultCode::kInvalidArgument,
                  "--db " + RedactDatabaseUrl(database_url) +
                      ": unknown database URL (give postgresql://user@host:port/db, an SQLite "
                      "file path or sqlite:PATH)");
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
