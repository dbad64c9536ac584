#include "host/commit_queue.h"

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
  bool opened = false;
  {
    std::lock_guard lock(mu_);
    opened = !open_;
    open_ = true;
    batch = gathering_id_;
    if (item.record) gathering_.clients.push_back(std::move(*item.record));
    gathering_.delta += item.delta;
    if (item.event) gathering_.events.push_back(std::move(*item.event));
  }
  // The thread starts with the first batch: a client that never becomes a
  // host never writes one, and its daemon holds no thread (and no stack)
  // for it. It waits only while no batch is open, so only the item that
  // opens one needs to wake it.
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { Run(); });
  } else if (opened) {
    cv_.notify_one();
  }
  if (item.done) WhenWritten(batch, std::move(item.done));
  return batch;
}

void CommitQueue::WhenWritten(std::uint64_t batch, Completion done) {
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
      cv_.wait(lock, [&] { return stopping_ || open_; });
      if (!open_) return;  // stopping, and nothing has gathered
      data = std::exchange(gathering_, HostBatch{});
      batch = gathering_id_++;
      open_ = false;
    }
    Status status = writer_(data);
    std::shared_ptr<bool> alive = alive_;
    post_([this, alive, batch, status] {
      if (*alive) Finished(batch, status);
    });
  }
}

void CommitQueue::Finished(std::uint64_t batch, const Status& status) {
  ++batches_;
  // Batches finish in order, so their completions are at the front. They
  // may add to the queue (and so to waiting_): they run from a copy.
  if (waiting_.empty() || waiting_.front().first != batch) return;
  std::vector<Completion> done = std::move(waiting_.front().second);
  waiting_.pop_front();
  for (Completion& d : done) d(status);
}

}  // namespace activa
