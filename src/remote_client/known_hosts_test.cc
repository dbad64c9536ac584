#include "remote_client/known_hosts.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/file_util.h"

namespace activa::remote_client {
namespace {

class KnownHostsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/activa-known-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/home/.config/activa/known_hosts";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, path_;
};

TEST_F(KnownHostsTest, PinsInAPrivateFileAndFolder) {
  Result<KnownHosts> k = KnownHosts::Load(path_);
  ASSERT_TRUE(k.ok());
  EXPECT_FALSE(k->Find("kms1:1689"));
  ASSERT_TRUE(k->Pin("kms1:1689", "SHA256:abc").ok());
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ + "/home/.config/activa").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(*ReadFile(path_), "kms1:1689 SHA256:abc\n");
  Result<KnownHosts> again = KnownHosts::Load(path_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Find("kms1:1689"), "SHA256:abc");
  EXPECT_FALSE(again->Find("kms1:1690"));  // per port, as the target was written
}

TEST_F(KnownHostsTest, ForgetDropsOnlyThatLineAndKeepsComments) {
  std::filesystem::create_directories(dir_ + "/home/.config/activa");
  ASSERT_TRUE(WriteFileAtomic(path_, "# mine\n[::1]:1689 SHA256:one\n10.0.0.5:1689 SHA256:two\n",
                              0600, true)
                  .ok());
  Result<KnownHosts> k = KnownHosts::Load(path_);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->Find("[::1]:1689"), "SHA256:one");
  Result<bool> forgot = k->Forget("[::1]:1689");
  ASSERT_TRUE(forgot.ok());
  EXPECT_TRUE(*forgot);
  EXPECT_EQ(*ReadFile(path_), "# mine\n10.0.0.5:1689 SHA256:two\n");
  EXPECT_FALSE(*k->Forget("[::1]:1689"));
}

TEST_F(KnownHostsTest, ABrokenLineIsNamed) {
  std::filesystem::create_directories(dir_ + "/home/.config/activa");
  ASSERT_TRUE(WriteFileAtomic(path_, "kms1:1689 SHA256:a\nkms2:1689 md5:zz\n", 0600, true).ok());
  Result<KnownHosts> k = KnownHosts::Load(path_);
  EXPECT_EQ(k.status().code(), ResultCode::kInvalidData);
  EXPECT_NE(k.status().message().find("known_hosts:2"), std::string::npos) << k.status().message();
}

}  // namespace
}  // namespace activa::remote_client
