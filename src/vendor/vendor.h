// The vendor's side of Activa (DESIGN.md section 8): one vendor directory
// holds the signing key (vendor.key, mode 0600), the definition of what the
// vendor sells (vendor.toml) and the record of minted keys: the SQLite file
// vendor.db, or the PostgreSQL database named by database.url (mode 0600,
// one line `postgresql://user@host:port/db`) once the vendor moved there.
//
// A Vendor is opened on a directory and used from one thread. Times are
// passed in (Unix seconds), so tests control them.
#ifndef ACTIVA_VENDOR_VENDOR_H_
#define ACTIVA_VENDOR_VENDOR_H_

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "crypto/signing.h"
#include "offline/offline_activation.h"
#include "vendor/key_registry.h"
#include "vendor/pg_key_registry.h"

namespace activa {

class Vendor {
 public:
  // Creates VENDORDIR (or uses an empty existing one) with a new key, the
  // example vendor.toml and an empty key database. Refuses (kFileExists) when
  // a vendor key is already there: a vendor key is never replaced by mistake.
  // With `db_url` (postgresql://...), the ledger is that database from the
  // start (recorded in database.url) and no vendor.db is made.
  static Status Init(const std::string& dir, std::string_view name, const std::string& db_url = "");
  // Loads the key, the definition and the ledger: the database
  // `database_url` names when given (OpenKeyRegistry in
  // vendor/registry_url.h), else the PostgreSQL database that database.url
  // records, else vendor.db. Errors name the file or the database (never
  // its password).
  static Result<Vendor> Open(const std::string& dir);
  static Result<Vendor> Open(const std::string& dir, std::string_view database_url);
  // Moves the vendor's ledger from vendor.db to the empty PostgreSQL
  // database `url`: every row in one transaction, the counts checked, then
  // database.url written so later commands use it. Refuses (kFileExists)
  // when the directory already moved or the database is not empty. The
  // rows copied.
  static Result<LedgerCounts> MigrateToPostgres(const std::string& dir, const std::string& url);

  Vendor(Vendor&&) noexcept;
  Vendor& operator=(Vendor&&) noexcept;
  ~Vendor();

  // The catalog as it would be signed now (with setup keys filled in).
  const Catalog& catalog() const { return catalog_; }
  // The signed catalog file's text.
  Result<std::string> SignedCatalog(std::int64_t now) const;
  // The same, pinning the clearinghouse's TLS keys (Catalog::clearinghouse_pins).
  Result<std::string> SignedCatalog(std::int64_t now,
                                    const std::vector<std::string>& clearinghouse_pins) const;

  // `certificate_days` (1..3650) is how long the host certificate of each
  // of the key's activations lasts.
  Result<MintedKey> MintHostKey(std::string_view group, int max_hosts, int max_activations,
                                std::int64_t now, int certificate_days = kDefaultCertificateDays);
  Result<MintedKey> MintMak(std::string_view edition, int count, std::int64_t now);
  // Checks the key in `installation_id` and its limits, records the
  // activation and returns the confirmation ID's text. A host key: every
  // confirmation, a reactivation too, carries a fresh certificate of the
  // key's certificate_days from today. A MAK: its edition must be in the
  // catalog; the machine (its public key) takes one of the MAK's count,
  // once (the same machine again uses none), and gets a MAK activation
  // (offline/mak_activation.h) that never expires.
  Result<std::string> Confirm(std::string_view installation_id, std::int64_t now);
  // Online renewal: a host that already activated the host key in
  // `installation_id` under the same key pair gets a fresh certificate of
  // the key's certificate_days, using no reactivation
  // (KeyRegistry::RecordHostRenewal says when it is refused).
  Result<std::string> Renew(std::string_view installation_id, std::int64_t now);
  Status Revoke(std::string_view product_key);
  // Revokes the host certificate(s) of the host that shows
  // `installation_id`: by its public key, whatever host key it holds.
  Status RevokeHost(std::string_view installation_id, std::int64_t now);
  // The text of a new signed revocation list (next serial) of everything
  // revoked so far: host keys, hosts and MAKs.
  Result<std::string> SignedRevocations(std::int64_t now);
  Result<std::vector<MintedKey>> ListKeys();
  // What the ledger has revoked (keys and hosts) as one comparable text:
  // equal texts mean a new revocation list would say the same.
  Result<std::string> RevocationState();
  // Reaches the key database (for a readiness check): kStorage when it is
  // unavailable.
  Status CheckDatabase();

  Status AppendAudit(const AuditRecord& record);
  Result<std::vector<AuditRecord>> ListAudit(std::optional<std::uint32_t> key_serial,
                                             std::int64_t since, std::size_t limit);

 private:
  Vendor(SigningKey key, Catalog catalog, std::unique_ptr<KeyRegistry> registry);
  // A host key's activation or renewal: checks the key, records the use
  // with `record(serial)` and returns the fresh certificate's confirmation.
  Result<std::string> ConfirmHost(const InstallationId& iid, std::int64_t now,
                                  const std::function<Status(std::uint32_t)>& record);
  // Checks a key typed by a person: this vendor's, the MAC right, of `kind`.
  Result<ProductKey> CheckOwnKey(std::string_view text, KeyKind kind) const;
  // Confirm()'s MAK branch.
  Result<std::string> ConfirmMak(const InstallationId& iid, std::int64_t now);

  SigningKey key_;
  std::array<std::uint8_t, 32> mint_secret_{};
  Catalog catalog_;
  std::unique_ptr<KeyRegistry> registry_;
};

}  // namespace activa

#endif  // ACTIVA_VENDOR_VENDOR_H_
