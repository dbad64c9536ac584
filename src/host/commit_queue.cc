#include "host/commit_queue.h"

#include <cassert>
#include <utility>

namespace activa {

CommitQueue::CommitQueue(Writer writer, Post post)
    : writer_(std::move(writer)), post_(std::move(post)) {}

CommitQueue::~CommitQueue() {
  *alive_ = false;
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  // What gathered while the last batch was written still goes to disk (the
  // thread writes it before it ends): the events and counters of answered
  // requests. No one waits for it any more.
  thread_.join();
}

std::uint64_t CommitQueue::Add(Item item) {
  std::uint64_t batch = 0;
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    // The thread waits for a batch to open, then (see Run) for it to hold
    // records_wanted_ records or for the loop to catch up (Finished): only
    // those moments wake it.
    wake = !open_;
    open_ = true;
    batch = gathering_id_;
    if (item.record) {
      gathering_.clients.push_back(std::move(*item.record));
      wake = wake || gathering_.clients.size() == records_wanted_;
    }
    gathering_.delta += item.delta;
    if (item.event) gathering_.events.push_back(std::move(*item.event));
  }
  // The thread starts with the first batch: a client that never becomes a
  // host never writes one, and its daemon holds no thread (and no stack)
  // for it.
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { Run(); });
  } else if (wake) {
    cv_.notify_one();
  }
  if (item.done) WhenWritten(batch, std::move(item.done));
  return batch;
}

void CommitQueue::WhenWritten(std::uint64_t batch, Completion done) {
  // A batch whose completions already ran would never run this one.
  assert(batch >= batches_ && "WhenWritten after its batch finished");
  // Nearly always the newest batch, at the back.
  auto it = waiting_.end();
  while (it != waiting_.begin() && std::prev(it)->first >= batch) --it;
  if (it == waiting_.end() || it->first != batch) it = waiting_.insert(it, {batch, {}});
  it->second.push_back(std::move(done));
}

void CommitQueue::Run() {
  for (;;) {
    HostBatch data;
    std::uint64_t batch = 0;
    {
      std::unique_lock lock(mu_);
      // The next batch goes as soon as it holds half as many records as the
      // one just written (the loop keeps up), or once the owner's loop has
      // finished that one (so it has added what arrived meanwhile). Always
      // taken at once, batches shrank while the loop was busy, and each
      // commit costs a sync and a signature whatever it holds; waiting for
      // one as large, the keep-alive gain was lost (batch sizes wander, so
      // roughly every other batch waited for the loop again).
      cv_.wait(lock, [&] {
        return stopping_ || (open_ && (batches_ >= gathering_id_ ||
                                       gathering_.clients.size() >= records_wanted_));
      });
      if (!open_) return;  // stopping, and nothing has gathered
      data = std::exchange(gathering_, HostBatch{});
      batch = gathering_id_++;
      open_ = false;
      records_wanted_ = (data.clients.size() + 1) / 2;
    }
    Status status = writer_(data);
    std::shared_ptr<bool> alive = alive_;
    post_([this, alive, batch, status] {
      if (*alive) Finished(batch, status);
    });
  }
}

void CommitQueue::Finished(std::uint64_t batch, const Status& status) {
  // Batches finish in order, from 0: batches_ becomes batch + 1, which
  // tells the thread that the loop has caught up.
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    ++batches_;
    wake = open_;
  }
  if (wake) cv_.notify_one();
  // So their completions are at the front. They may add to the queue (and
  // so to waiting_): they run from a copy.
  if (waiting_.empty() || waiting_.front().first != batch) return;
  std::vector<Completion> done = std::move(waiting_.front().second);
  waiting_.pop_front();
  for (Completion& d : done) d(status);
}

}  // namespace activa
