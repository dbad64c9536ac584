#include "crypto/signing.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

namespace activa {
namespace {

Bytes Seed(std::uint8_t fill) { return Bytes(32, fill); }

TEST(SigningTest, SignAndVerifyWithContext) {
  SigningKey key = SigningKey::FromSeed(Seed(1));
  const Bytes msg = {1, 2, 3};
  Signature sig = key.Sign("activa/test/v1", msg);
  EXPECT_TRUE(Verify(key.public_key(), "activa/test/v1", msg, sig));
  // The same bytes under another context must not verify: no cross-type reuse.
  EXPECT_FALSE(Verify(key.public_key(), "activa/other/v1", msg, sig));
  Bytes changed = msg;
  changed[0] ^= 1;
  EXPECT_FALSE(Verify(key.public_key(), "activa/test/v1", changed, sig));
  sig[10] ^= 0x80;
  EXPECT_FALSE(Verify(key.public_key(), "activa/test/v1", msg, sig));
}

TEST(SigningTest, DeterministicFromSeedAndKeyIdsDiffer) {
  SigningKey a = SigningKey::FromSeed(Seed(1));
  SigningKey b = SigningKey::FromSeed(Seed(1));
  SigningKey c = SigningKey::FromSeed(Seed(2));
  EXPECT_EQ(a.public_key(), b.public_key());
  EXPECT_EQ(a.key_id(), b.key_id());
  EXPECT_NE(a.key_id(), c.key_id());
  KeySeed seed = a.ExportSeed();
  EXPECT_EQ(Bytes(seed.begin(), seed.end()), Seed(1));
}

TEST(SigningTest, KeyFileIsPrivateAndLoadsBack) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "activa-key-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  std::string path = tmpl + "/vendor.key";
  SigningKey key = SigningKey::Generate();
  ASSERT_TRUE(SaveSigningKey(key, path).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(SaveSigningKey(key, path).code(), ResultCode::kFileExists);
  Result<SigningKey> loaded = LoadSigningKey(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->public_key(), key.public_key());
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(LoadSigningKey(path).status().code(), ResultCode::kAccessDenied);
  std::filesystem::remove_all(tmpl);
}

TEST(SigningTest, ConstantTimeEqual) {
  const Bytes a = {1, 2, 3}, b = {1, 2, 3}, c = {1, 2, 4}, d = {1, 2};
  EXPECT_TRUE(ConstantTimeEqual(a, b));
  EXPECT_FALSE(ConstantTimeEqual(a, c));
  EXPECT_FALSE(ConstantTimeEqual(a, d));
}

}  // namespace
}  // namespace activa
