#include "host/commit_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <filesystem>

namespace activa {
namespace {

// The owner's loop: tasks posted from the commit thread, run by the test.
class Loop {
 public:
  CommitQueue::Post poster() {
    return [this](std::function<void()> task) {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
      cv_.notify_all();
    };
  }
  // Runs posted tasks until `done()` holds (at most 10 s).
  template <typename Pred>
  bool RunUntil(Pred done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        if (!cv_.wait_until(lock, deadline, [&] { return !tasks_.empty(); })) return false;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
};

ClientEntry Entry(int n) {
  ClientEntry e;
  e.cmid[0] = static_cast<std::uint8_t>(n);
  e.last_seen = n;
  return e;
}

// A writer that blocks until released, so the test can gather items behind
// a batch being written, and fails on demand.
struct Disk {
  std::mutex mu;
  std::condition_variable cv;
  bool hold = false;
  bool fail = false;
  std::vector<HostBatch> written;
  CommitQueue::Writer writer() {
    return [this](const HostBatch& b) {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return !hold; });
      if (fail) return Status(ResultCode::kStorage, "disk full");
      written.push_back(b);
      return Status::Ok();
    };
  }
  void Release() {
    std::lock_guard lock(mu);
    hold = false;
    cv.notify_all();
  }
};

TEST(CommitQueueTest, ItemsGatherBehindTheBatchBeingWritten) {
  Loop loop;
  Disk disk;
  disk.hold = true;
  CommitQueue q(disk.writer(), loop.poster());
  int ok = 0;
  auto count = [&ok](const Status& s) { ok += s.ok() ? 1 : 0; };
  EXPECT_EQ(q.gathering_id(), 0u);
  q.Add({Entry(1), {}, std::nullopt, count});  // written at once (held)
  EXPECT_EQ(q.gathering_id(), 1u);             // the next batch
  for (int i = 2; i <= 5; ++i) q.Add({Entry(i), {}, std::nullopt, count});
  EXPECT_EQ(q.gathering_id(), 1u);  // all four in it
  disk.Release();
  ASSERT_TRUE(loop.RunUntil([&] { return ok == 5; }));
  std::lock_guard lock(disk.mu);
  ASSERT_EQ(disk.written.size(), 2u);
  EXPECT_EQ(disk.written[0].clients.size(), 1u);
  EXPECT_EQ(disk.written[1].clients.size(), 4u);  // one commit for four requests
  EXPECT_EQ(q.batches(), 2u);
}

TEST(CommitQueueTest, AFailedBatchFailsEveryCompletionInIt) {
  Loop loop;
  Disk disk;
  disk.fail = true;
  CommitQueue q(disk.writer(), loop.poster());
  std::vector<Status> results;
  q.Add({Entry(1), {}, std::nullopt, [&](const Status& s) { results.push_back(s); }});
  ASSERT_TRUE(loop.RunUntil([&] { return results.size() == 1; }));
  EXPECT_EQ(results[0].code(), ResultCode::kStorage);
  // The disk recovers: the next batch succeeds; nothing retries the old one.
  {
    std::lock_guard lock(disk.mu);
    disk.fail = false;
  }
  q.Add({Entry(2), {}, std::nullopt, [&](const Status& s) { results.push_back(s); }});
  ASSERT_TRUE(loop.RunUntil([&] { return results.size() == 2; }));
  EXPECT_TRUE(results[1].ok());
  std::lock_guard lock(disk.mu);
  ASSERT_EQ(disk.written.size(), 1u);
  EXPECT_EQ(disk.written[0].clients.at(0).cmid[0], 2);
}

TEST(CommitQueueTest, EventsAndCountersGoWithTheNextBatch) {
  Loop loop;
  Disk disk;
  bool done = false;
  {
    CommitQueue q(disk.writer(), loop.poster());
    RequestStats delta;
    delta.total = 1;
    q.Add({Entry(1), delta, Event{0, 1, kEventHostRequest, "x"},
           [&](const Status&) { done = true; }});
    ASSERT_TRUE(loop.RunUntil([&] { return done; }));
    {
      std::lock_guard lock(disk.mu);
      disk.hold = true;  // the next batch waits in the writer...
    }
    q.Add({std::nullopt, {}, Event{0, 2, kEventHostRequest, "y"}, nullptr});
    q.Add({std::nullopt, {}, Event{0, 3, kEventHostRequest, "z"}, nullptr});
    disk.Release();
  }  // ...and the destructor still writes what gathered behind it
  ASSERT_EQ(disk.written.size(), 3u);
  EXPECT_EQ(disk.written[0].delta.total, 1u);
  EXPECT_EQ(disk.written[1].events.size(), 1u);
  EXPECT_EQ(disk.written[2].events.size(), 1u);
  EXPECT_EQ(disk.written[2].events[0].message, "z");
}

// The threads of this process, as the kernel lists them.
std::size_t ThreadCount() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& t : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// A client daemon holds a commit queue but never writes a batch: the queue
// starts no thread until it has one.
TEST(CommitQueueTest, StartsItsThreadWithTheFirstBatchOnly) {
  Loop loop;
  Disk disk;
  const std::size_t before = ThreadCount();
  {
    CommitQueue idle(disk.writer(), loop.poster());
    EXPECT_FALSE(idle.thread_started());
    EXPECT_EQ(ThreadCount(), before);
  }
  CommitQueue q(disk.writer(), loop.poster());
  int ok = 0;
  q.Add({Entry(1), {}, std::nullopt, [&ok](const Status& s) { ok += s.ok() ? 1 : 0; }});
  EXPECT_TRUE(q.thread_started());
  EXPECT_EQ(ThreadCount(), before + 1);
  ASSERT_TRUE(loop.RunUntil([&] { return ok == 1; }));
  std::lock_guard lock(disk.mu);
  EXPECT_EQ(disk.written.size(), 1u);
}

}  // namespace
}  // namespace activa
