// The host's group commit (DESIGN.md section 9): client records, request
// counters and events are written in batches on a thread of their own, so
// one fsync serves many requests, and each request's answer waits for the
// batch that holds its record.
//
// While one batch is being written, new items gather in the next; a caller
// waits at most two commits. Each item may carry a completion, which runs on
// the owner's loop (through `post`) with the status of the batch that held
// it, once that batch is on disk or has failed. Items without a completion
// (events, counters) simply go with the next batch.
//
// A failed batch is reported to every completion in it and is not retried:
// the callers decide (the host answers those clients with an error, and they
// ask again). Memory that mirrors the disk must change only in a completion
// whose status is OK.
//
// Thread safety: Add() and the completions belong to the owner's loop (one
// thread); the writer runs on the queue's thread only, which starts with
// the first batch (a queue that is never given an item starts none). The
// destructor writes what has gathered, runs no completion after it returns,
// and joins.
#ifndef ACTIVA_HOST_COMMIT_QUEUE_H_
#define ACTIVA_HOST_COMMIT_QUEUE_H_

#include <condition_variable>
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

  bool empty() const { return clients.empty() && delta.total == 0 && events.empty(); }
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
    Completion done;  // may be empty
  };

  CommitQueue(Writer writer, Post post);
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Adds to the batch that is gathering, and starts writing it when no
  // batch is being written. Owner's loop only.
  void Add(Item item);

  // Whether the writer's thread has started (with the first batch); owner's
  // loop only.
  bool thread_started() const { return thread_.joinable(); }

  // Batches written (or failed) so far; owner's loop only.
  std::uint64_t batches() const { return batches_; }

  // The number of the batch the next Add() joins. Items added under one
  // number share one commit, so a caller may register one completion per
  // number for all of them. Owner's loop only.
  std::uint64_t gathering_id() const { return gathering_ ? gathering_->id : next_id_; }

 private:
  struct Batch {
    std::uint64_t id = 0;
    HostBatch data;
    std::vector<Completion> done;
  };
  void Dispatch();  // owner's loop: hands the gathering batch to the thread
  void Run();       // the queue's thread
  void Finished(std::unique_ptr<Batch> batch, Status status);

  Writer writer_;
  Post post_;
  // Owner's loop.
  std::unique_ptr<Batch> gathering_;
  std::uint64_t next_id_ = 0;  // of the next batch to gather
  bool writing_ = false;
  std::uint64_t batches_ = 0;
  // Shared with the thread, under mu_.
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Batch> job_;
  bool stopping_ = false;
  // Set by the destructor: completions are no longer run.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::thread thread_;
};

}  // namespace activa

#endif  // ACTIVA_HOST_COMMIT_QUEUE_H_
