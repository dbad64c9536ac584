// Ed25519 signatures with domain separation, key IDs, hashing and randomness
// (libsodium).
//
// Every signature in Activa is made over `context || 0x00 || message`, where
// the context names the signed object's type and version ("activa/catalog/v1").
// A signature of one kind therefore never verifies as another kind.
//
// SigningKey holds its secret in sodium_malloc'd memory (guarded pages, never
// swapped out where the system allows), wipes it on destruction, cannot be
// copied, and has no way to print itself.
#ifndef ACTIVA_CRYPTO_SIGNING_H_
#define ACTIVA_CRYPTO_SIGNING_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace activa {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;
using KeySeed = std::array<std::uint8_t, 32>;
// Names a public key: the first 8 bytes of BLAKE2b("activa/key-id/v1" || key).
using KeyId = std::array<std::uint8_t, 8>;

// Must be called once before any other function here; safe to call again.
void InitCrypto();

class SigningKey {
 public:
  // A new random key.
  static SigningKey Generate();
  // The key for a 32-byte seed (test vectors, key files).
  static SigningKey FromSeed(ByteSpan seed);

  SigningKey(SigningKey&& other) noexcept;
  SigningKey& operator=(SigningKey&& other) noexcept;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey();

  const PublicKey& public_key() const { return public_key_; }
  KeyId key_id() const;
  Signature Sign(std::string_view context, ByteSpan message) const;
  // The 32-byte seed, for writing the key file; the caller wipes the copy.
  KeySeed ExportSeed() const;

 private:
  SigningKey();
  std::uint8_t* secret_ = nullptr;  // 64 bytes, sodium_malloc
  PublicKey public_key_{};
};

bool Verify(const PublicKey& key, std::string_view context, ByteSpan message,
            const Signature& signature);

KeyId KeyIdOf(const PublicKey& key);

// BLAKE2b of `data` with an output of `out.size()` bytes (16 to 64), keyed
// when `key` is not empty (at most 64 bytes). Sizes out of range abort:
// they are programming errors, never input.
void Blake2b(std::span<std::uint8_t> out, ByteSpan data, ByteSpan key = {});

void RandomBytes(std::span<std::uint8_t> out);

// Constant-time comparison for secrets and MACs.
bool ConstantTimeEqual(ByteSpan a, ByteSpan b);
// The same for secrets held as text (session and CSRF tokens).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// Key file: one line "activa-ed25519-seed-v1 BASE64SEED\n", mode 0600.
// Loading refuses a file that group or others can read.
Status SaveSigningKey(const SigningKey& key, const std::string& path);
Result<SigningKey> LoadSigningKey(const std::string& path);
// The same file's text, for callers that do their own file access (through
// base/system.h). ParseSigningKeyFile wipes `text`; `path` names the file in
// its error.
std::string SigningKeyFileText(const SigningKey& key);
Result<SigningKey> ParseSigningKeyFile(std::string text, const std::string& path);

}  // namespace activa

#endif  // ACTIVA_CRYPTO_SIGNING_H_
