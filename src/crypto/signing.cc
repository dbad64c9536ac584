#include "crypto/signing.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "base/file_util.h"

namespace activa {
namespace {

constexpr std::string_view kKeyFileTag = "activa-ed25519-seed-v1";

Bytes WithContext(std::string_view context, ByteSpan message) {
  Bytes m;
  m.reserve(context.size() + 1 + message.size());
  m.insert(m.end(), context.begin(), context.end());
  m.push_back(0);
  m.insert(m.end(), message.begin(), message.end());
  return m;
}

}  // namespace

void InitCrypto() {
  if (sodium_init() < 0) {
    // Without a working libsodium there is no safe way to go on.
    std::abort();
  }
}

SigningKey::SigningKey() {
  InitCrypto();
  secret_ = static_cast<std::uint8_t*>(sodium_malloc(crypto_sign_SECRETKEYBYTES));
  if (secret_ == nullptr) std::abort();
}

SigningKey::SigningKey(SigningKey&& other) noexcept
    : secret_(std::exchange(other.secret_, nullptr)), public_key_(other.public_key_) {}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
  if (this != &other) {
    if (secret_ != nullptr) sodium_free(secret_);
    secret_ = std::exchange(other.secret_, nullptr);
    public_key_ = other.public_key_;
  }
  return *this;
}

SigningKey::~SigningKey() {
  if (secret_ != nullptr) sodium_free(secret_);  // sodium_free wipes first
}

SigningKey SigningKey::Generate() {
  SigningKey key;
  crypto_sign_keypair(key.public_key_.data(), key.secret_);
  return key;
}

SigningKey SigningKey::FromSeed(ByteSpan seed) {
  SigningKey key;
  if (seed.size() != crypto_sign_SEEDBYTES) std::abort();
  crypto_sign_seed_keypair(key.public_key_.data(), key.secret_, seed.data());
  return key;
}

KeyId SigningKey::key_id() const { return KeyIdOf(public_key_); }

Signature SigningKey::Sign(std::string_view context, ByteSpan message) const {
  Bytes m = WithContext(context, message);
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), secret_);
  return sig;
}

KeySeed SigningKey::ExportSeed() const {
  KeySeed seed;
  crypto_sign_ed25519_sk_to_seed(seed.data(), secret_);
  return seed;
}

bool Verify(const PublicKey& key, std::string_view context, ByteSpan message,
            const Signature& signature) {
  InitCrypto();
  Bytes m = WithContext(context, message);
  return crypto_sign_verify_detached(signature.data(), m.data(), m.size(), key.data()) == 0;
}

KeyId KeyIdOf(const PublicKey& key) {
  Bytes m = WithContext("activa/key-id/v1", key);
  std::array<std::uint8_t, 16> h;
  Blake2b(h, m);
  KeyId id;
  std::copy_n(h.begin(), id.size(), id.begin());
  return id;
}

void Blake2b(std::span<std::uint8_t> out, ByteSpan data, ByteSpan key) {
  InitCrypto();
  // An out-of-range size would leave `out` unwritten, and a MAC of zeros
  // would then match forged input: refuse loudly instead.
  if (crypto_generichash(out.data(), out.size(), data.data(), data.size(),
                         key.empty() ? nullptr : key.data(), key.size()) != 0) {
    std::abort();
  }
}

void RandomBytes(std::span<std::uint8_t> out) {
  InitCrypto();
  randombytes_buf(out.data(), out.size());
}

bool ConstantTimeEqual(ByteSpan a, ByteSpan b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;  // sodium_memcmp's pointers must not be null
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return ConstantTimeEqual(ByteSpan(reinterpret_cast<const std::uint8_t*>(a.data()), a.size()),
                           ByteSpan(reinterpret_cast<const std::uint8_t*>(b.data()), b.size()));
}

std::string SigningKeyFileText(const SigningKey& key) {
  KeySeed seed = key.ExportSeed();
  std::string line = std::string(kKeyFileTag) + " " + Base64Encode(seed) + "\n";
  sodium_memzero(seed.data(), seed.size());
  return line;
}

Result<SigningKey> ParseSigningKeyFile(std::string text, const std::string& path) {
  std::string prefix = std::string(kKeyFileTag) + " ";
  Status bad(ResultCode::kInvalidData, path + ": not an Activa signing key file");
  if (text.compare(0, prefix.size(), prefix) != 0) {
    sodium_memzero(text.data(), text.size());
    return bad;
  }
  std::string_view b64 = std::string_view(text).substr(prefix.size());
  while (!b64.empty() && (b64.back() == '\n' || b64.back() == '\r')) b64.remove_suffix(1);
  Bytes seed;
  bool decoded = Base64Decode(b64, &seed);
  sodium_memzero(text.data(), text.size());
  if (!decoded || seed.size() != crypto_sign_SEEDBYTES) {
    if (!seed.empty()) sodium_memzero(seed.data(), seed.size());
    return bad;
  }
  SigningKey key = SigningKey::FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Status SaveSigningKey(const SigningKey& key, const std::string& path) {
  std::string line = SigningKeyFileText(key);
  Status s = WriteFileAtomic(path, line, 0600, /*overwrite=*/false);
  sodium_memzero(line.data(), line.size());
  return s;
}

Result<SigningKey> LoadSigningKey(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status(ResultCode::kFileNotFound, path + ": no such key file");
  }
  if ((st.st_mode & 077) != 0) {
    return Status(ResultCode::kAccessDenied,
                  path + ": key file is readable by group or others; run chmod 600 " + path);
  }
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseSigningKeyFile(std::move(text).value(), path);
}

}  // namespace activa
