// The host's group commit (DESIGN.md section 9): client records, request
// counters and events are written in batches on a thread of their own, so
// one fsync serves many requests, and each request's answer waits for the
// batch that holds its record.
//
// While one batch is being written, new items gather in the next; a caller
// waits at most two commits. Once it has written a batch, the thread takes
// the next itself as soon as that one holds half as many records as the
// last, or once the owner's loop has run the last one's completions: the
// disk does not wait for a loop that keeps up, and a loop that is behind
// still fills its batches. A batch may have completions, which run on the
// owner's loop (through `post`) with its status, once it is on disk or has
// failed. Items without a completion (events, counters) simply go with the
// next batch.
//
// A failed batch is reported to every completion in it and is not retried:
// the callers decide (the host answers those clients with an error, and they
// ask again). Memory that mirrors the disk must change only in a completion
// whose status is OK.
//
// Thread safety: Add(), WhenWritten() and the completions belong to the
// owner's loop (one thread); the writer runs on the queue's thread only,
// which starts with the first batch (a queue that is never given an item
// starts none). The gathering batch is shared under a mutex. The destructor
// writes what has gathered, runs no completion after it returns, and joins.
#ifndef ACTIVA_HOST_COMMIT_QUEUE_H_
#define ACTIVA_HOST_COMMIT_QUEUE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/event.h"
#include "base/status.h"
#include "host/client_entry.h"
#include "host/host_policy.h"

namespace activa {

// What one batch writes, in one transaction.
struct HostBatch {
  std::vector<ClientEntry> clients;
  RequestStats delta;
  std::vector<Event> events;
};

class CommitQueue {
 public:
  // Writes one batch; OK only when all of it is durable. Runs on the
  // queue's thread.
  using Writer = std::function<Status(const HostBatch&)>;
  // Runs a task on the owner's loop (for asio: asio::post(io, task)).
  using Post = std::function<void(std::function<void()>)>;
  using Completion = std::function<void(const Status&)>;

  struct Item {
    std::optional<ClientEntry> record;
    RequestStats delta;
    std::optional<Event> event;
    Completion done;  // may be empty; else as WhenWritten(Add(...), done)
  };

  CommitQueue(Writer writer, Post post);
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Adds to the batch that is gathering and returns that batch's number;
  // the thread takes it once it has written the one before (as above).
  // Items added under one number share one commit. Owner's loop only.
  std::uint64_t Add(Item item);

  // Runs `done` with the status of batch `batch`, a number Add() returned,
  // once that batch is written. Call it before the owner's loop has run
  // that batch's completions, that is, in the same turn of the loop as the
  // Add(): one completion may then serve every item of a batch.
  void WhenWritten(std::uint64_t batch, Completion done);

  // Whether the writer's thread has started (with the first batch); owner's
  // loop only.
  bool thread_started() const { return thread_.joinable(); }

  // Batches written (or failed) so far, whose completions have run; owner's
  // loop only.
  std::uint64_t batches() const { return batches_; }

 private:
  void Run();  // the queue's thread
  void Finished(std::uint64_t batch, const Status& status);

  Writer writer_;
  Post post_;
  // Owner's loop: the completions of the batches not yet finished, by
  // batch number, ascending.
  std::deque<std::pair<std::uint64_t, std::vector<Completion>>> waiting_;
  // Shared with the thread, under mu_ (the owner's loop, which alone
  // writes batches_, reads it without).
  std::mutex mu_;
  std::condition_variable cv_;
  HostBatch gathering_;
  bool open_ = false;               // whether anything has joined gathering_
  std::uint64_t gathering_id_ = 0;  // the number of gathering_
  // Batches finished on the owner's loop, and half the records of the
  // batch last taken: the next batch goes once it holds that many records,
  // or once the loop has finished the last one (batches_ == gathering_id_).
  std::uint64_t batches_ = 0;
  std::size_t records_wanted_ = 0;
  bool stopping_ = false;
  // Set by the destructor: completions are no longer run.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::thread thread_;
};

}  // namespace activa

#endif  // ACTIVA_HOST_COMMIT_QUEUE_H_
