#include "storage/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace activa {
namespace {

// One frame of the log: its 24-byte header and a 4 KiB page.
constexpr std::int64_t kFrameBytes = 24 + 4096;

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "activa-wal-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/a.db";
    Result<Database> db = Database::Open(path_, true);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    // No sync per commit: the tests count pages, not wait for the disk.
    ASSERT_TRUE(db->Exec("PRAGMA synchronous=NORMAL").ok());
    const std::string_view schema[] = {"CREATE TABLE t(a INTEGER PRIMARY KEY, b BLOB NOT NULL)"};
    ASSERT_TRUE(db->Migrate(schema).ok());
    writer_.emplace(std::move(db).value());
  }
  void TearDown() override {
    writer_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One commit of `rows` rows at random keys: each lands in a leaf of its
  // own, as a host's client records do.
  void Commit(int rows) {
    ASSERT_TRUE(InTransaction(*writer_, [&] {
                  Result<Statement> q = writer_->Prepare(
                      "INSERT INTO t(a, b) SELECT random(), randomblob(300) "
                      "FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                      "SELECT i + 1 FROM n WHERE i < ?1) SELECT i FROM n)");
                  if (!q.ok()) return q.status();
                  return q->Bind(1, rows).Run();
                }).ok());
    rows_ += rows;
  }

  // `commits` commits of `rows` rows each; the largest size the log file
  // had after any of them, and in `restarts` how many times the log
  // started again from its beginning.
  std::int64_t CommitAndWatchLog(int commits, int rows, int* restarts = nullptr) {
    std::int64_t largest = 0;
    std::uint32_t sequence = LogSequence();
    for (int i = 0; i < commits; ++i) {
      Commit(rows);
      largest = std::max(largest, LogBytes());
      const std::uint32_t now = LogSequence();
      if (restarts != nullptr && now != sequence) ++*restarts;
      sequence = now;
    }
    return largest;
  }

  // The log header's checkpoint sequence number (bytes 12 to 15, big-endian):
  // SQLite adds one each time a writer starts the log from its beginning.
  std::uint32_t LogSequence() const {
    std::ifstream in(path_ + "-wal", std::ios::binary);
    unsigned char header[16] = {};
    if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return 0;
    return std::uint32_t{header[12]} << 24 | std::uint32_t{header[13]} << 16 |
           std::uint32_t{header[14]} << 8 | std::uint32_t{header[15]};
  }

  std::int64_t LogBytes() const {
    struct stat st {};
    return ::stat((path_ + "-wal").c_str(), &st) == 0 ? st.st_size : 0;
  }

  std::int64_t Rows() {
    Result<Statement> q = writer_->Prepare("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(q.ok());
    Result<bool> row = q->Step();
    EXPECT_TRUE(row.ok() && *row);
    return q->Int(0);
  }

  std::string dir_, path_;
  std::optional<Database> writer_;
  std::int64_t rows_ = 0;
};

// A passive copy beside a writer that never stops leaves the log's last
// pages uncopied, and SQLite starts a log afresh only when all of it is in
// the database: with the thread alone, the log grew for as long as the
// writes went on (to 4.9 GB in 20 s of a host's load), or here until the
// writer's copy at the limit. The writer's copy of the short tail lets it
// start again before the limit.
TEST_F(WalCheckpointerTest, TheLogStartsAgainWhileTheWriterGoesOn) {
  WalCheckpointer::Options options;
  options.start_frames = 300;
  options.tail_frames = 100;
  options.limit_frames = 30000;
  Result<std::unique_ptr<WalCheckpointer>> c = WalCheckpointer::Start(*writer_, options);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  // A host's commits are paced by their sync, as the thread's passes are:
  // these too, whatever the disk.
  ASSERT_TRUE(writer_->Exec("PRAGMA synchronous=FULL").ok());
  int restarts = 0;
  const std::int64_t largest = CommitAndWatchLog(800, 20, &restarts);
  const WalCheckpointer::Counts n = (*c)->counts();
  EXPECT_GT(n.passes, 0u);
  EXPECT_GT(n.tails, 0u);
  // Each copy at the limit starts the log again at most once; the other
  // starts were the tails'. (With the thread alone: one start, after the
  // copy at the limit, and a log of 124 MB.)
  EXPECT_GT(restarts, static_cast<int>(n.writer_copies))
      << restarts << " starts, " << n.writer_copies << " copies at the limit, " << n.tails
      << " tails";
  // Far below the limit: the log started again each time the thread had
  // copied it (2.7 MB here, with a start every 6 commits).
  EXPECT_LT(largest, options.limit_frames / 2 * kFrameBytes) << "log of " << largest << " bytes";
  c->reset();
  EXPECT_EQ(Rows(), rows_);
  Result<Statement> check = writer_->Prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  ASSERT_TRUE(*check->Step());
  EXPECT_EQ(check->Text(0), "ok");
}

// When the thread has not copied the log by the time it reaches the limit,
// the writer copies it all, and the log starts again: it is bounded
// whatever the thread does. Here the log passes the limit before the
// thread is ever asked (start and limit one page apart, commits of many).
TEST_F(WalCheckpointerTest, AtTheLimitTheWriterCopiesTheLogItself) {
  WalCheckpointer::Options options;
  options.start_frames = 999;
  options.tail_frames = 10;
  options.limit_frames = 1000;
  Result<std::unique_ptr<WalCheckpointer>> c = WalCheckpointer::Start(*writer_, options);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::int64_t largest = CommitAndWatchLog(200, 200);
  EXPECT_GT((*c)->counts().writer_copies, 0u);
  // The limit and a few commits (200 rows of 300 bytes in random leaves:
  // at most a page and a split each, with their parents): a copy at the
  // limit that finds the thread copying is busy, and the next commit
  // tries again. Without the writer's copy the log reached 273 MB here.
  EXPECT_LT(largest, 4 * options.limit_frames * kFrameBytes) << "log of " << largest;
  c->reset();
  EXPECT_EQ(Rows(), rows_);
}

// Without the checkpointer SQLite's own rule is back, on the writer's
// thread: a log past 1,000 pages is copied after the commit that made it.
TEST_F(WalCheckpointerTest, StoppedItGivesTheWriterBackSqlitesRule) {
  {
    Result<std::unique_ptr<WalCheckpointer>> c = WalCheckpointer::Start(*writer_);
    ASSERT_TRUE(c.ok());
  }
  const std::int64_t largest = CommitAndWatchLog(200, 200);
  EXPECT_LT(largest, 4 * 1000 * kFrameBytes) << "log of " << largest;
  EXPECT_EQ(Rows(), rows_);
}

TEST_F(WalCheckpointerTest, ThresholdsOutOfOrderAreRefused) {
  WalCheckpointer::Options options;
  options.start_frames = 100;
  options.limit_frames = 100;
  Result<std::unique_ptr<WalCheckpointer>> c = WalCheckpointer::Start(*writer_, options);
  EXPECT_EQ(c.status().code(), ResultCode::kInvalidArgument);
}

}  // namespace
}  // namespace activa
