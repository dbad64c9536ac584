#include "storage/wal_checkpointer.h"

#include <algorithm>
#include <utility>

namespace activa {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(Database& writer, Options options) {
  if (options.tail_frames < 0 || options.start_frames <= options.tail_frames ||
      options.limit_frames <= options.start_frames) {
    return Status(ResultCode::kInvalidArgument,
                  "checkpoint thresholds must be 0 <= tail < start < limit");
  }
  Result<Database> own = Database::Open(writer.path(), /*create=*/false);
  if (!own.ok()) return own.status();
  // The thread's connection never commits, so its own automatic
  // checkpoint never runs; off all the same.
  ACTIVA_RETURN_IF_ERROR(own->SetAutoCheckpoint(0));
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(writer, std::move(own).value(), options));
  c->thread_ = std::thread([p = c.get()] { p->Run(); });
  writer.OnCommit([p = c.get()](int frames) { p->Committed(frames); });
  return c;
}

WalCheckpointer::WalCheckpointer(Database& writer, Database own, Options options)
    : writer_(writer), own_(std::move(own)), options_(options) {}

WalCheckpointer::~WalCheckpointer() {
  // Back to SQLite's rule (and its default threshold): a writer that goes
  // on alone still keeps its log short.
  writer_.OnCommit(nullptr);
  (void)writer_.SetAutoCheckpoint(1000);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

WalCheckpointer::Counts WalCheckpointer::counts() const {
  return {passes_.load(), tails_.load(), writer_copies_.load()};
}

void WalCheckpointer::Committed(int log_frames) {
  // A failed copy here loses nothing (the pages stay in the log, and a
  // later pass or commit copies them), so its status is not the commit's.
  if (log_frames >= options_.limit_frames) {
    (void)writer_.Checkpoint();
    writer_copies_.fetch_add(1, std::memory_order_relaxed);
    tail_ready_.store(false);
    return;
  }
  if (tail_ready_.exchange(false)) {
    (void)writer_.Checkpoint();
    tails_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (log_frames >= options_.start_frames && !copying_.load()) {
    copying_.store(true);
    {
      std::lock_guard<std::mutex> lock(mu_);
      wanted_ = true;
    }
    cv_.notify_one();
  }
}

void WalCheckpointer::Run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return wanted_ || stopping_; });
      if (stopping_) return;
      wanted_ = false;
    }
    // Pass after pass, each copying what the writer added during the one
    // before (fewer pages each time, as copying a page is cheaper than
    // writing it), until a pass finds at most the tail to copy. A pass
    // copies the log as it was when it began, so the pages it leaves are
    // the ones written while it ran: the next pass's share.
    int copied_before = -1;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      Result<Database::LogState> state = own_.Checkpoint();
      passes_.fetch_add(1, std::memory_order_relaxed);
      // An error, or the log started again meanwhile (the writer copied it
      // at the limit): the writer's next commit asks again if need be.
      if (!state.ok() || state->copied < copied_before) break;
      const int this_pass = state->copied - std::max(copied_before, 0);
      // A pass that leaves part of the log behind does not sync what it
      // wrote; the one that ends the log would sync it all, and that one is
      // the writer's.
      if (this_pass > 0) (void)own_.SyncFile();
      if (copied_before >= 0 && this_pass <= options_.tail_frames) {
        tail_ready_.store(true);
        break;
      }
      // Nothing copied with pages left: a reader's old snapshot holds
      // them. Wait for the writer's next call rather than spin.
      if (this_pass == 0 && state->frames > state->copied) break;
      copied_before = state->copied;
    }
    copying_.store(false);
  }
}

}  // namespace activa
