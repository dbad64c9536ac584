#include "storage/sqlite.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace activa {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "activa-db-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

constexpr std::string_view kV1 = "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT NOT NULL)";
constexpr std::string_view kV2 = "ALTER TABLE t ADD COLUMN c INTEGER NOT NULL DEFAULT 7";

TEST_F(SqliteTest, MigratesStepByStepAndKeepsData) {
  std::string path = dir_ + "/a.db";
  {
    Result<Database> db = Database::Open(path, true);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    const std::string_view v1[] = {kV1};
    ASSERT_TRUE(db->Migrate(v1).ok());
    Result<Statement> ins = db->Prepare("INSERT INTO t(b) VALUES (?1)");
    ASSERT_TRUE(ins.ok());
    ASSERT_TRUE(ins->Bind(1, "kept").Run().ok());
  }
  Result<Database> db = Database::Open(path, false);
  ASSERT_TRUE(db.ok());
  const std::string_view v2[] = {kV1, kV2};
  ASSERT_TRUE(db->Migrate(v2).ok());
  Result<Statement> q = db->Prepare("SELECT b, c FROM t");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->Step());
  EXPECT_EQ(q->Text(0), "kept");
  EXPECT_EQ(q->Int(1), 7);
  // An older program must refuse the newer schema.
  const std::string_view v1[] = {kV1};
  EXPECT_EQ(db->Migrate(v1).code(), ResultCode::kUnsupportedVersion);
}

// Before, a refused bind was ignored and the statement ran with NULL there.
TEST_F(SqliteTest, RefusedBindFailsTheStepAndWritesNothing) {
  Result<Database> db = Database::Open(dir_ + "/c.db", true);
  ASSERT_TRUE(db.ok());
  const std::string_view v1[] = {"CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)"};
  ASSERT_TRUE(db->Migrate(v1).ok());
  Result<Statement> ins = db->Prepare("INSERT INTO t(b) VALUES (?1)");
  ASSERT_TRUE(ins.ok());
  Status s = ins->Bind(2, "no such parameter").Run();
  EXPECT_EQ(s.code(), ResultCode::kStorage);
  EXPECT_NE(s.message().find("parameter 2"), std::string::npos) << s.message();
  Result<Statement> q = db->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(*q->Step());
  EXPECT_EQ(q->Int(0), 0);
  // Reset() clears the error with the bindings.
  ins->Reset();
  EXPECT_TRUE(ins->Bind(1, "ok").Run().ok());
}

TEST_F(SqliteTest, FailedTransactionRollsBack) {
  Result<Database> db = Database::Open(dir_ + "/b.db", true);
  ASSERT_TRUE(db.ok());
  const std::string_view v1[] = {kV1};
  ASSERT_TRUE(db->Migrate(v1).ok());
  Status s = InTransaction(*db, [&] {
    ACTIVA_RETURN_IF_ERROR(db->Exec("INSERT INTO t(b) VALUES ('x')"));
    return Status(ResultCode::kKeyOverLimit, "limit");
  });
  EXPECT_EQ(s.code(), ResultCode::kKeyOverLimit);
  Result<Statement> q = db->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(*q->Step());
  EXPECT_EQ(q->Int(0), 0);
}

TEST_F(SqliteTest, OpeningAMissingFileWithoutCreateFails) {
  EXPECT_EQ(Database::Open(dir_ + "/none.db", false).status().code(), ResultCode::kFileNotFound);
}

// The copy holds what was committed, including what is still only in the
// WAL, is owner-only and one file; a second connection writing meanwhile
// does not disturb it.
TEST_F(SqliteTest, BackupCopiesCommittedRowsIntoOneOwnerOnlyFile) {
  std::string path = dir_ + "/live.db";
  Result<Database> db = Database::Open(path, true);
  ASSERT_TRUE(db.ok());
  const std::string_view v1[] = {kV1};
  ASSERT_TRUE(db->Migrate(v1).ok());
  for (int i = 0; i < 100; ++i) {
    Result<Statement> ins = db->Prepare("INSERT INTO t(b) VALUES (?1)");
    ASSERT_TRUE(ins.ok());
    ASSERT_TRUE(ins->Bind(1, "row").Run().ok());
  }
  Result<Database> reader = Database::Open(path, false);
  ASSERT_TRUE(reader.ok());
  const std::string copy = dir_ + "/copy.db";
  ASSERT_TRUE(reader->BackupTo(copy).ok());
  EXPECT_FALSE(std::filesystem::exists(copy + "-wal"));
  EXPECT_EQ(std::filesystem::status(copy).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  Result<Database> back = Database::Open(copy, false);
  ASSERT_TRUE(back.ok());
  Result<Statement> q = back->Prepare("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->Step());
  EXPECT_EQ(q->Int(0), 100);
  EXPECT_TRUE(back->QuickCheck().ok());
}

TEST_F(SqliteTest, QuickCheckNamesTheFileOfADamagedDatabase) {
  std::string path = dir_ + "/damaged.db";
  {
    Result<Database> db = Database::Open(path, true);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        db->Exec("PRAGMA journal_mode=DELETE; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                 "CREATE INDEX tb ON t(b);")
            .ok());
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE(db->Exec("INSERT INTO t(b) VALUES (hex(randomblob(40)))").ok());
    }
  }
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 16u * 4096);
  {
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, static_cast<long>(size / 2 / 4096 * 4096), SEEK_SET);
    for (int i = 0; i < 4096; ++i) std::fputc((i * 131 + 7) & 0xff, f);
    std::fclose(f);
  }
  // Opening may already notice (it sets the journal mode); else the check.
  Result<Database> db = Database::Open(path, false);
  Status s = db.ok() ? db->QuickCheck() : db.status();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
}

// unhex() is there on every SQLite (migrations use it): hex digits of
// either case become bytes; an odd count or anything else is NULL.
TEST_F(SqliteTest, UnhexDecodesHexAndRefusesTheRest) {
  Result<Database> db = Database::Open(dir_ + "/u.db", true);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Result<Statement> q = db->Prepare(
      "SELECT hex(unhex('00fFa0')), unhex('0g') IS NULL, unhex('abc') IS NULL, "
      "unhex(NULL) IS NULL, length(unhex(''))");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->Step());
  EXPECT_EQ(q->Text(0), "00FFA0");
  EXPECT_EQ(q->Int(1), 1);
  EXPECT_EQ(q->Int(2), 1);
  EXPECT_EQ(q->Int(3), 1);
  EXPECT_EQ(q->Int(4), 0);
}

// An empty span binds an empty BLOB, which sorts below every other BLOB;
// SQLite would bind NULL for its null pointer, which compares as nothing.
TEST_F(SqliteTest, AnEmptyBlobIsNotNull) {
  Result<Database> db = Database::Open(dir_ + "/b.db", true);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  for (bool copied : {true, false}) {
    Result<Statement> q = db->Prepare("SELECT ?1 IS NULL, X'00' > ?1, typeof(?1)");
    ASSERT_TRUE(q.ok());
    if (copied) {
      q->BindBlob(1, {});
    } else {
      q->BindStaticBlob(1, {});
    }
    ASSERT_TRUE(*q->Step());
    EXPECT_EQ(q->Int(0), 0);
    EXPECT_EQ(q->Int(1), 1);
    EXPECT_EQ(q->Text(2), "blob");
  }
}

}  // namespace
}  // namespace activa
