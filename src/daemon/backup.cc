#include "daemon/backup.h"

#include <filesystem>

#include "storage/sqlite.h"

namespace activa {

Status BackupState(const std::string& state_dir, const std::string& to) {
  const std::string db_path = state_dir + "/activad.db";
  if (to.empty()) return Status(ResultCode::kInvalidArgument, "--backup needs a file name");
  std::error_code ec;
  for (const std::string& own : {db_path, db_path + "-wal", db_path + "-shm"}) {
    if (std::filesystem::exists(to, ec) && std::filesystem::equivalent(to, own, ec)) {
      return Status(ResultCode::kInvalidArgument,
                    to + ": the backup must go to a file of its own, not the state database");
    }
  }
  Result<Database> db = Database::Open(db_path, /*create=*/false);
  if (!db.ok()) return db.status();
  return db->BackupTo(to);
}

}  // namespace activa
