#include "host/commit_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <thread>

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

// An item that carries only a client record.
CommitQueue::Item Record(int n) { return {Entry(n), {}, std::nullopt, nullptr}; }

// A writer that blocks until released, so the test can gather items behind
// a batch being written, and fails on demand.
struct Disk {
  std::mutex mu;
  std::condition_variable cv;
  bool hold = false;
  bool fail = false;
  int entered = 0;  // batches the writer has been given
  std::vector<HostBatch> written;
  CommitQueue::Writer writer() {
    return [this](const HostBatch& b) {
      std::unique_lock lock(mu);
      ++entered;
      cv.notify_all();
      cv.wait(lock, [&] { return !hold; });
      if (fail) return Status(ResultCode::kStorage, "disk full");
      written.push_back(b);
      return Status::Ok();
    };
  }
  void Hold() {
    std::lock_guard lock(mu);
    hold = true;
  }
  void Release() {
    std::lock_guard lock(mu);
    hold = false;
    cv.notify_all();
  }
  // Waits until the writer has been given `n` batches (at most 10 s).
  bool WaitEntered(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return entered >= n; });
  }
};

TEST(CommitQueueTest, ItemsGatherBehindTheBatchBeingWritten) {
  Loop loop;
  Disk disk;
  disk.hold = true;
  CommitQueue q(disk.writer(), loop.poster());
  int ok = 0;
  auto count = [&ok](const Status& s) { ok += s.ok() ? 1 : 0; };
  EXPECT_EQ(q.Add({Entry(1), {}, std::nullopt, count}), 0u);  // written at once (held)
  ASSERT_TRUE(disk.WaitEntered(1));
  for (int i = 2; i <= 5; ++i) EXPECT_EQ(q.Add({Entry(i), {}, std::nullopt, count}), 1u);
  disk.Release();
  ASSERT_TRUE(loop.RunUntil([&] { return ok == 5; }));
  std::lock_guard lock(disk.mu);
  ASSERT_EQ(disk.written.size(), 2u);
  EXPECT_EQ(disk.written[0].clients.size(), 1u);
  EXPECT_EQ(disk.written[1].clients.size(), 4u);  // one commit for four requests
  EXPECT_EQ(q.batches(), 2u);
}

// The thread takes the next batch as soon as it has written one, before the
// owner's loop has run the completions of the first: here the loop runs
// nothing until both are written.
TEST(CommitQueueTest, TheNextBatchIsWrittenWithoutWaitingForTheLoop) {
  Loop loop;
  Disk disk;
  disk.hold = true;
  CommitQueue q(disk.writer(), loop.poster());
  std::vector<int> finished;
  EXPECT_EQ(q.Add({Entry(1), {}, std::nullopt, [&](const Status&) { finished.push_back(1); }}), 0u);
  ASSERT_TRUE(disk.WaitEntered(1));
  EXPECT_EQ(q.Add(Record(2)), 1u);
  EXPECT_EQ(q.Add(Record(3)), 1u);
  q.WhenWritten(1, [&](const Status&) { finished.push_back(2); });
  disk.Release();
  ASSERT_TRUE(disk.WaitEntered(2));  // with the loop not yet run at all
  ASSERT_TRUE(loop.RunUntil([&] { return finished.size() == 2; }));
  EXPECT_EQ(finished, (std::vector<int>{1, 2}));
  std::lock_guard lock(disk.mu);
  ASSERT_EQ(disk.written.size(), 2u);
  EXPECT_EQ(disk.written[1].clients.size(), 2u);
}

// A batch under half the one just written waits for the owner's loop to
// finish that one (the loop is behind: what it has not yet read belongs in
// this batch), rather than costing a commit of its own at once.
TEST(CommitQueueTest, ASmallerBatchWaitsForTheLoopToCatchUp) {
  Loop loop;
  Disk disk;
  disk.hold = true;
  CommitQueue q(disk.writer(), loop.poster());
  bool first_done = false;
  q.Add({Entry(1), {}, std::nullopt, [&](const Status&) { first_done = true; }});
  ASSERT_TRUE(disk.WaitEntered(1));
  q.Add(Record(2));
  q.Add(Record(3));
  q.Add(Record(4));
  disk.Release();
  ASSERT_TRUE(disk.WaitEntered(2));  // three records after one: at once
  disk.Hold();
  ASSERT_TRUE(loop.RunUntil([&] { return first_done; }));
  q.Add(Record(5));  // one record after three: waits
  disk.Release();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  {
    std::lock_guard lock(disk.mu);
    EXPECT_EQ(disk.entered, 2);  // not taken: batch 1 is not finished yet
  }
  bool all_done = false;
  q.WhenWritten(2, [&](const Status&) { all_done = true; });
  ASSERT_TRUE(loop.RunUntil([&] { return all_done; }));  // batch 1 finishes, then 2 goes
  std::lock_guard lock(disk.mu);
  ASSERT_EQ(disk.written.size(), 3u);
  EXPECT_EQ(disk.written[2].clients.size(), 1u);
}

// A completion registered for a batch runs with that batch, not with an
// earlier or later one, even when the batch number is given after the Add.
TEST(CommitQueueTest, ACompletionRunsWithItsOwnBatch) {
  Loop loop;
  Disk disk;
  disk.hold = true;
  CommitQueue q(disk.writer(), loop.poster());
  std::vector<std::uint64_t> seen;  // the batches finished when each ran
  auto record = [&](const Status&) { seen.push_back(q.batches()); };
  const std::uint64_t first = q.Add(Record(1));
  ASSERT_TRUE(disk.WaitEntered(1));
  const std::uint64_t second = q.Add(Record(2));
  q.Add(Record(3));
  q.WhenWritten(second, record);
  q.WhenWritten(first, record);  // out of order: still with the first batch
  disk.Release();
  ASSERT_TRUE(loop.RunUntil([&] { return seen.size() == 2; }));
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2}));
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
    disk.Hold();  // the next batch waits in the writer...
    q.Add({std::nullopt, {}, Event{0, 2, kEventHostRequest, "y"}, nullptr});
    ASSERT_TRUE(disk.WaitEntered(2));
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
