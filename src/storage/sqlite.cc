#include "storage/sqlite.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

namespace activa {
namespace {

int HexDigit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// unhex(X) as SQLite 3.41 defines it, for the SQLite before it (Debian 12
// has 3.40): X's hex digits (either case) as a BLOB; NULL when X is NULL,
// has an odd number of digits, or anything but digits.
void Unhex(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  const unsigned char* text = sqlite3_value_text(argv[0]);
  const int n = sqlite3_value_bytes(argv[0]);
  if (text == nullptr || n % 2 != 0) return sqlite3_result_null(ctx);
  std::string out(static_cast<std::size_t>(n / 2), '\0');
  for (int i = 0; i < n; i += 2) {
    const int hi = HexDigit(text[i]), lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return sqlite3_result_null(ctx);
    out[static_cast<std::size_t>(i / 2)] = static_cast<char>(hi << 4 | lo);
  }
  sqlite3_result_blob(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}

}  // namespace

Result<Database> Database::Open(const std::string& path, bool create) {
  if (!create && ::access(path.c_str(), F_OK) != 0) {
    return Status(ResultCode::kFileNotFound, path + ": no such database");
  }
  sqlite3* raw = nullptr;
  // NOFOLLOW: a link where the database should be is refused, never
  // followed to a file someone else chose.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW |
              (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw, path);
  if (rc != SQLITE_OK) {
    ResultCode code = rc == SQLITE_CANTOPEN && ::access(path.c_str(), F_OK) == 0
                          ? ResultCode::kAccessDenied
                          : ResultCode::kStorage;
    return Status(code, path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(raw, 10000);
  // Migrations turn UUIDs' text into their bytes with unhex().
  if (sqlite3_libversion_number() < 3041000 &&
      sqlite3_create_function(raw, "unhex", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, Unhex,
                              nullptr, nullptr) != SQLITE_OK) {
    return db.Error("define unhex()");
  }
  // WAL lets readers run beside one writer; NORMAL sync in WAL mode still
  // never corrupts, and FULL is asked for where a commit must be durable.
  ACTIVA_RETURN_IF_ERROR(
      db.Exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
              "PRAGMA synchronous=FULL;"));
  return db;
}

Database::Database(Database&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)),
      path_(std::move(o.path_)),
      commit_hook_(std::move(o.commit_hook_)) {}

Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
    commit_hook_ = std::move(o.commit_hook_);
  }
  return *this;
}

Database::~Database() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Database::Error(std::string_view what) const {
  return Status(ResultCode::kStorage,
                path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

Status Database::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    return Status(ResultCode::kStorage, path_ + ": " + msg);
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return Error("prepare");
  }
  return Statement(stmt, this);
}

namespace {

// PRAGMA quick_check on `db`: OK, or kStorage naming `path` and SQLite's
// first findings.
Status QuickCheckOf(sqlite3* db, const std::string& path) {
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA quick_check(10)", -1, &q, nullptr) != SQLITE_OK) {
    return Status(ResultCode::kStorage, path + ": quick_check: " + sqlite3_errmsg(db));
  }
  std::string findings;
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(q, 0);
    std::string line = text ? reinterpret_cast<const char*>(text) : "";
    if (line != "ok") findings += (findings.empty() ? "" : "; ") + line;
  }
  if (rc != SQLITE_DONE)
    findings += (findings.empty() ? "" : "; ") + std::string(sqlite3_errmsg(db));
  sqlite3_finalize(q);
  if (findings.empty()) return Status::Ok();
  return Status(ResultCode::kStorage, path + ": damaged (SQLite quick_check: " + findings + ")");
}

}  // namespace

Status Database::QuickCheck() { return QuickCheckOf(db_, path_); }

Status Database::BackupTo(const std::string& to) {
  const std::string tmp = to + ".partial";
  ::unlink(tmp.c_str());
  // Created owner-only before SQLite opens it: the copy holds every client
  // record and the host's settings.
  int fd = ::open(tmp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status(ResultCode::kStorage, tmp + ": " + std::strerror(errno));
  ::close(fd);
  sqlite3* dest = nullptr;
  int rc =
      sqlite3_open_v2(tmp.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr);
  auto fail = [&](std::string why) {
    if (dest != nullptr) sqlite3_close_v2(dest);
    ::unlink(tmp.c_str());
    return Status(ResultCode::kStorage, to + ": " + why);
  };
  if (rc != SQLITE_OK) return fail(dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
  sqlite3_backup* b = sqlite3_backup_init(dest, "main", db_, "main");
  if (b == nullptr) return fail(sqlite3_errmsg(dest));
  // -1: every page in one step, so one read transaction sees one state. In
  // steps, another connection's commit between them would restart the copy
  // (or, with a busy writer, never let it finish).
  for (;;) {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(50);
  }
  int finish = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return fail(sqlite3_errstr(rc));
  if (finish != SQLITE_OK) return fail(sqlite3_errmsg(dest));
  // The copy is a plain rollback-journal database (no -wal beside it), so
  // it is one file to carry; its pages are on disk before it is renamed.
  char* err = nullptr;
  if (sqlite3_exec(dest, "PRAGMA journal_mode=DELETE", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "journal_mode";
    sqlite3_free(err);
    return fail(why);
  }
  if (Status checked = QuickCheckOf(dest, to); !checked.ok()) return fail(checked.message());
  sqlite3_close_v2(dest);
  dest = nullptr;
  fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return fail(why);
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), to.c_str()) != 0) return fail(std::strerror(errno));
  return Status::Ok();
}

Status Database::SetAutoCheckpoint(int frames) {
  if (sqlite3_wal_autocheckpoint(db_, frames) != SQLITE_OK) return Error("wal_autocheckpoint");
  return Status::Ok();
}

namespace {

int RunCommitHook(void* hook, sqlite3*, const char*, int frames) {
  (*static_cast<Database::CommitHook*>(hook))(frames);
  return SQLITE_OK;
}

}  // namespace

void Database::OnCommit(CommitHook hook) {
  if (!hook) {
    sqlite3_wal_hook(db_, nullptr, nullptr);
    commit_hook_.reset();
    return;
  }
  auto held = std::make_unique<CommitHook>(std::move(hook));
  sqlite3_wal_hook(db_, RunCommitHook, held.get());
  commit_hook_ = std::move(held);
}

Result<Database::LogState> Database::Checkpoint() {
  LogState state;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &state.frames,
                                     &state.copied);
  if (rc == SQLITE_BUSY) return LogState{};
  if (rc != SQLITE_OK) return Error("checkpoint");
  // -1 when the database is not in WAL mode: nothing to copy.
  state.frames = std::max(state.frames, 0);
  state.copied = std::max(state.copied, 0);
  return state;
}

Status Database::SyncFile() {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr) {
    return Error("sync: no file");
  }
  if (int rc = file->pMethods->xSync(file, SQLITE_SYNC_NORMAL); rc != SQLITE_OK) {
    return Status(ResultCode::kStorage, path_ + ": sync: " + sqlite3_errstr(rc));
  }
  return Status::Ok();
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Status Database::Migrate(std::span<const std::string_view> migrations) {
  std::int64_t version = 0;
  {
    // Finalized before the migrations run: an unfinished read keeps every
    // table locked, and a step that drops one would fail.
    Result<Statement> q = Prepare("PRAGMA user_version");
    if (!q.ok()) return q.status();
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    version = q->Int(0);
  }
  if (version > static_cast<std::int64_t>(migrations.size())) {
    return Status(ResultCode::kUnsupportedVersion,
                  path_ + ": schema version " + std::to_string(version) +
                      " is newer than this program knows (" + std::to_string(migrations.size()) +
                      "); use a newer Activa");
  }
  for (std::size_t v = static_cast<std::size_t>(version); v < migrations.size(); ++v) {
    ACTIVA_RETURN_IF_ERROR(InTransaction(*this, [&] {
      ACTIVA_RETURN_IF_ERROR(Exec(migrations[v]));
      return Exec("PRAGMA user_version = " + std::to_string(v + 1));
    }));
  }
  return Status::Ok();
}

Statement::Statement(Statement&& o) noexcept
    : stmt_(std::exchange(o.stmt_, nullptr)),
      db_(o.db_),
      bind_error_(o.bind_error_),
      bind_index_(o.bind_index_) {}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    stmt_ = std::exchange(o.stmt_, nullptr);
    db_ = o.db_;
    bind_error_ = o.bind_error_;
    bind_index_ = o.bind_index_;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement& Statement::Bound(int rc, int index) {
  if (rc != SQLITE_OK && bind_error_ == 0) {
    bind_error_ = rc;
    bind_index_ = index;
  }
  return *this;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  return Bound(sqlite3_bind_int64(stmt_, index, value), index);
}

Statement& Statement::Bind(int index, std::string_view text) {
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return Bound(SQLITE_TOOBIG, index);
  }
  return Bound(
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT),
      index);
}

Statement& Statement::BindStatic(int index, std::string_view text) {
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return Bound(SQLITE_TOOBIG, index);
  }
  return Bound(
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC),
      index);
}

Statement& Statement::BindStaticBlob(int index, std::span<const std::uint8_t> bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return Bound(SQLITE_TOOBIG, index);
  }
  // SQLite binds NULL for a null pointer: an empty blob is not NULL.
  if (bytes.empty()) return Bound(sqlite3_bind_zeroblob(stmt_, index, 0), index);
  return Bound(
      sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC),
      index);
}

Statement& Statement::BindBlob(int index, std::span<const std::uint8_t> bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return Bound(SQLITE_TOOBIG, index);
  }
  // SQLite binds NULL for a null pointer: an empty blob is not NULL.
  if (bytes.empty()) return Bound(sqlite3_bind_zeroblob(stmt_, index, 0), index);
  return Bound(sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                                 SQLITE_TRANSIENT),
               index);
}

Statement& Statement::BindNull(int index) { return Bound(sqlite3_bind_null(stmt_, index), index); }

Result<bool> Statement::Step() {
  if (bind_error_ != 0) {
    return Status(ResultCode::kStorage, "binding parameter " + std::to_string(bind_index_) + ": " +
                                            sqlite3_errstr(bind_error_));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error("step");
}

Status Statement::Run() {
  for (;;) {
    Result<bool> r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
  bind_index_ = 0;
}

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* t = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(n)) : "";
}

std::string_view Statement::TextView(int column) const {
  const unsigned char* t = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return t ? std::string_view(reinterpret_cast<const char*>(t), static_cast<std::size_t>(n))
           : std::string_view();
}

std::span<const std::uint8_t> Statement::Blob(int column) const {
  const void* b = sqlite3_column_blob(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (b == nullptr || n <= 0) return {};
  return {static_cast<const std::uint8_t*>(b), static_cast<std::size_t>(n)};
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

}  // namespace activa
