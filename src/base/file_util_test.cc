#include "base/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

namespace activa {
namespace {

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "activa-file-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileUtilTest, WritesWithModeAndRefusesToOverwrite) {
  std::string path = dir_ + "/secret";
  ASSERT_TRUE(WriteFileAtomic(path, "one", 0600, false).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Status again = WriteFileAtomic(path, "two", 0600, false);
  EXPECT_EQ(again.code(), ResultCode::kFileExists);
  EXPECT_EQ(*ReadFile(path), "one");  // untouched
  ASSERT_TRUE(WriteFileAtomic(path, "three", 0644, true).ok());
  EXPECT_EQ(*ReadFile(path), "three");
}

TEST_F(FileUtilTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadFile(dir_ + "/nothing").status().code(), ResultCode::kFileNotFound);
}

}  // namespace
}  // namespace activa
