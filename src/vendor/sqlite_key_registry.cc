#include "vendor/sqlite_key_registry.h"

#include <algorithm>
#include <cstdint>

#include "base/bytes.h"

namespace activa {
namespace {

// Schema migrations, in order; never edit a shipped step, add one.
constexpr std::string_view kMigrations[] = {
    R"sql(
CREATE TABLE minted_keys (
  serial          INTEGER PRIMARY KEY CHECK (serial BETWEEN 1 AND 536870911),
  kind            TEXT    NOT NULL CHECK (kind IN ('host', 'mak')),
  item            INTEGER NOT NULL CHECK (item BETWEEN 0 AND 4095),
  item_name       TEXT    NOT NULL,
  key_text        TEXT    NOT NULL UNIQUE,
  max_hosts       INTEGER NOT NULL DEFAULT 0,
  max_activations INTEGER NOT NULL DEFAULT 0,
  mak_count       INTEGER NOT NULL DEFAULT 0,
  revoked         INTEGER NOT NULL DEFAULT 0,
  created         INTEGER NOT NULL
);
CREATE TABLE host_activations (
  serial          INTEGER NOT NULL REFERENCES minted_keys(serial),
  machine_tag     TEXT    NOT NULL,
  host_public_key TEXT    NOT NULL,
  activations     INTEGER NOT NULL,
  first_at        INTEGER NOT NULL,
  last_at         INTEGER NOT NULL,
  PRIMARY KEY (serial, machine_tag)
);
)sql",
    // A host is its own key pair, the one thing in an installation ID that
    // it cannot make up: the machine tag is whatever the host says, so
    // counting tags let one host key activate any number of hosts. The
    // activations recorded under one key pair on several tags are added up.
    R"sql(
CREATE TABLE host_key_activations (
  serial          INTEGER NOT NULL REFERENCES minted_keys(serial),
  host_public_key TEXT    NOT NULL,
  machine_tag     TEXT    NOT NULL,
  activations     INTEGER NOT NULL,
  first_at        INTEGER NOT NULL,
  last_at         INTEGER NOT NULL,
  PRIMARY KEY (serial, host_public_key)
);
INSERT INTO host_key_activations
  SELECT serial, host_public_key, MAX(machine_tag), SUM(activations), MIN(first_at), MAX(last_at)
  FROM host_activations GROUP BY serial, host_public_key;
DROP TABLE host_activations;
)sql",
    // How long the host certificates a host key's confirmations carry are
    // good for, in days (`mint host --certificate-days`).
    R"sql(
ALTER TABLE minted_keys ADD COLUMN certificate_days INTEGER NOT NULL DEFAULT 365;
)sql",
    // What revocation lists say beyond revoked keys, and the lists issued.
    R"sql(
CREATE TABLE revoked_hosts (
  host_public_key TEXT    PRIMARY KEY,
  revoked_at      INTEGER NOT NULL
);
CREATE TABLE revocation_lists (
  serial          INTEGER PRIMARY KEY CHECK (serial >= 1),
  issued          INTEGER NOT NULL
);
)sql",
    // MAK activations: one row per machine (its public key) holding a MAK;
    // a MAK's use is its number of rows, checked against mak_count in the
    // transaction that adds one (RecordMakActivation).
    R"sql(
CREATE TABLE mak_activations (
  serial             INTEGER NOT NULL REFERENCES minted_keys(serial),
  machine_public_key TEXT    NOT NULL,
  machine_tag        TEXT    NOT NULL,
  edition_id         TEXT    NOT NULL,
  activations        INTEGER NOT NULL,
  first_at           INTEGER NOT NULL,
  last_at            INTEGER NOT NULL,
  PRIMARY KEY (serial, machine_public_key)
);
)sql",
    // The clearinghouse's audit log: every attempt, refused ones too. No
    // foreign key on serial: a request may name a serial never minted, and
    // that attempt is worth keeping.
    R"sql(
CREATE TABLE audit_log (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  time            INTEGER NOT NULL,
  source          TEXT    NOT NULL,
  operation       TEXT    NOT NULL,
  key_serial      INTEGER NOT NULL,
  key_kind        TEXT    NOT NULL,
  machine         TEXT    NOT NULL,
  result          INTEGER NOT NULL,
  message         TEXT    NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (time);
CREATE INDEX audit_log_by_key ON audit_log (key_serial, time);
)sql",
};

std::string_view KindText(KeyKind k) { return k == KeyKind::kHost ? "host" : "mak"; }

}  // namespace

Result<SqliteKeyRegistry> SqliteKeyRegistry::Open(const std::string& path, bool create) {
  Result<Database> db = Database::Open(path, create);
  if (!db.ok()) return db.status();
  ACTIVA_RETURN_IF_ERROR(db->Migrate(kMigrations));
  return SqliteKeyRegistry(std::move(db).value());
}

Result<MintedKey> SqliteKeyRegistry::Mint(
    const MintedKey& spec, const std::function<std::string(std::uint32_t)>& make_text) {
  if (spec.kind != KeyKind::kHost && spec.kind != KeyKind::kMak) {
    return Status(ResultCode::kInvalidArgument, "only host keys and MAKs are minted");
  }
  MintedKey key = spec;
  Status s = InTransaction(db_, [&]() -> Status {
    Result<Statement> next = db_.Prepare("SELECT COALESCE(MAX(serial), 0) + 1 FROM minted_keys");
    if (!next.ok()) return next.status();
    Result<bool> row = next->Step();
    if (!row.ok()) return row.status();
    std::int64_t serial = next->Int(0);
    if (serial > static_cast<std::int64_t>(kMaxProductKeySerial)) {
      return Status(ResultCode::kKeyOverLimit, "every key serial is used");
    }
    key.serial = static_cast<std::uint32_t>(serial);
    key.text = make_text(key.serial);
    Result<Statement> ins = db_.Prepare(
        "INSERT INTO minted_keys (serial, kind, item, item_name, key_text, max_hosts, "
        "max_activations, mak_count, created, certificate_days) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!ins.ok()) return ins.status();
    return ins->Bind(1, serial)
        .Bind(2, KindText(key.kind))
        .Bind(3, key.item)
        .Bind(4, key.item_name)
        .Bind(5, key.text)
        .Bind(6, key.max_hosts)
        .Bind(7, key.max_activations)
        .Bind(8, key.mak_count)
        .Bind(9, key.created)
        .Bind(10, key.certificate_days)
        .Run();
  });
  if (!s.ok()) return s;
  return key;
}

Result<std::vector<MintedKey>> SqliteKeyRegistry::Query(std::string_view where,
                                                        std::int64_t serial) {
  std::string sql =
      "SELECT k.serial, k.kind, k.item, k.item_name, k.key_text, k.max_hosts, k.max_activations, "
      "k.mak_count, k.revoked, k.created, "
      "(SELECT COUNT(*) FROM host_key_activations h WHERE h.serial = k.serial), "
      "CASE k.kind WHEN 'mak' THEN "
      "(SELECT COUNT(*) FROM mak_activations m WHERE m.serial = k.serial) "
      "ELSE (SELECT COALESCE(SUM(activations), 0) FROM host_key_activations h "
      "WHERE h.serial = k.serial) END, k.certificate_days "
      "FROM minted_keys k " +
      std::string(where) + " ORDER BY k.serial";
  Result<Statement> q = db_.Prepare(sql);
  if (!q.ok()) return q.status();
  if (!where.empty()) q->Bind(1, serial);
  std::vector<MintedKey> out;
  for (;;) {
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    MintedKey k;
    k.serial = static_cast<std::uint32_t>(q->Int(0));
    k.kind = q->Text(1) == "host" ? KeyKind::kHost : KeyKind::kMak;
    k.item = static_cast<std::uint16_t>(q->Int(2));
    k.item_name = q->Text(3);
    k.text = q->Text(4);
    k.max_hosts = static_cast<int>(q->Int(5));
    k.max_activations = static_cast<int>(q->Int(6));
    k.mak_count = static_cast<int>(q->Int(7));
    k.revoked = q->Int(8) != 0;
    k.created = q->Int(9);
    k.hosts_used = static_cast<int>(q->Int(10));
    k.activations_used = static_cast<int>(q->Int(11));
    k.certificate_days = static_cast<int>(q->Int(12));
    out.push_back(std::move(k));
  }
  return out;
}

Result<std::optional<MintedKey>> SqliteKeyRegistry::Find(std::uint32_t serial) {
  Result<std::vector<MintedKey>> rows = Query("WHERE k.serial = ?1", serial);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<MintedKey>();
  return std::optional<MintedKey>(rows->front());
}

Result<std::vector<MintedKey>> SqliteKeyRegistry::List() { return Query("", 0); }

Status SqliteKeyRegistry::Revoke(std::uint32_t serial) {
  Result<Statement> u = db_.Prepare("UPDATE minted_keys SET revoked = 1 WHERE serial = ?1");
  if (!u.ok()) return u.status();
  ACTIVA_RETURN_IF_ERROR(u->Bind(1, serial).Run());
  if (db_.changes() == 0) {
    return Status(ResultCode::kNotFound, "no minted key has serial " + std::to_string(serial));
  }
  return Status::Ok();
}

Status SqliteKeyRegistry::RecordHostActivation(std::uint32_t serial, const MachineTag& machine,
                                               const PublicKey& host_key, std::int64_t now) {
  const std::string tag = HexEncode(machine);
  const std::string public_key = HexEncode(host_key);
  return InTransaction(db_, [&]() -> Status {
    Result<std::optional<MintedKey>> found = Find(serial);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      return Status(ResultCode::kInvalidKey, "the vendor never minted this host key");
    }
    const MintedKey& key = **found;
    if (key.kind != KeyKind::kHost) {
      return Status(ResultCode::kWrongKeyKind, "the key is not a host key");
    }
    if (key.revoked) return Status(ResultCode::kKeyRevoked, "");
    Result<Statement> withdrawn =
        db_.Prepare("SELECT 1 FROM revoked_hosts WHERE host_public_key = ?1");
    if (!withdrawn.ok()) return withdrawn.status();
    withdrawn->Bind(1, public_key);
    Result<bool> is_withdrawn = withdrawn->Step();
    if (!is_withdrawn.ok()) return is_withdrawn.status();
    if (*is_withdrawn) {
      return Status(ResultCode::kKeyRevoked, "the vendor has revoked this host's certificate");
    }
    // One host is one host key pair (see the migration above), whatever
    // machine tag it reports.
    Result<Statement> q = db_.Prepare(
        "SELECT activations FROM host_key_activations WHERE serial = ?1 AND host_public_key = ?2");
    if (!q.ok()) return q.status();
    q->Bind(1, serial).Bind(2, public_key);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (*row) {
      if (q->Int(0) >= key.max_activations) {
        return Status(ResultCode::kKeyOverLimit,
                      "this host has already been activated " +
                          std::to_string(key.max_activations) +
                          " times with this host key, the key's limit per host");
      }
      Result<Statement> u = db_.Prepare(
          "UPDATE host_key_activations SET activations = activations + 1, last_at = ?3, "
          "machine_tag = ?4 WHERE serial = ?1 AND host_public_key = ?2");
      if (!u.ok()) return u.status();
      return u->Bind(1, serial).Bind(2, public_key).Bind(3, now).Bind(4, tag).Run();
    }
    if (key.hosts_used >= key.max_hosts) {
      return Status(ResultCode::kKeyOverLimit, "this host key already activates " +
                                                   std::to_string(key.max_hosts) +
                                                   " hosts (host key pairs), its limit");
    }
    Result<Statement> ins = db_.Prepare(
        "INSERT INTO host_key_activations (serial, host_public_key, machine_tag, activations, "
        "first_at, last_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)");
    if (!ins.ok()) return ins.status();
    return ins->Bind(1, serial).Bind(2, public_key).Bind(3, tag).Bind(4, now).Run();
  });
}

Status SqliteKeyRegistry::RecordMakActivation(std::uint32_t serial, const MachineTag& machine,
                                              const PublicKey& machine_key, const Uuid& edition,
                                              std::int64_t now) {
  const std::string tag = HexEncode(machine);
  const std::string public_key = HexEncode(machine_key);
  // BEGIN IMMEDIATE takes the database's write lock before the count is
  // read, so two processes cannot both see 49 of 50 and both insert: the
  // second waits (busy timeout) and then reads 50.
  return InTransaction(db_, [&]() -> Status {
    Result<std::optional<MintedKey>> found = Find(serial);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      return Status(ResultCode::kInvalidKey, "the vendor never minted this MAK");
    }
    const MintedKey& key = **found;
    if (key.kind != KeyKind::kMak) {
      return Status(ResultCode::kWrongKeyKind, "the key is not a MAK");
    }
    if (key.revoked) return Status(ResultCode::kKeyRevoked, "the vendor has revoked this MAK");
    Result<Statement> again = db_.Prepare(
        "UPDATE mak_activations SET activations = activations + 1, last_at = ?3, "
        "machine_tag = ?4 WHERE serial = ?1 AND machine_public_key = ?2");
    if (!again.ok()) return again.status();
    ACTIVA_RETURN_IF_ERROR(
        again->Bind(1, serial).Bind(2, public_key).Bind(3, now).Bind(4, tag).Run());
    // The same machine confirming again: no second activation.
    if (db_.changes() > 0) return Status::Ok();
    if (key.activations_used >= key.mak_count) {
      return Status(
          ResultCode::kKeyOverLimit,
          "this MAK already activates " + std::to_string(key.mak_count) + " machines, its count");
    }
    Result<Statement> ins = db_.Prepare(
        "INSERT INTO mak_activations (serial, machine_public_key, machine_tag, edition_id, "
        "activations, first_at, last_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)");
    if (!ins.ok()) return ins.status();
    return ins->Bind(1, serial)
        .Bind(2, public_key)
        .Bind(3, tag)
        .Bind(4, FormatUuid(edition))
        .Bind(5, now)
        .Run();
  });
}

Status SqliteKeyRegistry::RecordHostRenewal(std::uint32_t serial, const PublicKey& host_key,
                                            std::int64_t now) {
  const std::string public_key = HexEncode(host_key);
  return InTransaction(db_, [&]() -> Status {
    Result<std::optional<MintedKey>> found = Find(serial);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      return Status(ResultCode::kInvalidKey, "the vendor never minted this host key");
    }
    const MintedKey& key = **found;
    if (key.kind != KeyKind::kHost) {
      return Status(ResultCode::kWrongKeyKind, "only host keys renew; the key is a MAK");
    }
    if (key.revoked) return Status(ResultCode::kKeyRevoked, "");
    Result<Statement> withdrawn =
        db_.Prepare("SELECT 1 FROM revoked_hosts WHERE host_public_key = ?1");
    if (!withdrawn.ok()) return withdrawn.status();
    withdrawn->Bind(1, public_key);
    Result<bool> is_withdrawn = withdrawn->Step();
    if (!is_withdrawn.ok()) return is_withdrawn.status();
    if (*is_withdrawn) {
      return Status(ResultCode::kKeyRevoked, "the vendor has revoked this host's certificate");
    }
    // Only the key pair that activated may renew: the renewal is free, so
    // letting any key pair renew would be an activation past every limit.
    Result<Statement> u = db_.Prepare(
        "UPDATE host_key_activations SET last_at = ?3 WHERE serial = ?1 AND host_public_key = ?2");
    if (!u.ok()) return u.status();
    ACTIVA_RETURN_IF_ERROR(u->Bind(1, serial).Bind(2, public_key).Bind(3, now).Run());
    if (db_.changes() == 0) {
      return Status(ResultCode::kNotFound,
                    "this host (its key pair) never activated this host key; activate it first");
    }
    return Status::Ok();
  });
}

Status SqliteKeyRegistry::AppendAudit(const AuditRecord& r) {
  Result<Statement> ins = db_.Prepare(
      "INSERT INTO audit_log (time, source, operation, key_serial, key_kind, machine, result, "
      "message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!ins.ok()) return ins.status();
  return ins->Bind(1, r.time)
      .Bind(2, r.source)
      .Bind(3, r.operation)
      .Bind(4, static_cast<std::int64_t>(r.key_serial))
      .Bind(5, r.key_kind)
      .Bind(6, r.machine)
      .Bind(7, static_cast<std::int64_t>(r.result))
      .Bind(8, r.message)
      .Run();
}

Result<std::vector<AuditRecord>> SqliteKeyRegistry::ListAudit(
    std::optional<std::uint32_t> key_serial, std::int64_t since, std::size_t limit) {
  Result<Statement> q = db_.Prepare(
      "SELECT time, source, operation, key_serial, key_kind, machine, result, message "
      "FROM audit_log WHERE time >= ?1 AND (?2 IS NULL OR key_serial = ?2) ORDER BY id LIMIT ?3");
  if (!q.ok()) return q.status();
  q->Bind(1, since);
  if (key_serial.has_value()) {
    q->Bind(2, static_cast<std::int64_t>(*key_serial));
  } else {
    q->BindNull(2);
  }
  q->Bind(3, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<AuditRecord> out;
  for (;;) {
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    AuditRecord& r = out.emplace_back();
    r.time = q->Int(0);
    r.source = q->Text(1);
    r.operation = q->Text(2);
    r.key_serial = static_cast<std::uint32_t>(q->Int(3));
    r.key_kind = q->Text(4);
    r.machine = q->Text(5);
    r.result = static_cast<std::uint32_t>(q->Int(6));
    r.message = q->Text(7);
  }
  return out;
}

Status SqliteKeyRegistry::RevokeHost(const PublicKey& host_key, std::int64_t now) {
  Result<Statement> ins = db_.Prepare(
      "INSERT INTO revoked_hosts (host_public_key, revoked_at) VALUES (?1, ?2) "
      "ON CONFLICT (host_public_key) DO NOTHING");
  if (!ins.ok()) return ins.status();
  return ins->Bind(1, HexEncode(host_key)).Bind(2, now).Run();
}

Result<std::vector<PublicKey>> SqliteKeyRegistry::RevokedHosts() {
  Result<Statement> q = db_.Prepare("SELECT host_public_key FROM revoked_hosts ORDER BY 1");
  if (!q.ok()) return q.status();
  std::vector<PublicKey> out;
  for (;;) {
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Bytes raw;
    if (!HexDecode(q->Text(0), &raw) || raw.size() != 32) {
      return Status(ResultCode::kStorage, "revoked_hosts holds a malformed public key");
    }
    PublicKey& k = out.emplace_back();
    std::copy(raw.begin(), raw.end(), k.begin());
  }
  return out;
}

Result<std::uint64_t> SqliteKeyRegistry::NextRevocationSerial(std::int64_t now) {
  std::uint64_t serial = 0;
  Status s = InTransaction(db_, [&]() -> Status {
    Result<Statement> next =
        db_.Prepare("SELECT COALESCE(MAX(serial), 0) + 1 FROM revocation_lists");
    if (!next.ok()) return next.status();
    Result<bool> row = next->Step();
    if (!row.ok()) return row.status();
    serial = static_cast<std::uint64_t>(next->Int(0));
    Result<Statement> ins =
        db_.Prepare("INSERT INTO revocation_lists (serial, issued) VALUES (?1, ?2)");
    if (!ins.ok()) return ins.status();
    return ins->Bind(1, static_cast<std::int64_t>(serial)).Bind(2, now).Run();
  });
  if (!s.ok()) return s;
  return serial;
}

}  // namespace activa
