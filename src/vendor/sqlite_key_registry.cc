#include "vendor/sqlite_key_registry.h"

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
        "max_activations, mak_count, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
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
      "(SELECT COUNT(*) FROM host_activations h WHERE h.serial = k.serial), "
      "(SELECT COALESCE(SUM(activations), 0) FROM host_activations h WHERE h.serial = k.serial) "
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
    Result<Statement> q =
        db_.Prepare("SELECT activations FROM host_activations WHERE serial = ?1 AND machine_tag = ?2");
    if (!q.ok()) return q.status();
    q->Bind(1, serial).Bind(2, tag);
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
          "UPDATE host_activations SET activations = activations + 1, last_at = ?3, "
          "host_public_key = ?4 WHERE serial = ?1 AND machine_tag = ?2");
      if (!u.ok()) return u.status();
      return u->Bind(1, serial).Bind(2, tag).Bind(3, now).Bind(4, HexEncode(host_key)).Run();
    }
    if (key.hosts_used >= key.max_hosts) {
      return Status(ResultCode::kKeyOverLimit,
                    "this host key already activates " + std::to_string(key.max_hosts) +
                        " hosts, its limit");
    }
    Result<Statement> ins = db_.Prepare(
        "INSERT INTO host_activations (serial, machine_tag, host_public_key, activations, "
        "first_at, last_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)");
    if (!ins.ok()) return ins.status();
    return ins->Bind(1, serial).Bind(2, tag).Bind(3, HexEncode(host_key)).Bind(4, now).Run();
  });
}

}  // namespace activa
