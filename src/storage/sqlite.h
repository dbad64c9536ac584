// A thin RAII layer over SQLite: databases, prepared statements, and
// versioned schema migrations.
//
// Only this component includes <sqlite3.h>. Errors come back as Status with
// kStorage (or kFileNotFound / kAccessDenied when opening), naming the file
// and SQLite's message. A Database is used from one thread at a time.
#ifndef ACTIVA_STORAGE_SQLITE_H_
#define ACTIVA_STORAGE_SQLITE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace activa {

class Statement;

class Database {
 public:
  // Opens (creating when `create`) the file in WAL mode with foreign keys on
  // and a busy timeout, so several processes may share it. SQL on it has
  // unhex() (SQLite's own from 3.41, the same function before).
  static Result<Database> Open(const std::string& path, bool create);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  int changes() const;

  // Brings the schema to migrations.size() (PRAGMA user_version), applying
  // each missing step in its own transaction. A database newer than this
  // program knows is refused rather than guessed at.
  Status Migrate(std::span<const std::string_view> migrations);

  // SQLite's PRAGMA quick_check: the b-trees' structure, page by page
  // (not the indexes' contents against their tables, which integrity_check
  // adds at several times the cost). kStorage with SQLite's first findings
  // when the file is damaged.
  Status QuickCheck();

  // Copies the whole database, as one consistent snapshot, into a new file
  // at `to` (mode 0600, written beside it and renamed into place, so `to`
  // is either the old file or the whole copy). Through SQLite's online
  // backup API in a single step: in WAL mode that is one read transaction,
  // which a writer in another connection or process neither blocks nor
  // changes. The copy is checked with quick_check before it is renamed;
  // it is in journal mode DELETE (one file). `to` must not be this
  // database.
  Status BackupTo(const std::string& to);

  // The write-ahead log, for whoever keeps it short (WalCheckpointer).
  //
  // SQLite's own rule: after a commit that leaves `frames` or more pages in
  // the log, the committing connection copies them into the database
  // (PRAGMA wal_autocheckpoint; 0 turns it off). Replaced by any OnCommit().
  Status SetAutoCheckpoint(int frames);
  // Runs `hook` after each commit on this connection, on the committing
  // thread, with the pages the log then holds; it may checkpoint. Replaces
  // the automatic checkpoint; an empty hook removes it (and that checkpoint
  // stays off). Set it while no other thread uses the connection.
  using CommitHook = std::function<void(int log_frames)>;
  void OnCommit(CommitHook hook);
  // One passive checkpoint (SQLite's PASSIVE mode: it waits for no reader
  // or writer, and copies what they allow): the pages in the log, and how
  // many of them are now in the database. kStorage on error; busy (another
  // connection checkpointing) comes back as OK with nothing copied.
  struct LogState {
    int frames = 0;
    int copied = 0;
  };
  Result<LogState> Checkpoint();
  // Syncs the database file (through SQLite's own handle on it, so its
  // locks are untouched). A checkpoint that leaves part of the log behind
  // writes pages into the file but does not sync it: the one that ends the
  // log syncs them all, on whichever connection runs it.
  Status SyncFile();

  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Error(std::string_view what) const;
  sqlite3* db_ = nullptr;
  std::string path_;
  // Where SQLite's hook finds OnCommit's function: its address stays put
  // when the Database moves.
  std::unique_ptr<CommitHook> commit_hook_;
  friend class Statement;
};

class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  // Parameters are numbered from 1, as in SQL's ?1. A bind that SQLite
  // refuses (an index out of range, a text over its limit, no memory) is
  // kept and returned by the next Step() or Run(), which then do nothing:
  // a statement never runs with a parameter missing.
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, std::string_view text);
  // The same without SQLite's copy: `text` must stay valid and unchanged
  // until the statement is stepped to its end or Reset() (for a hot loop
  // binding buffers it owns).
  Statement& BindStatic(int index, std::string_view text);
  // A BLOB; copied.
  Statement& BindBlob(int index, std::span<const std::uint8_t> bytes);
  // The same without the copy, under BindStatic()'s rule.
  Statement& BindStaticBlob(int index, std::span<const std::uint8_t> bytes);
  Statement& BindNull(int index);

  // Steps once: true with a row, false when done; errors as Status.
  Result<bool> Step();
  // Steps to the end (for statements without rows).
  Status Run();
  void Reset();

  std::int64_t Int(int column) const;
  std::string Text(int column) const;
  // The same without a copy: valid until the next Step(), Reset() or the
  // statement's end. For loops over many rows.
  std::string_view TextView(int column) const;
  // The column's bytes as a BLOB, valid until the next Step() or Reset();
  // empty for NULL.
  std::span<const std::uint8_t> Blob(int column) const;
  bool IsNull(int column) const;

 private:
  Statement(sqlite3_stmt* stmt, const Database* db) : stmt_(stmt), db_(db) {}
  Statement& Bound(int rc, int index);
  sqlite3_stmt* stmt_ = nullptr;
  const Database* db_ = nullptr;
  int bind_error_ = 0;  // the first refused bind's SQLite code, until Reset()
  int bind_index_ = 0;
  friend class Database;
};

// Runs `fn` between BEGIN IMMEDIATE and COMMIT; rolls back when fn fails.
// IMMEDIATE takes the write lock at once, so two processes checking a limit
// and then writing cannot both pass the check.
template <typename Fn>
Status InTransaction(Database& db, Fn&& fn) {
  ACTIVA_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status s = fn();
  if (!s.ok()) {
    (void)db.Exec("ROLLBACK");
    return s;
  }
  s = db.Exec("COMMIT");
  if (!s.ok()) (void)db.Exec("ROLLBACK");
  return s;
}

}  // namespace activa

#endif  // ACTIVA_STORAGE_SQLITE_H_
