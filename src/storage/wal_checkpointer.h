// Keeps a busy database's write-ahead log short without making its writer
// copy it (docs/performance.md, "The log copied beside the writer").
//
// SQLite's own rule has the connection that commits copy the log into the
// database once it holds 1,000 pages: the writer stops writing while it
// reads those pages back, writes each into its place in the file and syncs
// it. For a host whose clients' records land in leaves of their own, that
// copy is a large part of every commit cycle, and the requests gathering
// for the next batch wait through it.
//
// Here a thread of its own, with its own connection, copies the log once it
// holds `start_frames` pages, in passive passes that wait for nobody, until
// what is left is at most `tail_frames`. A passive copy beside a writer
// never reaches the log's end, though, and SQLite starts the log afresh
// only when a writer finds all of it copied; so the writer's next commit
// copies that short tail itself, and the commit after it starts the log
// from the beginning. Should the thread fall behind, the log still stops at
// `limit_frames`: past it the writer copies everything itself, as SQLite's
// rule would.
//
// Thread safety: the commit hook runs on the writer's thread (whichever
// thread commits on `writer`); counts() from any thread. Destroy it while
// no thread uses `writer`: the destructor removes the hook and gives the
// writer back SQLite's own rule.
#ifndef ACTIVA_STORAGE_WAL_CHECKPOINTER_H_
#define ACTIVA_STORAGE_WAL_CHECKPOINTER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "base/status.h"
#include "storage/sqlite.h"

namespace activa {

class WalCheckpointer {
 public:
  struct Options {
    int start_frames = 8192;   // the thread starts copying (32 MiB of 4 KiB pages)
    int tail_frames = 256;     // left for the writer to copy
    int limit_frames = 32768;  // the writer copies everything
  };
  struct Counts {
    std::uint64_t passes = 0;         // the thread's checkpoints
    std::uint64_t tails = 0;          // the writer's short copies
    std::uint64_t writer_copies = 0;  // the writer's copies at the limit
  };

  // Replaces `writer`'s automatic checkpoint with this one's hook and
  // starts the thread, with a connection of its own to the same file.
  // `writer` must outlive the checkpointer.
  static Result<std::unique_ptr<WalCheckpointer>> Start(Database& writer, Options options);
  static Result<std::unique_ptr<WalCheckpointer>> Start(Database& writer) {
    return Start(writer, Options());
  }

  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  Counts counts() const;

 private:
  WalCheckpointer(Database& writer, Database own, Options options);
  void Committed(int log_frames);  // the writer's thread
  void Run();                      // the thread

  Database& writer_;
  Database own_;  // the thread's only
  const Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;  // under mu_: a pass is asked for
  bool stopping_ = false;
  std::atomic<bool> copying_{false};     // the thread is in its passes
  std::atomic<bool> tail_ready_{false};  // what is left is the writer's
  std::atomic<std::uint64_t> passes_{0}, tails_{0}, writer_copies_{0};
  std::thread thread_;
};

}  // namespace activa

#endif  // ACTIVA_STORAGE_WAL_CHECKPOINTER_H_
