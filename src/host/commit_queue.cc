#include "host/commit_queue.h"

#include <utility>

namespace activa {

CommitQueue::CommitQueue(Writer writer, Post post)
    : writer_(std::move(writer)), post_(std::move(post)) {}

CommitQueue::~CommitQueue() {
  *alive_ = false;
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  // What gathered while the last batch was written still goes to disk: the
  // events and counters of answered requests. No one waits for it any more.
  if (gathering_ && !gathering_->data.empty()) (void)writer_(gathering_->data);
}

void CommitQueue::Add(Item item) {
  if (!gathering_) {
    gathering_ = std::make_unique<Batch>();
    gathering_->id = next_id_++;
  }
  HostBatch& b = gathering_->data;
  if (item.record) b.clients.push_back(std::move(*item.record));
  b.delta += item.delta;
  if (item.event) b.events.push_back(std::move(*item.event));
  if (item.done) gathering_->done.push_back(std::move(item.done));
  if (!writing_) Dispatch();
}

void CommitQueue::Dispatch() {
  writing_ = true;
  // The thread starts with the first batch: a client that never becomes a
  // host never writes one, and its daemon holds no thread (and no stack)
  // for it.
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  {
    std::lock_guard lock(mu_);
    job_ = std::move(gathering_);
  }
  cv_.notify_one();
}

void CommitQueue::Run() {
  for (;;) {
    std::unique_ptr<Batch> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || job_ != nullptr; });
      if (job_ == nullptr) return;
      job = std::move(job_);
    }
    Status status = writer_(job->data);
    // The completions run on the owner's loop. The batch travels in a
    // shared_ptr because std::function needs a copyable task.
    std::shared_ptr<Batch> shared(std::move(job));
    std::shared_ptr<bool> alive = alive_;
    post_([this, alive, shared, status]() mutable {
      if (!*alive) return;
      Finished(std::make_unique<Batch>(std::move(*shared)), status);
    });
  }
}

void CommitQueue::Finished(std::unique_ptr<Batch> batch, Status status) {
  ++batches_;
  writing_ = false;
  // The next batch starts before the completions run, so the disk is kept
  // busy while the answers go out.
  if (gathering_) Dispatch();
  for (Completion& done : batch->done) done(status);
}

}  // namespace activa
