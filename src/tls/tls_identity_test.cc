#include "tls/tls_identity.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "base/file_util.h"
#include "gtest/gtest.h"

namespace activa::tls {
namespace {

class TlsIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/activa-tls-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    options_.common_name = "Activa test";
    options_.remedy = "give both files";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  SelfSignedOptions options_;
};

TEST_F(TlsIdentityTest, MakesAPrivateKeyAndAStableFingerprint) {
  const std::string cert = dir_ + "/a.crt", key = dir_ + "/a.key";
  ASSERT_TRUE(EnsureSelfSignedIdentity(cert, key, options_).ok());
  struct stat st;
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<std::string> fp = CertificateFingerprintOfFile(cert);
  ASSERT_TRUE(fp.ok()) << fp.status().ToString();
  EXPECT_EQ(fp->rfind("SHA256:", 0), 0u);
  EXPECT_EQ(fp->size(), 7u + 43u);  // 32 bytes in base64 without padding
  // A second call keeps what exists.
  ASSERT_TRUE(EnsureSelfSignedIdentity(cert, key, options_).ok());
  EXPECT_EQ(*CertificateFingerprintOfFile(cert), *fp);
  // Another certificate has another fingerprint.
  ASSERT_TRUE(EnsureSelfSignedIdentity(dir_ + "/b.crt", dir_ + "/b.key", options_).ok());
  EXPECT_NE(*CertificateFingerprintOfFile(dir_ + "/b.crt"), *fp);
  Result<std::string> pin = SpkiPinOfCertificateFile(cert);
  ASSERT_TRUE(pin.ok());
  EXPECT_TRUE(IsWellFormedSpkiPin(*pin));
}

TEST_F(TlsIdentityTest, ALoneKeyIsRefusedNotReplaced) {
  const std::string cert = dir_ + "/a.crt", key = dir_ + "/a.key";
  ASSERT_TRUE(WriteFileAtomic(key, "not a key\n", 0600, false).ok());
  Status s = EnsureSelfSignedIdentity(cert, key, options_);
  EXPECT_EQ(s.code(), ResultCode::kFileExists);
  EXPECT_NE(s.message().find("give both files"), std::string::npos) << s.message();
  EXPECT_EQ(*ReadFile(key), "not a key\n");
}

TEST_F(TlsIdentityTest, AFileWithoutACertificateIsNamed) {
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/x.pem", "hello\n", 0644, false).ok());
  Result<std::string> fp = CertificateFingerprintOfFile(dir_ + "/x.pem");
  EXPECT_EQ(fp.status().code(), ResultCode::kInvalidData);
  EXPECT_NE(fp.status().message().find("x.pem"), std::string::npos);
}

}  // namespace
}  // namespace activa::tls
