#include "daemon/state_check.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace activa {

namespace {

struct FileState {
  bool exists = false;
  off_t size = 0;
};

Result<FileState> Look(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return FileState{};
    return Status(ResultCode::kStorage, path + ": " + std::strerror(errno));
  }
  return FileState{true, st.st_size};
}

}  // namespace

std::string RestoreAdvice(const std::string& state_dir) {
  return "restore the state folder's files from a backup (activad --backup; see "
         "docs/reliability.md), or, to start this machine as a new one, losing its CMID, "
         "host key and client records, move every file out of " +
         state_dir;
}

Status CheckStateFiles(const std::string& state_dir) {
  const std::string db_path = state_dir + "/activad.db";
  const std::string wal_path = db_path + "-wal";
  const std::string key_path = state_dir + "/host.key";
  Result<FileState> db = Look(db_path);
  if (!db.ok()) return db.status();
  Result<FileState> wal = Look(wal_path);
  if (!wal.ok()) return wal.status();
  Result<FileState> key = Look(key_path);
  if (!key.ok()) return key.status();

  if (db->exists && db->size == 0) {
    return Status(ResultCode::kStorage,
                  db_path +
                      ": the state database is empty (0 bytes): it was truncated or zeroed, "
                      "and starting over it would give this machine a new identity; " +
                      RestoreAdvice(state_dir));
  }
  if (!db->exists && key->exists) {
    return Status(ResultCode::kStorage,
                  db_path + ": the state database is missing beside " + key_path +
                      ", so the host's key, certificate and client records are gone; " +
                      RestoreAdvice(state_dir));
  }
  if (!db->exists && wal->exists && wal->size > 0) {
    return Status(ResultCode::kStorage,
                  db_path + ": the state database is missing but its write-ahead log " + wal_path +
                      " is there: the two are one state; " + RestoreAdvice(state_dir));
  }
  return Status::Ok();
}

}  // namespace activa
