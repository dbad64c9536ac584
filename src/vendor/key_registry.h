// KeyRegistry: what the vendor remembers about the keys it minted.
//
// Host keys carry limits (how many hosts, how many activations each); MAKs
// carry an activation count. Implementations must make limit checks atomic
// with the write that uses them, across processes sharing the store, so a
// limit holds whatever the concurrency.
#ifndef ACTIVA_VENDOR_KEY_REGISTRY_H_
#define ACTIVA_VENDOR_KEY_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/uuid.h"
#include "cert/host_certificate.h"
#include "crypto/signing.h"
#include "keys/product_key.h"

namespace activa {

inline constexpr int kDefaultMaxHosts = 6;
inline constexpr int kDefaultMaxActivations = 10;

// One attempt recorded in the audit log: every online activation, renewal
// and revocation-list request and every phone confirmation, refused ones too.
struct AuditRecord {
  std::int64_t time = 0;         // Unix seconds
  std::string source;            // the client's address, or "phone" for `activa-vendor confirm`
  std::string operation;         // "activate", "renew", "confirm" (phone), "revocations"
  std::uint32_t key_serial = 0;  // 0 when the request named no key that could be read
  std::string key_kind;          // "host", "mak" or ""
  std::string machine;           // the machine tag in hex, or ""
  std::uint32_t result = 0;      // the result code
  std::string message;
};

struct MintedKey {
  std::uint32_t serial = 0;
  KeyKind kind = KeyKind::kHost;
  std::uint16_t item = 0;  // group code (host keys) or edition code (MAKs)
  std::string item_name;
  std::string text;            // the 25-character key
  int max_hosts = 0;           // host keys
  int max_activations = 0;     // host keys: per host
  int mak_count = 0;           // MAKs
  int certificate_days = 365;  // host keys: how long each host certificate lasts
  bool revoked = false;
  std::int64_t created = 0;
  int hosts_used = 0;  // distinct host public keys activated (host keys)
  // Host keys: all activations recorded. MAKs: the distinct machines
  // (machine public keys) holding an activation, what mak_count limits.
  int activations_used = 0;
};

class KeyRegistry {
 public:
  virtual ~KeyRegistry() = default;

  // Allocates the next serial, builds the key text with `make_text(serial)`
  // and stores the key described by `spec` (serial and text filled in).
  virtual Result<MintedKey> Mint(const MintedKey& spec,
                                 const std::function<std::string(std::uint32_t)>& make_text) = 0;
  // nullopt when no key has that serial.
  virtual Result<std::optional<MintedKey>> Find(std::uint32_t serial) = 0;
  virtual Status Revoke(std::uint32_t serial) = 0;
  // Records one activation of the host whose key pair is `host_key` with
  // host key `serial`. A host is counted by its public key, never by the
  // `machine` tag it reports about itself (kept for the record only).
  // kKeyOverLimit, naming the limit, when the key already activates
  // max_hosts other host public keys or this one max_activations times;
  // kKeyRevoked for a revoked key; kNotFound for an unknown serial.
  virtual Status RecordHostActivation(std::uint32_t serial, const MachineTag& machine,
                                      const PublicKey& host_key, std::int64_t now) = 0;
  // Records the activation of MAK `serial` for the machine whose key pair
  // is `machine_key`, of `edition`: a machine is its public key (the tag is
  // kept for the record only), and the same machine again is OK and uses
  // no second activation. The check and the use are one atomic step in the
  // store, across processes: the count is never oversold. kKeyOverLimit,
  // naming the count, when mak_count other machines already hold it;
  // kKeyRevoked for a revoked MAK; kInvalidKey for an unknown serial (as
  // RecordHostActivation); kWrongKeyKind when the serial is a host key.
  virtual Status RecordMakActivation(std::uint32_t serial, const MachineTag& machine,
                                     const PublicKey& machine_key, const Uuid& edition,
                                     std::int64_t now) = 0;
  virtual Result<std::vector<MintedKey>> List() = 0;
  // A host that already holds an activation of host key `serial` under its
  // key pair `host_key` renews its certificate: recorded (last seen), no
  // reactivation used. kKeyRevoked when the key or the host is revoked;
  // kNotFound when this key pair never activated this key (it must
  // activate); kInvalidKey for an unknown serial; kWrongKeyKind for a MAK.
  virtual Status RecordHostRenewal(std::uint32_t serial, const PublicKey& host_key,
                                   std::int64_t now) = 0;

  // Appends one record to the audit log.
  virtual Status AppendAudit(const AuditRecord& record) = 0;
  // The audit records at or after `since` (Unix seconds), of key
  // `key_serial` only when given, oldest first, at most `limit` of them.
  virtual Result<std::vector<AuditRecord>> ListAudit(std::optional<std::uint32_t> key_serial,
                                                     std::int64_t since, std::size_t limit) = 0;

  // Withdraws every certificate of the host whose key pair is `host_key`:
  // it is listed in revocation lists and never confirmed again.
  virtual Status RevokeHost(const PublicKey& host_key, std::int64_t now) = 0;
  virtual Result<std::vector<PublicKey>> RevokedHosts() = 0;
  // Allocates the next revocation list serial (1, 2, ...), recording its
  // issue time, so no two lists share a serial.
  virtual Result<std::uint64_t> NextRevocationSerial(std::int64_t now) = 0;
};

}  // namespace activa

#endif  // ACTIVA_VENDOR_KEY_REGISTRY_H_
