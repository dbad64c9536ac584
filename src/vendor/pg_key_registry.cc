#include "vendor/pg_key_registry.h"

#include <algorithm>
#include <cstdint>
#include <pqxx/pqxx>

#include "base/bytes.h"
#include "storage/sqlite.h"

namespace activa {
namespace {

// Schema migrations, in order; never edit a shipped step, add one. Version
// N is kMigrations[N - 1]; schema_migrations lists the versions applied.
//
// The tables mirror the SQLite ledger's (sqlite_key_registry.cc), so that
// `activa-vendor migrate` copies rows one to one, plus ledger_owner: the
// vendor whose ledger this is, so two vendor directories pointed at one
// database by mistake cannot mix their keys.
constexpr std::string_view kMigrations[] = {
    R"sql(
CREATE TABLE ledger_owner (
  only_row        BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
  vendor_id       TEXT    NOT NULL
);
CREATE TABLE minted_keys (
  serial          INTEGER PRIMARY KEY CHECK (serial BETWEEN 1 AND 536870911),
  kind            TEXT    NOT NULL CHECK (kind IN ('host', 'mak')),
  item            INTEGER NOT NULL CHECK (item BETWEEN 0 AND 4095),
  item_name       TEXT    NOT NULL,
  key_text        TEXT    NOT NULL UNIQUE,
  max_hosts       INTEGER NOT NULL DEFAULT 0,
  max_activations INTEGER NOT NULL DEFAULT 0,
  mak_count       INTEGER NOT NULL DEFAULT 0,
  certificate_days INTEGER NOT NULL DEFAULT 365,
  revoked         BOOLEAN NOT NULL DEFAULT FALSE,
  created         BIGINT  NOT NULL
);
CREATE TABLE host_key_activations (
  serial          INTEGER NOT NULL REFERENCES minted_keys(serial),
  host_public_key TEXT    NOT NULL,
  machine_tag     TEXT    NOT NULL,
  activations     INTEGER NOT NULL,
  first_at        BIGINT  NOT NULL,
  last_at         BIGINT  NOT NULL,
  PRIMARY KEY (serial, host_public_key)
);
CREATE TABLE revoked_hosts (
  host_public_key TEXT    PRIMARY KEY,
  revoked_at      BIGINT  NOT NULL
);
CREATE TABLE revocation_lists (
  serial          BIGINT  PRIMARY KEY CHECK (serial >= 1),
  issued          BIGINT  NOT NULL
);
)sql",
    // MAK activations: one row per machine (its public key) holding a MAK,
    // as in vendor.db; a MAK's use is its number of rows.
    R"sql(
CREATE TABLE mak_activations (
  serial             INTEGER NOT NULL REFERENCES minted_keys(serial),
  machine_public_key TEXT    NOT NULL,
  machine_tag        TEXT    NOT NULL,
  edition_id         TEXT    NOT NULL,
  activations        INTEGER NOT NULL,
  first_at           BIGINT  NOT NULL,
  last_at            BIGINT  NOT NULL,
  PRIMARY KEY (serial, machine_public_key)
);
)sql",
    // The clearinghouse's audit log, as in vendor.db: every attempt, refused
    // ones too, so no foreign key on the serial.
    R"sql(
CREATE TABLE audit_log (
  id              BIGSERIAL PRIMARY KEY,
  time            BIGINT  NOT NULL,
  source          TEXT    NOT NULL,
  operation       TEXT    NOT NULL,
  key_serial      BIGINT  NOT NULL,
  key_kind        TEXT    NOT NULL,
  machine         TEXT    NOT NULL,
  result          BIGINT  NOT NULL,
  message         TEXT    NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (time);
CREATE INDEX audit_log_by_key ON audit_log (key_serial, time);
)sql",
};

// Transaction-scoped advisory locks (pg_advisory_xact_lock): what must be
// one at a time across every process on the database, beyond one key's row.
// Arbitrary numbers, fixed forever.
constexpr std::int64_t kMigrationLock = 0x41435456'00000001;  // "ACTV"...
constexpr std::int64_t kMintLock = 0x41435456'00000002;
constexpr std::int64_t kRevocationSerialLock = 0x41435456'00000003;

// The SQLite schema version (PRAGMA user_version) whose tables
// CopyFromSqlite knows. A step added to the SQLite ledger must be copied
// too: until CopyFromSqlite learns it, migrate refuses rather than leaving
// rows behind.
constexpr std::int64_t kSqliteVersionCopied = 6;

std::string_view KindText(KeyKind k) { return k == KeyKind::kHost ? "host" : "mak"; }

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string RedactDatabaseUrl(std::string_view url) {
  // scheme://user:password@host... : the password is between the first ':'
  // after the scheme and the last '@' before the path.
  std::size_t start = url.find("://");
  if (start == std::string_view::npos) return std::string(url);
  start += 3;
  std::size_t slash = url.find('/', start);
  std::string_view authority =
      url.substr(start, slash == std::string_view::npos ? slash : slash - start);
  std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::size_t colon = authority.find(':');
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, start + colon + 1)) + "***" +
         std::string(url.substr(start + at));
}

struct PgKeyRegistry::Impl {
  Impl(const std::string& url) : conn(url), where(RedactDatabaseUrl(url)) {}
  pqxx::connection conn;
  std::string where;  // the URL without its password, for messages

  // Runs `fn`, turning libpqxx's exceptions into a Status that names the
  // database and what was being done. Nothing throws past this.
  template <typename Fn>
  auto Guard(std::string_view what, Fn&& fn) -> decltype(fn()) {
    try {
      return fn();
    } catch (const pqxx::broken_connection& e) {
      return Status(ResultCode::kStorage,
                    "PostgreSQL at " + where + " cannot be reached: " + Trimmed(e.what()));
    } catch (const pqxx::in_doubt_error& e) {
      return Status(ResultCode::kStorage, "PostgreSQL at " + where + ": the connection broke " +
                                              "while committing (" + std::string(what) +
                                              "); the outcome is unknown");
    } catch (const std::exception& e) {
      return Status(ResultCode::kStorage,
                    "PostgreSQL at " + where + ": " + std::string(what) + ": " + Trimmed(e.what()));
    }
  }
};

namespace {

Status Migrate(pqxx::connection& conn) {
  pqxx::work tx(conn);
  // Two processes starting on a new database at once: the second waits,
  // then finds the steps applied.
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
  std::int64_t current =
      tx.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0].as<std::int64_t>();
  constexpr std::int64_t known = std::size(kMigrations);
  if (current > known) {
    return Status(ResultCode::kInvalidData, "the database's schema is version " +
                                                std::to_string(current) +
                                                ", newer than this program's " +
                                                std::to_string(known) + "; upgrade activa-vendor");
  }
  for (std::int64_t v = current + 1; v <= known; ++v) {
    tx.exec(std::string(kMigrations[v - 1]));
    tx.exec_params("INSERT INTO schema_migrations (version) VALUES ($1)", v);
  }
  tx.commit();
  return Status::Ok();
}

Status ClaimOwner(pqxx::connection& conn, std::string_view vendor_id) {
  pqxx::work tx(conn);
  tx.exec_params("INSERT INTO ledger_owner (vendor_id) VALUES ($1) ON CONFLICT DO NOTHING",
                 std::string(vendor_id));
  std::string owner = tx.exec("SELECT vendor_id FROM ledger_owner")[0][0].as<std::string>();
  tx.commit();
  if (owner != vendor_id) {
    return Status(ResultCode::kInvalidData, "the database holds the ledger of vendor " + owner +
                                                ", not of this vendor (" + std::string(vendor_id) +
                                                ")");
  }
  return Status::Ok();
}

MintedKey KeyFromRow(const pqxx::row& r) {
  MintedKey k;
  k.serial = r[0].as<std::uint32_t>();
  k.kind = r[1].as<std::string>() == "host" ? KeyKind::kHost : KeyKind::kMak;
  k.item = static_cast<std::uint16_t>(r[2].as<int>());
  k.item_name = r[3].as<std::string>();
  k.text = r[4].as<std::string>();
  k.max_hosts = r[5].as<int>();
  k.max_activations = r[6].as<int>();
  k.mak_count = r[7].as<int>();
  k.revoked = r[8].as<bool>();
  k.created = r[9].as<std::int64_t>();
  k.hosts_used = r[10].as<int>();
  k.activations_used = r[11].as<int>();
  k.certificate_days = r[12].as<int>();
  return k;
}

constexpr std::string_view kSelectKeys =
    "SELECT k.serial, k.kind, k.item, k.item_name, k.key_text, k.max_hosts, k.max_activations, "
    "k.mak_count, k.revoked, k.created, "
    "(SELECT COUNT(*) FROM host_key_activations h WHERE h.serial = k.serial), "
    "CASE k.kind WHEN 'mak' THEN "
    "(SELECT COUNT(*) FROM mak_activations m WHERE m.serial = k.serial) "
    "ELSE (SELECT COALESCE(SUM(activations), 0) FROM host_key_activations h "
    "WHERE h.serial = k.serial) END, k.certificate_days "
    "FROM minted_keys k ";

}  // namespace

PgKeyRegistry::PgKeyRegistry(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgKeyRegistry::~PgKeyRegistry() = default;

Result<std::unique_ptr<PgKeyRegistry>> PgKeyRegistry::Open(const std::string& url,
                                                           std::string_view vendor_id) {
  if (!IsPostgresUrl(url)) {
    return Status(ResultCode::kInvalidArgument,
                  "\"" + RedactDatabaseUrl(url) +
                      "\" is not a PostgreSQL URL (postgresql://user@host:port/database)");
  }
  std::unique_ptr<Impl> impl;
  try {
    impl = std::make_unique<Impl>(url);
  } catch (const std::exception& e) {
    return Status(ResultCode::kStorage, "PostgreSQL at " + RedactDatabaseUrl(url) +
                                            " cannot be reached: " + Trimmed(e.what()));
  }
  Status s = impl->Guard("migrating the schema", [&] { return Migrate(impl->conn); });
  if (!s.ok()) return s;
  s = impl->Guard("checking the ledger's owner", [&] { return ClaimOwner(impl->conn, vendor_id); });
  if (!s.ok()) return s;
  return std::unique_ptr<PgKeyRegistry>(new PgKeyRegistry(std::move(impl)));
}

Result<MintedKey> PgKeyRegistry::Mint(const MintedKey& spec,
                                      const std::function<std::string(std::uint32_t)>& make_text) {
  if (spec.kind != KeyKind::kHost && spec.kind != KeyKind::kMak) {
    return Status(ResultCode::kInvalidArgument, "only host keys and MAKs are minted");
  }
  return impl_->Guard("minting a key", [&]() -> Result<MintedKey> {
    MintedKey key = spec;
    pqxx::work tx(impl_->conn);
    // Serials are MAX + 1: two processes minting at once would pick the
    // same one, so minting takes turns (it is rare; activations never wait
    // for this lock).
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMintLock);
    std::int64_t serial =
        tx.exec("SELECT COALESCE(MAX(serial), 0) + 1 FROM minted_keys")[0][0].as<std::int64_t>();
    if (serial > static_cast<std::int64_t>(kMaxProductKeySerial)) {
      return Status(ResultCode::kKeyOverLimit, "every key serial is used");
    }
    key.serial = static_cast<std::uint32_t>(serial);
    key.text = make_text(key.serial);
    tx.exec_params(
        "INSERT INTO minted_keys (serial, kind, item, item_name, key_text, max_hosts, "
        "max_activations, mak_count, created, certificate_days) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        serial, std::string(KindText(key.kind)), static_cast<int>(key.item), key.item_name,
        key.text, key.max_hosts, key.max_activations, key.mak_count, key.created,
        key.certificate_days);
    tx.commit();
    return key;
  });
}

Result<std::optional<MintedKey>> PgKeyRegistry::Find(std::uint32_t serial) {
  return impl_->Guard("reading a key", [&]() -> Result<std::optional<MintedKey>> {
    pqxx::nontransaction tx(impl_->conn);
    pqxx::result r = tx.exec_params(std::string(kSelectKeys) + "WHERE k.serial = $1",
                                    static_cast<std::int64_t>(serial));
    if (r.empty()) return std::optional<MintedKey>();
    return std::optional<MintedKey>(KeyFromRow(r[0]));
  });
}

Result<std::vector<MintedKey>> PgKeyRegistry::List() {
  return impl_->Guard("listing keys", [&]() -> Result<std::vector<MintedKey>> {
    pqxx::nontransaction tx(impl_->conn);
    pqxx::result r = tx.exec(std::string(kSelectKeys) + "ORDER BY k.serial");
    std::vector<MintedKey> out;
    for (const pqxx::row& row : r) out.push_back(KeyFromRow(row));
    return out;
  });
}

Status PgKeyRegistry::Revoke(std::uint32_t serial) {
  return impl_->Guard("revoking a key", [&]() -> Status {
    pqxx::work tx(impl_->conn);
    // The UPDATE takes the key's row lock, so a revocation and an
    // activation of the key are ordered: none passes its check after the
    // revocation committed.
    pqxx::result r = tx.exec_params("UPDATE minted_keys SET revoked = TRUE WHERE serial = $1",
                                    static_cast<std::int64_t>(serial));
    tx.commit();
    if (r.affected_rows() == 0) {
      return Status(ResultCode::kNotFound, "no minted key has serial " + std::to_string(serial));
    }
    return Status::Ok();
  });
}

// Why a row lock on the key, rather than SERIALIZABLE or one statement:
//
// - One INSERT ... SELECT ... WHERE count < limit is atomic in SQLite,
//   which runs one writer at a time, but not in PostgreSQL at READ
//   COMMITTED: two such statements both count from their own snapshot, both
//   see room for one more, and both insert.
// - SERIALIZABLE with a retry on 40001 is correct, but the case this ledger
//   exists for is many activations of ONE key at once (a MAK rolled out to
//   a thousand machines): they all read the same rows, so all but one abort
//   on every round and are redone, work that grows with the square of the
//   concurrency.
// - SELECT ... FOR UPDATE on the key's row makes every transaction that
//   uses the key wait for the one before it, in every process. At READ
//   COMMITTED each statement after the lock reads a fresh snapshot, so the
//   count it sees includes every activation committed before the lock was
//   granted; the check and the write then happen with the key held. Each
//   attempt is done once, nothing is retried, and different keys never wait
//   for each other. A transaction locks exactly one key row, so no two can
//   deadlock.
Status PgKeyRegistry::RecordHostActivation(std::uint32_t serial, const MachineTag& machine,
                                           const PublicKey& host_key, std::int64_t now) {
  const std::string tag = HexEncode(machine);
  const std::string public_key = HexEncode(host_key);
  const std::int64_t s = serial;
  return impl_->Guard("recording a host activation", [&]() -> Status {
    pqxx::work tx(impl_->conn);
    pqxx::result key = tx.exec_params(
        "SELECT kind, revoked, max_hosts, max_activations FROM minted_keys WHERE serial = $1 "
        "FOR UPDATE",
        s);
    if (key.empty())
      return Status(ResultCode::kInvalidKey, "the vendor never minted this host key");
    if (key[0][0].as<std::string>() != "host") {
      return Status(ResultCode::kWrongKeyKind, "the key is not a host key");
    }
    if (key[0][1].as<bool>()) return Status(ResultCode::kKeyRevoked, "");
    const int max_hosts = key[0][2].as<int>();
    const int max_activations = key[0][3].as<int>();
    if (!tx.exec_params("SELECT 1 FROM revoked_hosts WHERE host_public_key = $1", public_key)
             .empty()) {
      return Status(ResultCode::kKeyRevoked, "the vendor has revoked this host's certificate");
    }
    // One host is one host key pair, whatever machine tag it reports.
    pqxx::result mine = tx.exec_params(
        "SELECT activations FROM host_key_activations WHERE serial = $1 AND host_public_key = $2",
        s, public_key);
    if (!mine.empty()) {
      if (mine[0][0].as<int>() >= max_activations) {
        return Status(ResultCode::kKeyOverLimit,
                      "this host has already been activated " + std::to_string(max_activations) +
                          " times with this host key, the key's limit per host");
      }
      tx.exec_params(
          "UPDATE host_key_activations SET activations = activations + 1, last_at = $3, "
          "machine_tag = $4 WHERE serial = $1 AND host_public_key = $2",
          s, public_key, now, tag);
    } else {
      std::int64_t hosts =
          tx.exec_params("SELECT COUNT(*) FROM host_key_activations WHERE serial = $1", s)[0][0]
              .as<std::int64_t>();
      if (hosts >= max_hosts) {
        return Status(ResultCode::kKeyOverLimit, "this host key already activates " +
                                                     std::to_string(max_hosts) +
                                                     " hosts (host key pairs), its limit");
      }
      tx.exec_params(
          "INSERT INTO host_key_activations (serial, host_public_key, machine_tag, activations, "
          "first_at, last_at) VALUES ($1, $2, $3, 1, $4, $4)",
          s, public_key, tag, now);
    }
    tx.commit();
    return Status::Ok();
  });
}

// The same row lock as RecordHostActivation (see there why): concurrent
// activations of one MAK take turns, so the count read is the count written.
Status PgKeyRegistry::RecordMakActivation(std::uint32_t serial, const MachineTag& machine,
                                          const PublicKey& machine_key, const Uuid& edition,
                                          std::int64_t now) {
  const std::string tag = HexEncode(machine);
  const std::string public_key = HexEncode(machine_key);
  const std::int64_t s = serial;
  return impl_->Guard("recording a MAK activation", [&]() -> Status {
    pqxx::work tx(impl_->conn);
    pqxx::result key = tx.exec_params(
        "SELECT kind, revoked, mak_count FROM minted_keys WHERE serial = $1 FOR UPDATE", s);
    if (key.empty()) return Status(ResultCode::kInvalidKey, "the vendor never minted this MAK");
    if (key[0][0].as<std::string>() != "mak") {
      return Status(ResultCode::kWrongKeyKind, "the key is not a MAK");
    }
    if (key[0][1].as<bool>()) {
      return Status(ResultCode::kKeyRevoked, "the vendor has revoked this MAK");
    }
    const int mak_count = key[0][2].as<int>();
    // The same machine confirming again: no second activation.
    pqxx::result again = tx.exec_params(
        "UPDATE mak_activations SET activations = activations + 1, last_at = $3, "
        "machine_tag = $4 WHERE serial = $1 AND machine_public_key = $2",
        s, public_key, now, tag);
    if (again.affected_rows() == 0) {
      std::int64_t machines =
          tx.exec_params("SELECT COUNT(*) FROM mak_activations WHERE serial = $1", s)[0][0]
              .as<std::int64_t>();
      if (machines >= mak_count) {
        return Status(
            ResultCode::kKeyOverLimit,
            "this MAK already activates " + std::to_string(mak_count) + " machines, its count");
      }
      tx.exec_params(
          "INSERT INTO mak_activations (serial, machine_public_key, machine_tag, edition_id, "
          "activations, first_at, last_at) VALUES ($1, $2, $3, $4, 1, $5, $5)",
          s, public_key, tag, FormatUuid(edition), now);
    }
    tx.commit();
    return Status::Ok();
  });
}

Status PgKeyRegistry::RecordHostRenewal(std::uint32_t serial, const PublicKey& host_key,
                                        std::int64_t now) {
  const std::string public_key = HexEncode(host_key);
  const std::int64_t s = serial;
  return impl_->Guard("recording a host renewal", [&]() -> Status {
    pqxx::work tx(impl_->conn);
    // FOR SHARE: a revocation of the key (an UPDATE of this row) is ordered
    // before or after the renewal, never in between its check and its write.
    pqxx::result key =
        tx.exec_params("SELECT kind, revoked FROM minted_keys WHERE serial = $1 FOR SHARE", s);
    if (key.empty())
      return Status(ResultCode::kInvalidKey, "the vendor never minted this host key");
    if (key[0][0].as<std::string>() != "host") {
      return Status(ResultCode::kWrongKeyKind, "only host keys renew; the key is a MAK");
    }
    if (key[0][1].as<bool>()) return Status(ResultCode::kKeyRevoked, "");
    if (!tx.exec_params("SELECT 1 FROM revoked_hosts WHERE host_public_key = $1", public_key)
             .empty()) {
      return Status(ResultCode::kKeyRevoked, "the vendor has revoked this host's certificate");
    }
    // Only the key pair that activated may renew: the renewal is free, so
    // letting any key pair renew would be an activation past every limit.
    pqxx::result u = tx.exec_params(
        "UPDATE host_key_activations SET last_at = $3 WHERE serial = $1 AND host_public_key = $2",
        s, public_key, now);
    if (u.affected_rows() == 0) {
      return Status(ResultCode::kNotFound,
                    "this host (its key pair) never activated this host key; activate it first");
    }
    tx.commit();
    return Status::Ok();
  });
}

Status PgKeyRegistry::AppendAudit(const AuditRecord& r) {
  return impl_->Guard("writing the audit log", [&]() -> Status {
    pqxx::work tx(impl_->conn);
    tx.exec_params(
        "INSERT INTO audit_log (time, source, operation, key_serial, key_kind, machine, result, "
        "message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        r.time, r.source, r.operation, static_cast<std::int64_t>(r.key_serial), r.key_kind,
        r.machine, static_cast<std::int64_t>(r.result), r.message);
    tx.commit();
    return Status::Ok();
  });
}

Result<std::vector<AuditRecord>> PgKeyRegistry::ListAudit(std::optional<std::uint32_t> key_serial,
                                                          std::int64_t since, std::size_t limit) {
  return impl_->Guard("reading the audit log", [&]() -> Result<std::vector<AuditRecord>> {
    pqxx::nontransaction tx(impl_->conn);
    constexpr std::string_view kSelect =
        "SELECT time, source, operation, key_serial, key_kind, machine, result, message "
        "FROM audit_log WHERE time >= $1 ";
    const auto most = static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX));
    pqxx::result rows =
        key_serial.has_value()
            ? tx.exec_params(std::string(kSelect) + "AND key_serial = $2 ORDER BY id LIMIT $3",
                             since, static_cast<std::int64_t>(*key_serial), most)
            : tx.exec_params(std::string(kSelect) + "ORDER BY id LIMIT $2", since, most);
    std::vector<AuditRecord> out;
    for (const pqxx::row& row : rows) {
      AuditRecord& r = out.emplace_back();
      r.time = row[0].as<std::int64_t>();
      r.source = row[1].as<std::string>();
      r.operation = row[2].as<std::string>();
      r.key_serial = static_cast<std::uint32_t>(row[3].as<std::int64_t>());
      r.key_kind = row[4].as<std::string>();
      r.machine = row[5].as<std::string>();
      r.result = static_cast<std::uint32_t>(row[6].as<std::int64_t>());
      r.message = row[7].as<std::string>();
    }
    return out;
  });
}

Status PgKeyRegistry::RevokeHost(const PublicKey& host_key, std::int64_t now) {
  return impl_->Guard("revoking a host", [&]() -> Status {
    pqxx::work tx(impl_->conn);
    tx.exec_params(
        "INSERT INTO revoked_hosts (host_public_key, revoked_at) VALUES ($1, $2) "
        "ON CONFLICT (host_public_key) DO NOTHING",
        HexEncode(host_key), now);
    tx.commit();
    return Status::Ok();
  });
}

Result<std::vector<PublicKey>> PgKeyRegistry::RevokedHosts() {
  return impl_->Guard("reading revoked hosts", [&]() -> Result<std::vector<PublicKey>> {
    pqxx::nontransaction tx(impl_->conn);
    pqxx::result r = tx.exec("SELECT host_public_key FROM revoked_hosts ORDER BY 1");
    std::vector<PublicKey> out;
    for (const pqxx::row& row : r) {
      Bytes raw;
      if (!HexDecode(row[0].as<std::string>(), &raw) || raw.size() != 32) {
        return Status(ResultCode::kStorage, "revoked_hosts holds a malformed public key");
      }
      PublicKey& k = out.emplace_back();
      std::copy(raw.begin(), raw.end(), k.begin());
    }
    return out;
  });
}

Result<std::uint64_t> PgKeyRegistry::NextRevocationSerial(std::int64_t now) {
  return impl_->Guard("allocating a revocation list serial", [&]() -> Result<std::uint64_t> {
    pqxx::work tx(impl_->conn);
    // MAX + 1 again: two processes issuing lists at once take turns, so no
    // two lists share a serial.
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kRevocationSerialLock);
    std::int64_t serial = tx.exec_params(
                                "INSERT INTO revocation_lists (serial, issued) "
                                "SELECT COALESCE(MAX(serial), 0) + 1, $1 FROM revocation_lists "
                                "RETURNING serial",
                                now)[0][0]
                              .as<std::int64_t>();
    tx.commit();
    return static_cast<std::uint64_t>(serial);
  });
}

namespace {

LedgerCounts CountIn(pqxx::transaction_base& tx) {
  LedgerCounts c;
  c.keys = tx.exec("SELECT COUNT(*) FROM minted_keys")[0][0].as<std::int64_t>();
  c.host_activations =
      tx.exec("SELECT COUNT(*) FROM host_key_activations")[0][0].as<std::int64_t>();
  c.revoked_hosts = tx.exec("SELECT COUNT(*) FROM revoked_hosts")[0][0].as<std::int64_t>();
  c.revocation_lists = tx.exec("SELECT COUNT(*) FROM revocation_lists")[0][0].as<std::int64_t>();
  c.mak_activations = tx.exec("SELECT COUNT(*) FROM mak_activations")[0][0].as<std::int64_t>();
  c.audit_records = tx.exec("SELECT COUNT(*) FROM audit_log")[0][0].as<std::int64_t>();
  return c;
}

std::string Describe(const LedgerCounts& c) {
  return std::to_string(c.keys) + " keys, " + std::to_string(c.host_activations) +
         " host activations, " + std::to_string(c.revoked_hosts) + " revoked hosts, " +
         std::to_string(c.revocation_lists) + " revocation lists, " +
         std::to_string(c.mak_activations) + " MAK activations, " +
         std::to_string(c.audit_records) + " audit records";
}

// Reads every row of `sql` from SQLite, handing each to `row`.
template <typename Row>
Status EachRow(Database& db, std::string_view sql, Row row) {
  Result<Statement> q = db.Prepare(sql);
  if (!q.ok()) return q.status();
  for (;;) {
    Result<bool> more = q->Step();
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    row(*q);
  }
}

}  // namespace

Result<LedgerCounts> PgKeyRegistry::Count() {
  return impl_->Guard("counting the ledger", [&]() -> Result<LedgerCounts> {
    pqxx::read_transaction tx(impl_->conn);
    return CountIn(tx);
  });
}

Result<LedgerCounts> PgKeyRegistry::CopyFromSqlite(const std::string& sqlite_path) {
  Result<Database> db = Database::Open(sqlite_path, /*create=*/false);
  if (!db.ok()) return db.status();
  std::int64_t version = 0;
  ACTIVA_RETURN_IF_ERROR(
      EachRow(*db, "PRAGMA user_version", [&](Statement& q) { version = q.Int(0); }));
  if (version != kSqliteVersionCopied) {
    return Status(ResultCode::kInvalidData,
                  sqlite_path + " has schema version " + std::to_string(version) +
                      "; this program copies version " + std::to_string(kSqliteVersionCopied));
  }
  // The source's write lock for the whole copy: the rows copied and the
  // rows counted are one snapshot, and no command writes to vendor.db
  // meanwhile (it would be lost to the new ledger).
  ACTIVA_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  struct EndRead {
    Database& db;
    ~EndRead() { (void)db.Exec("ROLLBACK"); }
  } end_read{*db};

  return impl_->Guard("copying the ledger", [&]() -> Result<LedgerCounts> {
    pqxx::work tx(impl_->conn);
    // Nobody else writes while the copy runs, and a second migrate waits
    // and then finds the ledger full.
    tx.exec(
        "LOCK TABLE minted_keys, host_key_activations, revoked_hosts, revocation_lists, "
        "mak_activations, audit_log "
        "IN EXCLUSIVE MODE");
    LedgerCounts before = CountIn(tx);
    if (!(before == LedgerCounts{})) {
      return Status(ResultCode::kFileExists, "the database at " + impl_->where +
                                                 " already holds a ledger (" + Describe(before) +
                                                 "); migrate copies only into an empty database");
    }
    LedgerCounts source;
    Status s = EachRow(
        *db,
        "SELECT serial, kind, item, item_name, key_text, max_hosts, max_activations, mak_count, "
        "revoked, created, certificate_days FROM minted_keys",
        [&](Statement& q) {
          ++source.keys;
          tx.exec_params(
              "INSERT INTO minted_keys (serial, kind, item, item_name, key_text, max_hosts, "
              "max_activations, mak_count, revoked, created, certificate_days) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
              q.Int(0), q.Text(1), q.Int(2), q.Text(3), q.Text(4), q.Int(5), q.Int(6), q.Int(7),
              q.Int(8) != 0, q.Int(9), q.Int(10));
        });
    if (!s.ok()) return s;
    s = EachRow(*db,
                "SELECT serial, host_public_key, machine_tag, activations, first_at, last_at "
                "FROM host_key_activations",
                [&](Statement& q) {
                  ++source.host_activations;
                  tx.exec_params(
                      "INSERT INTO host_key_activations (serial, host_public_key, machine_tag, "
                      "activations, first_at, last_at) VALUES ($1, $2, $3, $4, $5, $6)",
                      q.Int(0), q.Text(1), q.Text(2), q.Int(3), q.Int(4), q.Int(5));
                });
    if (!s.ok()) return s;
    s = EachRow(*db, "SELECT host_public_key, revoked_at FROM revoked_hosts", [&](Statement& q) {
      ++source.revoked_hosts;
      tx.exec_params("INSERT INTO revoked_hosts (host_public_key, revoked_at) VALUES ($1, $2)",
                     q.Text(0), q.Int(1));
    });
    if (!s.ok()) return s;
    s = EachRow(*db, "SELECT serial, issued FROM revocation_lists", [&](Statement& q) {
      ++source.revocation_lists;
      tx.exec_params("INSERT INTO revocation_lists (serial, issued) VALUES ($1, $2)", q.Int(0),
                     q.Int(1));
    });
    if (!s.ok()) return s;
    s = EachRow(*db,
                "SELECT serial, machine_public_key, machine_tag, edition_id, activations, "
                "first_at, last_at FROM mak_activations",
                [&](Statement& q) {
                  ++source.mak_activations;
                  tx.exec_params(
                      "INSERT INTO mak_activations (serial, machine_public_key, machine_tag, "
                      "edition_id, activations, first_at, last_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Int(4), q.Int(5), q.Int(6));
                });
    if (!s.ok()) return s;
    // The audit rows keep their order (ids), and the sequence goes on
    // after the last one copied.
    s = EachRow(*db,
                "SELECT id, time, source, operation, key_serial, key_kind, machine, result, "
                "message FROM audit_log",
                [&](Statement& q) {
                  ++source.audit_records;
                  tx.exec_params(
                      "INSERT INTO audit_log (id, time, source, operation, key_serial, key_kind, "
                      "machine, result, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                      q.Int(0), q.Int(1), q.Text(2), q.Text(3), q.Int(4), q.Text(5), q.Text(6),
                      q.Int(7), q.Text(8));
                });
    if (!s.ok()) return s;
    tx.exec(
        "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), COALESCE(MAX(id), 0) + 1, "
        "false) FROM audit_log");
    LedgerCounts copied = CountIn(tx);
    if (!(copied == source)) {
      return Status(ResultCode::kStorage, "the copy holds " + Describe(copied) +
                                              " but the source " + Describe(source) +
                                              "; nothing was committed");
    }
    tx.commit();
    return copied;
  });
}

}  // namespace activa
