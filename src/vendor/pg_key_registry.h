// KeyRegistry in a PostgreSQL database (libpqxx), for a vendor that runs
// several clearinghouse processes on one ledger (docs/clearinghouse.md).
//
// Every limit check runs in the same transaction as the write it guards,
// after locking the key's row (SELECT ... FOR UPDATE): all processes that
// touch one key take turns on it, keys never wait for each other. The .cc
// says why this rather than SERIALIZABLE.
//
// One object holds one connection and is used from one thread; a server
// opens one per worker. libpqxx stays inside the .cc: this header is all
// that other components see.
#ifndef ACTIVA_VENDOR_PG_KEY_REGISTRY_H_
#define ACTIVA_VENDOR_PG_KEY_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "vendor/key_registry.h"

namespace activa {

// Whether `url` names a PostgreSQL database (postgresql:// or postgres://).
bool IsPostgresUrl(std::string_view url);
// `url` with its password, if any, replaced by "***": for messages and logs.
std::string RedactDatabaseUrl(std::string_view url);

// What a ledger holds, row by row: what `activa-vendor migrate` compares.
struct LedgerCounts {
  std::int64_t keys = 0;
  std::int64_t host_activations = 0;
  std::int64_t revoked_hosts = 0;
  std::int64_t revocation_lists = 0;
  std::int64_t mak_activations = 0;
  std::int64_t audit_records = 0;
  bool operator==(const LedgerCounts&) const = default;
};

class PgKeyRegistry : public KeyRegistry {
 public:
  // Connects and brings the schema up to date (schema_migrations), then
  // checks that the database is the ledger of the vendor `vendor_id` (an
  // empty database becomes it). Errors: kInvalidArgument for a URL that is
  // not postgresql://, kStorage (naming the redacted URL) when the server
  // cannot be reached or refuses, kInvalidData when the database belongs to
  // another vendor or has a schema newer than this program.
  static Result<std::unique_ptr<PgKeyRegistry>> Open(const std::string& url,
                                                     std::string_view vendor_id);
  ~PgKeyRegistry() override;

  Result<MintedKey> Mint(const MintedKey& spec,
                         const std::function<std::string(std::uint32_t)>& make_text) override;
  Result<std::optional<MintedKey>> Find(std::uint32_t serial) override;
  Status Revoke(std::uint32_t serial) override;
  Status RecordHostActivation(std::uint32_t serial, const MachineTag& machine,
                              const PublicKey& host_key, std::int64_t now) override;
  Status RecordMakActivation(std::uint32_t serial, const MachineTag& machine,
                             const PublicKey& machine_key, const Uuid& edition,
                             std::int64_t now) override;
  Result<std::vector<MintedKey>> List() override;
  Status RecordHostRenewal(std::uint32_t serial, const PublicKey& host_key,
                           std::int64_t now) override;
  Status AppendAudit(const AuditRecord& record) override;
  Result<std::vector<AuditRecord>> ListAudit(std::optional<std::uint32_t> key_serial,
                                             std::int64_t since, std::size_t limit) override;
  Status RevokeHost(const PublicKey& host_key, std::int64_t now) override;
  Result<std::vector<PublicKey>> RevokedHosts() override;
  Result<std::uint64_t> NextRevocationSerial(std::int64_t now) override;

  Result<LedgerCounts> Count();

  // Copies the SQLite ledger at `sqlite_path` (brought up to date first)
  // into this database in one transaction, refusing (kFileExists) unless
  // this ledger is empty, and checks that every table holds as many rows as
  // the source before committing. The counts copied.
  Result<LedgerCounts> CopyFromSqlite(const std::string& sqlite_path);

 private:
  struct Impl;
  explicit PgKeyRegistry(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace activa

#endif  // ACTIVA_VENDOR_PG_KEY_REGISTRY_H_
