// KeyRegistry in an SQLite file under the vendor directory (vendor.db).
// Several processes may share the file: limit checks run inside
// BEGIN IMMEDIATE transactions. One object is used from one thread.
#ifndef ACTIVA_VENDOR_SQLITE_KEY_REGISTRY_H_
#define ACTIVA_VENDOR_SQLITE_KEY_REGISTRY_H_

#include <string>

#include "storage/sqlite.h"
#include "vendor/key_registry.h"

namespace activa {

class SqliteKeyRegistry : public KeyRegistry {
 public:
  // Opens (creating when `create`) and migrates the database.
  static Result<SqliteKeyRegistry> Open(const std::string& path, bool create);

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
  Status RevokeHost(const PublicKey& host_key, std::int64_t now) override;
  Result<std::vector<PublicKey>> RevokedHosts() override;
  Result<std::uint64_t> NextRevocationSerial(std::int64_t now) override;
  Status RecordHostRenewal(std::uint32_t serial, const PublicKey& host_key,
                           std::int64_t now) override;
  Status AppendAudit(const AuditRecord& record) override;
  Result<std::vector<AuditRecord>> ListAudit(std::optional<std::uint32_t> key_serial,
                                             std::int64_t since, std::size_t limit) override;

 private:
  explicit SqliteKeyRegistry(Database db) : db_(std::move(db)) {}
  Result<std::vector<MintedKey>> Query(std::string_view where, std::int64_t serial);
  Database db_;
};

}  // namespace activa

#endif  // ACTIVA_VENDOR_SQLITE_KEY_REGISTRY_H_
