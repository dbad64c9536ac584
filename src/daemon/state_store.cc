#include "daemon/state_store.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "base/bytes.h"

namespace activa {
namespace {

constexpr std::string_view kMigrations[] = {
    R"sql(
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE products (
  sku_id              TEXT PRIMARY KEY,
  application_id      TEXT NOT NULL,
  key_text            TEXT NOT NULL,
  key_kind            INTEGER NOT NULL,
  grace_end           INTEGER NOT NULL,
  validity_end        INTEGER NOT NULL,
  rearms_used         INTEGER NOT NULL,
  next_attempt        INTEGER NOT NULL,
  activation_interval INTEGER NOT NULL,
  renewal_interval    INTEGER NOT NULL,
  last_result         INTEGER NOT NULL,
  last_attempt        INTEGER NOT NULL,
  last_activation     INTEGER NOT NULL,
  last_count          INTEGER NOT NULL,
  host_in_use         TEXT NOT NULL
);
CREATE TABLE host_clients (
  application_id     TEXT NOT NULL,
  cmid               TEXT NOT NULL,
  machine_name       TEXT NOT NULL,
  sku_id             TEXT NOT NULL,
  last_seen          INTEGER NOT NULL,
  license_state      INTEGER NOT NULL,
  is_virtual_machine INTEGER NOT NULL,
  requests           INTEGER NOT NULL,
  PRIMARY KEY (application_id, cmid)
) WITHOUT ROWID;
CREATE TABLE host_stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE events (
  id       INTEGER PRIMARY KEY,
  time     INTEGER NOT NULL,
  event_id INTEGER NOT NULL,
  message  TEXT NOT NULL
);
CREATE INDEX events_by_id ON events (event_id, id);
)sql",
    // 2: what /upk keeps of an edition (client/product_record.h,
    // EditionTimers). A table of its own rather than a product row marked
    // uninstalled, so that every reader of `products` sees only installed
    // products. A row stays after the edition is installed again (the
    // product's own row is then the truth) and is replaced at its next
    // removal.
    R"sql(
CREATE TABLE edition_timers (
  sku_id       TEXT PRIMARY KEY,
  rearms_used  INTEGER NOT NULL,
  grace_end    INTEGER NOT NULL,
  validity_end INTEGER NOT NULL
);
)sql",
    // 3: the client's latest time seen (client/license_clock.h); one row.
    R"sql(
CREATE TABLE license_clock (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  latest_seen  INTEGER NOT NULL,
  system_clock INTEGER NOT NULL
);
)sql",
    // 4: client records in CMID order, for `dlc`'s pages, and by last_seen,
    // for deleting those long unseen; each a range scan instead of the
    // whole table.
    R"sql(
CREATE INDEX host_clients_by_cmid ON host_clients (cmid, application_id);
CREATE INDEX host_clients_by_last_seen ON host_clients (last_seen);
)sql",
    // 5: the proof of each product's last activation (ProductRecord): the
    // signed response frame (in hex) and the catalog text it was verified
    // against.
    R"sql(
ALTER TABLE products ADD COLUMN proof_response TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN proof_catalog TEXT NOT NULL DEFAULT '';
)sql",
    // 6: a MAK product's activation by the vendor (ProductRecord's
    // mak_confirmation): the confirmation ID's text, '' when none.
    R"sql(
ALTER TABLE products ADD COLUMN mak_confirmation TEXT NOT NULL DEFAULT '';
)sql",
    // 7: the host's count per application, one sample a day (the web
    // console's plot of the last 30 days); kept for kCountHistoryDays.
    R"sql(
CREATE TABLE count_history (
  day            INTEGER NOT NULL,
  application_id TEXT NOT NULL,
  count          INTEGER NOT NULL,
  PRIMARY KEY (application_id, day)
) WITHOUT ROWID;
)sql",
    // 8: client records by machine name (any case), for `dlc`'s search by
    // name prefix: a range of this index instead of the whole table.
    R"sql(
CREATE INDEX host_clients_by_name ON host_clients (machine_name COLLATE NOCASE, cmid, application_id);
)sql",
    // 9: the 12290 event's fields as columns (base/event.h,
    // HostRequestEvent), rendered into its sentence when read. A row with
    // `result` set is such an event and has an empty message; rows written
    // before (and every other event) keep their text in `message` and NULL
    // here. cmid is its 16 bytes.
    R"sql(
ALTER TABLE events ADD COLUMN result INTEGER;
ALTER TABLE events ADD COLUMN count INTEGER;
ALTER TABLE events ADD COLUMN required_count INTEGER;
ALTER TABLE events ADD COLUMN threshold INTEGER;
ALTER TABLE events ADD COLUMN machine_name TEXT;
ALTER TABLE events ADD COLUMN cmid BLOB;
ALTER TABLE events ADD COLUMN edition TEXT;
ALTER TABLE events ADD COLUMN client_time INTEGER;
ALTER TABLE events ADD COLUMN license_state INTEGER;
ALTER TABLE events ADD COLUMN minutes_left INTEGER;
ALTER TABLE events ADD COLUMN virtual_machine INTEGER;
)sql",
    // 10: client records keyed by their IDs' 16 bytes instead of 36
    // characters of text, and in CMID order (the key is the CMID, then the
    // application), which makes host_clients_by_cmid the table itself. Every
    // b-tree a new client lands in is smaller, and a request dirties one
    // fewer. An ID whose text was not a UUID (the database was edited)
    // becomes the nil UUID, as it was read before; of two such rows for one
    // machine, one is kept. events_by_id leaves out the 12290 events: they
    // are nearly every row, and a query for them reads the table's newest
    // rows anyway, so the index cost each request a write and served
    // nothing but the rarer events.
    R"sql(
CREATE TABLE host_clients_v10 (
  cmid               BLOB NOT NULL,
  application_id     BLOB NOT NULL,
  machine_name       TEXT NOT NULL,
  sku_id             BLOB NOT NULL,
  last_seen          INTEGER NOT NULL,
  license_state      INTEGER NOT NULL,
  is_virtual_machine INTEGER NOT NULL,
  requests           INTEGER NOT NULL,
  PRIMARY KEY (cmid, application_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO host_clients_v10
SELECT
  COALESCE(CASE WHEN length(cmid) = 36 THEN unhex(replace(cmid, '-', '')) END, zeroblob(16)),
  COALESCE(CASE WHEN length(application_id) = 36 THEN unhex(replace(application_id, '-', '')) END,
           zeroblob(16)),
  machine_name,
  COALESCE(CASE WHEN length(sku_id) = 36 THEN unhex(replace(sku_id, '-', '')) END, zeroblob(16)),
  last_seen, license_state, is_virtual_machine, requests
FROM host_clients;
DROP TABLE host_clients;
ALTER TABLE host_clients_v10 RENAME TO host_clients;
CREATE INDEX host_clients_by_last_seen ON host_clients (last_seen);
CREATE INDEX host_clients_by_name ON host_clients (machine_name COLLATE NOCASE, cmid, application_id);
DROP INDEX events_by_id;
CREATE INDEX events_by_id ON events (event_id, id) WHERE event_id <> 12290;
)sql",
    // 11: the name index off the request's path. host_clients_by_name cost
    // each new client a leaf of its own (names have no order that arrivals
    // follow); its entries are now host_client_names, filled from
    // host_name_log a name range at a time (StateStore::SaveHostBatch), and
    // a search reads both. host_client_names may keep the name of a record
    // since renamed or deleted; a search checks every entry against the
    // record.
    R"sql(
CREATE TABLE host_client_names (
  name           TEXT NOT NULL COLLATE NOCASE,
  cmid           BLOB NOT NULL,
  application_id BLOB NOT NULL,
  PRIMARY KEY (name, cmid, application_id)
) WITHOUT ROWID;
CREATE TABLE host_name_log (
  id             INTEGER PRIMARY KEY,
  machine_name   TEXT NOT NULL,
  cmid           BLOB NOT NULL,
  application_id BLOB NOT NULL
);
INSERT OR IGNORE INTO host_client_names (name, cmid, application_id)
SELECT machine_name, cmid, application_id FROM host_clients;
DROP INDEX host_clients_by_name;
)sql",
};

constexpr const char* kStatNames[] = {"total",  "failed", "state0", "state1", "state2",
                                      "state3", "state4", "state5", "state6"};

Uuid UuidOr(const std::string& text) { return ParseUuid(text).value_or(Uuid{}); }

// A client record's ID column: its 16 bytes; anything else (the database
// was edited) reads as the nil UUID.
Uuid UuidFromBlob(std::span<const std::uint8_t> bytes) {
  Uuid id{};
  if (bytes.size() == id.size()) std::copy(bytes.begin(), bytes.end(), id.begin());
  return id;
}

constexpr const char* kClientColumns =
    "application_id, cmid, machine_name, sku_id, last_seen, license_state, is_virtual_machine, "
    "requests";

// A row of kClientColumns.
ClientEntry ReadClient(Statement& q) {
  ClientEntry c;
  c.application_id = UuidFromBlob(q.Blob(0));
  c.cmid = UuidFromBlob(q.Blob(1));
  c.machine_name = q.Text(2);
  c.sku_id = UuidFromBlob(q.Blob(3));
  c.last_seen = q.Int(4);
  c.license_state = static_cast<std::uint8_t>(q.Int(5));
  c.is_virtual_machine = q.Int(6) != 0;
  c.requests = q.Int(7);
  return c;
}

// What every event query selects, in this order (ReadEvent).
constexpr const char* kEventColumns =
    "id, time, event_id, message, result, count, required_count, threshold, machine_name, cmid, "
    "edition, client_time, license_state, minutes_left, virtual_machine";

// A row of kEventColumns; a 12290 event stored as columns comes back with
// its sentence rendered, so every reader sees the text it always saw.
Event ReadEvent(Statement& q) {
  Event e(q.Int(0), q.Int(1), static_cast<int>(q.Int(2)), q.Text(3));
  if (q.IsNull(4)) return e;
  HostRequestEvent& r = e.request.emplace();
  // A code this build does not know (a newer build wrote it) still renders
  // as its number.
  r.result = static_cast<ResultCode>(static_cast<std::uint32_t>(q.Int(4)));
  r.count = static_cast<std::uint32_t>(q.Int(5));
  r.required_count = static_cast<std::uint16_t>(q.Int(6));
  r.threshold = static_cast<std::uint16_t>(q.Int(7));
  r.machine_name = q.Text(8);
  std::span<const std::uint8_t> cmid = q.Blob(9);
  if (cmid.size() == r.cmid.size()) std::copy(cmid.begin(), cmid.end(), r.cmid.begin());
  r.edition = q.Text(10);
  r.client_time = q.Int(11);
  r.license_state = static_cast<int>(q.Int(12));
  r.minutes_left = static_cast<std::uint32_t>(q.Int(13));
  r.is_virtual_machine = q.Int(14) != 0;
  if (e.message.empty()) e.message = FormatHostRequestEvent(r);
  return e;
}

Status ReadClients(Statement& q, std::vector<ClientEntry>& out) {
  for (;;) {
    Result<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    out.push_back(ReadClient(q));
  }
}

}  // namespace

Result<StateStore> StateStore::Open(const std::string& path) {
  Result<Database> db = Database::Open(path, /*create=*/true);
  if (!db.ok()) return db.status();
  ACTIVA_RETURN_IF_ERROR(db->Migrate(kMigrations));
  return StateStore(std::move(db).value());
}

Result<StateStore> StateStore::OpenChecked(const std::string& path) {
  Result<Database> db = Database::Open(path, /*create=*/true);
  if (!db.ok()) return db.status();
  ACTIVA_RETURN_IF_ERROR(db->QuickCheck());
  ACTIVA_RETURN_IF_ERROR(db->Migrate(kMigrations));
  return StateStore(std::move(db).value());
}

Result<std::optional<std::string>> StateStore::GetSetting(std::string_view key) {
  Result<Statement> q = db_.Prepare("SELECT value FROM settings WHERE key = ?1");
  if (!q.ok()) return q.status();
  q->Bind(1, key);
  Result<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(q->Text(0));
}

Status StateStore::SetSetting(std::string_view key, std::string_view value) {
  Result<Statement> q = db_.Prepare(
      "INSERT INTO settings (key, value) VALUES (?1, ?2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!q.ok()) return q.status();
  return q->Bind(1, key).Bind(2, value).Run();
}

Status StateStore::DeleteSetting(std::string_view key) {
  Result<Statement> q = db_.Prepare("DELETE FROM settings WHERE key = ?1");
  if (!q.ok()) return q.status();
  return q->Bind(1, key).Run();
}

Result<std::vector<ProductRecord>> StateStore::LoadProducts() {
  Result<Statement> q = db_.Prepare(
      "SELECT sku_id, application_id, key_text, key_kind, grace_end, validity_end, rearms_used, "
      "next_attempt, activation_interval, renewal_interval, last_result, last_attempt, "
      "last_activation, last_count, host_in_use, proof_response, proof_catalog, mak_confirmation "
      "FROM products "
      "ORDER BY rowid");
  if (!q.ok()) return q.status();
  std::vector<ProductRecord> out;
  for (;;) {
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ProductRecord p;
    p.sku_id = UuidOr(q->Text(0));
    p.application_id = UuidOr(q->Text(1));
    p.key_text = q->Text(2);
    p.key_kind = static_cast<KeyKind>(q->Int(3));
    p.license.grace_end = q->Int(4);
    p.license.validity_end = q->Int(5);
    p.license.rearms_used = static_cast<int>(q->Int(6));
    p.license.next_attempt = q->Int(7);
    p.license.activation_interval_minutes = static_cast<std::uint32_t>(q->Int(8));
    p.license.renewal_interval_minutes = static_cast<std::uint32_t>(q->Int(9));
    p.license.last_result =
        ResultCodeFromValue(static_cast<std::uint32_t>(q->Int(10))).value_or(ResultCode::kInternal);
    p.license.last_attempt = q->Int(11);
    p.license.last_activation = q->Int(12);
    p.last_count = static_cast<std::uint32_t>(q->Int(13));
    p.host_in_use = q->Text(14);
    // Not hex only if someone edited the database: then there is no proof,
    // and products will say so.
    if (!HexDecode(q->Text(15), &p.proof_response)) p.proof_response.clear();
    p.proof_catalog = q->Text(16);
    p.mak_confirmation = q->Text(17);
    out.push_back(std::move(p));
  }
  return out;
}

Status StateStore::SaveProduct(const ProductRecord& p) {
  Result<Statement> q = db_.Prepare(
      "INSERT OR REPLACE INTO products (sku_id, application_id, key_text, key_kind, grace_end, "
      "validity_end, rearms_used, next_attempt, activation_interval, renewal_interval, "
      "last_result, last_attempt, last_activation, last_count, host_in_use, proof_response, "
      "proof_catalog, mak_confirmation) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
  if (!q.ok()) return q.status();
  return q->Bind(1, FormatUuid(p.sku_id))
      .Bind(2, FormatUuid(p.application_id))
      .Bind(3, p.key_text)
      .Bind(4, static_cast<std::int64_t>(p.key_kind))
      .Bind(5, p.license.grace_end)
      .Bind(6, p.license.validity_end)
      .Bind(7, p.license.rearms_used)
      .Bind(8, p.license.next_attempt)
      .Bind(9, p.license.activation_interval_minutes)
      .Bind(10, p.license.renewal_interval_minutes)
      .Bind(11, static_cast<std::int64_t>(p.license.last_result))
      .Bind(12, p.license.last_attempt)
      .Bind(13, p.license.last_activation)
      .Bind(14, p.last_count)
      .Bind(15, p.host_in_use)
      .Bind(16, HexEncode(p.proof_response))
      .Bind(17, p.proof_catalog)
      .Bind(18, p.mak_confirmation)
      .Run();
}

Status StateStore::RemoveProduct(const EditionTimers& kept) {
  return InTransaction(db_, [&]() -> Status {
    Result<Statement> keep = db_.Prepare(
        "INSERT OR REPLACE INTO edition_timers (sku_id, rearms_used, grace_end, validity_end) "
        "VALUES (?1, ?2, ?3, ?4)");
    if (!keep.ok()) return keep.status();
    ACTIVA_RETURN_IF_ERROR(keep->Bind(1, FormatUuid(kept.sku_id))
                               .Bind(2, kept.rearms_used)
                               .Bind(3, kept.grace_end)
                               .Bind(4, kept.validity_end)
                               .Run());
    Result<Statement> del = db_.Prepare("DELETE FROM products WHERE sku_id = ?1");
    if (!del.ok()) return del.status();
    return del->Bind(1, FormatUuid(kept.sku_id)).Run();
  });
}

Result<std::optional<EditionTimers>> StateStore::LoadEditionTimers(const Uuid& sku_id) {
  Result<Statement> q = db_.Prepare(
      "SELECT rearms_used, grace_end, validity_end FROM edition_timers WHERE sku_id = ?1");
  if (!q.ok()) return q.status();
  q->Bind(1, FormatUuid(sku_id));
  Result<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<EditionTimers>();
  return std::optional<EditionTimers>(
      EditionTimers{sku_id, static_cast<int>(q->Int(0)), q->Int(1), q->Int(2)});
}

Result<LicenseClock> StateStore::LoadLicenseClock() {
  Result<Statement> q =
      db_.Prepare("SELECT latest_seen, system_clock FROM license_clock WHERE id = 1");
  if (!q.ok()) return q.status();
  Result<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return LicenseClock{};
  return LicenseClock{q->Int(0), q->Int(1)};
}

Status StateStore::SaveLicenseClock(const LicenseClock& clock) {
  Result<Statement> q = db_.Prepare(
      "INSERT OR REPLACE INTO license_clock (id, latest_seen, system_clock) VALUES (1, ?1, ?2)");
  if (!q.ok()) return q.status();
  return q->Bind(1, clock.latest_seen).Bind(2, clock.system_clock).Run();
}

// The index by last_seen holds the three columns the count needs (an index
// of a WITHOUT ROWID table carries the primary key), in fewer pages than the
// table, so the scan reads no machine names or SKUs; and its order
// is the counter's, which then has nothing to sort. A row costs no
// allocation: its IDs are read in place.
Status StateStore::LoadClients(const std::function<void(const ClientStamp&)>& fn) {
  Result<Statement> q = db_.Prepare(
      "SELECT application_id, cmid, last_seen FROM host_clients "
      "INDEXED BY host_clients_by_last_seen ORDER BY last_seen");
  if (!q.ok()) return q.status();
  ClientStamp stamp;
  for (;;) {
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    stamp.application_id = UuidFromBlob(q->Blob(0));
    stamp.cmid = UuidFromBlob(q->Blob(1));
    stamp.last_seen = q->Int(2);
    fn(stamp);
  }
}

Result<std::vector<StateStore::ApplicationClients>> StateStore::CountClientsByApplication() {
  Result<Statement> q =
      db_.Prepare("SELECT application_id, COUNT(*) FROM host_clients GROUP BY application_id");
  if (!q.ok()) return q.status();
  std::vector<ApplicationClients> out;
  for (;;) {
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({UuidFromBlob(q->Blob(0)), static_cast<std::uint64_t>(q->Int(1))});
  }
}

namespace {

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The least string above every string that starts with `prefix` (bytewise,
// as SQLite's BINARY and NOCASE compare): the prefix with its last byte
// raised. A prefix of 0xFF bytes only has no such string; machine names
// are at most 255 bytes, so 256 of them stand in.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return std::string(256, '\xff');
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

// Where the hyphens are in a UUID's text (FormatUuid).
bool HyphenAt(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// Hex digits (4 bits each) as bytes; an odd last digit is a byte's high half.
std::vector<std::uint8_t> NibbleBytes(const std::vector<std::uint8_t>& nibbles) {
  std::vector<std::uint8_t> out((nibbles.size() + 1) / 2, 0);
  for (std::size_t i = 0; i < nibbles.size(); ++i) {
    out[i / 2] |= static_cast<std::uint8_t>(i % 2 == 0 ? nibbles[i] << 4 : nibbles[i]);
  }
  return out;
}

// The CMIDs whose text starts with `prefix` (lower-case hex and hyphens)
// are the keys in [lo, hi) (blobs compare as bytes, a prefix below what it
// starts); hi comes back empty when nothing bounds them above. False when
// no UUID's text starts with `prefix` (a hyphen out of place).
bool CmidRange(std::string_view prefix, std::vector<std::uint8_t>* lo,
               std::vector<std::uint8_t>* hi) {
  std::vector<std::uint8_t> nibbles;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = prefix[i];
    if (HyphenAt(i) != (c == '-')) return false;
    if (c == '-') continue;
    if (c >= '0' && c <= '9') {
      nibbles.push_back(static_cast<std::uint8_t>(c - '0'));
    } else if (c >= 'a' && c <= 'f') {
      nibbles.push_back(static_cast<std::uint8_t>(c - 'a' + 10));
    } else {
      return false;
    }
  }
  *lo = NibbleBytes(nibbles);
  // The least prefix above: the last digit that is not f, raised.
  while (!nibbles.empty() && nibbles.back() == 0xF) nibbles.pop_back();
  if (nibbles.empty()) {
    hi->clear();
  } else {
    ++nibbles.back();
    *hi = NibbleBytes(nibbles);
  }
  return true;
}

// Above every 16-byte key.
const std::vector<std::uint8_t> kPastEveryKey(17, 0xFF);

std::span<const std::uint8_t> IdBytes(const Uuid& id) { return {id.data(), id.size()}; }

}  // namespace

// CMIDs are keys of their 16 bytes, so their order is their text's, and the
// table's own key (CMID, then application) serves every query here without
// sorting.
Result<StateStore::ClientPage> StateStore::ListClients(const std::optional<Uuid>& after,
                                                       std::size_t limit,
                                                       const ClientSearch& search) {
  if (!search.machine_prefix.empty()) return ListClientsByName(after, limit, search.machine_prefix);
  ClientPage page;
  std::vector<std::uint8_t> lo, hi;
  if (!CmidRange(search.cmid_prefix, &lo, &hi)) return page;
  if (hi.empty()) hi = kPastEveryKey;
  {
    // One lower bound, the greater: given two, SQLite seeks by one and
    // filters by the other, and a search from the first page read every
    // record below its prefix (183 ms at a million clients).
    const bool after_the_last =
        after && !std::lexicographical_compare(after->begin(), after->end(), lo.begin(), lo.end());
    Result<Statement> q = db_.Prepare(
        std::string("SELECT ") + kClientColumns + " FROM host_clients WHERE cmid " +
        (after_the_last ? ">" : ">=") + " ?1 AND cmid < ?3 ORDER BY cmid, application_id LIMIT ?2");
    if (!q.ok()) return q.status();
    if (after_the_last) {
      q->BindBlob(1, IdBytes(*after));
    } else {
      q->BindBlob(1, lo);
    }
    q->Bind(2, static_cast<std::int64_t>(limit)).BindBlob(3, hi);
    ACTIVA_RETURN_IF_ERROR(ReadClients(*q, page.clients));
  }
  if (page.clients.size() < limit || page.clients.empty()) return page;
  const ClientEntry last = page.clients.back();
  {
    // The rest of the last machine: as many as it has applications.
    Result<Statement> q = db_.Prepare(std::string("SELECT ") + kClientColumns +
                                      " FROM host_clients WHERE cmid = ?1 AND "
                                      "application_id > ?2 ORDER BY application_id");
    if (!q.ok()) return q.status();
    q->BindBlob(1, IdBytes(last.cmid)).BindBlob(2, IdBytes(last.application_id));
    ACTIVA_RETURN_IF_ERROR(ReadClients(*q, page.clients));
  }
  Result<Statement> q =
      db_.Prepare("SELECT 1 FROM host_clients WHERE cmid > ?1 AND cmid < ?2 LIMIT 1");
  if (!q.ok()) return q.status();
  q->BindBlob(1, IdBytes(last.cmid)).BindBlob(2, hi);
  Result<bool> row = q->Step();
  if (!row.ok()) return row.status();
  page.more = *row;
  return page;
}

Result<StateStore::ClientPage> StateStore::ListClientsByName(const std::optional<Uuid>& after,
                                                             std::size_t limit,
                                                             std::string_view prefix) {
  ClientPage page;
  const std::string lo = AsciiLower(prefix);
  const std::string hi = PrefixEnd(lo);
  // Where the last page ended: its last machine's name (the greatest of its
  // names in the search, should its records differ). Starting the range
  // there keeps a deep page as cheap as the first.
  std::string start = lo;
  // No CMID is below the empty blob.
  std::span<const std::uint8_t> after_cmid;
  if (after) {
    after_cmid = IdBytes(*after);
    Result<Statement> q = db_.Prepare(
        "SELECT machine_name FROM host_clients WHERE cmid = ?1 AND machine_name >= ?2 COLLATE "
        "NOCASE AND machine_name < ?3 COLLATE NOCASE ORDER BY machine_name COLLATE NOCASE DESC "
        "LIMIT 1");
    if (!q.ok()) return q.status();
    q->BindBlob(1, after_cmid).Bind(2, lo).Bind(3, hi);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return page;  // that machine is not in this search: nothing follows it
    start = AsciiLower(q->Text(0));
  }
  ACTIVA_RETURN_IF_ERROR(FindByName(start, hi, after_cmid, limit, page.clients));
  if (page.clients.size() < limit || page.clients.empty()) return page;
  const ClientEntry last = page.clients.back();
  const std::string last_name = AsciiLower(last.machine_name);
  {
    // The rest of the last machine under that name.
    Result<Statement> q = db_.Prepare(std::string("SELECT ") + kClientColumns +
                                      " FROM host_clients WHERE machine_name = ?1 COLLATE NOCASE "
                                      "AND cmid = ?2 AND application_id > ?3 ORDER BY "
                                      "application_id");
    if (!q.ok()) return q.status();
    q->Bind(1, last_name).BindBlob(2, IdBytes(last.cmid)).BindBlob(3, IdBytes(last.application_id));
    ACTIVA_RETURN_IF_ERROR(ReadClients(*q, page.clients));
  }
  std::vector<ClientEntry> next;
  ACTIVA_RETURN_IF_ERROR(FindByName(last_name, hi, IdBytes(last.cmid), 1, next));
  page.more = !next.empty();
  return page;
}

namespace {

// kClientColumns of host_clients as `c`, beside a table with columns of the
// same names.
constexpr const char* kClientColumnsOfC =
    "c.application_id, c.cmid, c.machine_name, c.sku_id, c.last_seen, c.license_state, "
    "c.is_virtual_machine, c.requests";

}  // namespace

// Each entry is joined to its record, and kept only when the record still
// has that name (in any case): an entry a rename or a deletion left behind
// finds none. The index is read in its order, up to `limit` kept; the log,
// which is short, all of it.
Status StateStore::FindByName(const std::string& start, const std::string& hi,
                              std::span<const std::uint8_t> after_cmid, std::size_t limit,
                              std::vector<ClientEntry>& out) {
  std::vector<ClientEntry> found;
  {
    Result<Statement> q =
        db_.Prepare(std::string("SELECT ") + kClientColumnsOfC +
                    " FROM host_client_names n CROSS JOIN host_clients c ON c.cmid = n.cmid AND "
                    "c.application_id = n.application_id WHERE n.name >= ?1 AND n.name < ?2 AND "
                    "(n.name > ?1 OR n.cmid > ?3) AND c.machine_name = n.name COLLATE NOCASE "
                    "ORDER BY n.name, n.cmid, n.application_id LIMIT ?4");
    if (!q.ok()) return q.status();
    q->Bind(1, start).Bind(2, hi).BindBlob(3, after_cmid).Bind(4, static_cast<std::int64_t>(limit));
    ACTIVA_RETURN_IF_ERROR(ReadClients(*q, found));
  }
  {
    Result<Statement> q = db_.Prepare(
        std::string("SELECT ") + kClientColumnsOfC +
        " FROM host_name_log l CROSS JOIN host_clients c ON c.cmid = l.cmid AND "
        "c.application_id = l.application_id WHERE l.machine_name >= ?1 COLLATE NOCASE AND "
        "l.machine_name < ?2 COLLATE NOCASE AND (l.machine_name > ?1 COLLATE NOCASE OR "
        "l.cmid > ?3) AND c.machine_name = l.machine_name COLLATE NOCASE");
    if (!q.ok()) return q.status();
    q->Bind(1, start).Bind(2, hi).BindBlob(3, after_cmid);
    ACTIVA_RETURN_IF_ERROR(ReadClients(*q, found));
  }
  // In the index's order; a record found in both (or logged twice) once.
  std::vector<std::pair<std::string, ClientEntry>> keyed;
  keyed.reserve(found.size());
  for (ClientEntry& c : found) keyed.emplace_back(AsciiLower(c.machine_name), std::move(c));
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.cmid, a.second.application_id) <
           std::tie(b.first, b.second.cmid, b.second.application_id);
  });
  keyed.erase(std::unique(keyed.begin(), keyed.end(),
                          [](const auto& a, const auto& b) {
                            return a.second.cmid == b.second.cmid &&
                                   a.second.application_id == b.second.application_id;
                          }),
              keyed.end());
  for (std::size_t i = 0; i < keyed.size() && i < limit; ++i) {
    out.push_back(std::move(keyed[i].second));
  }
  return Status::Ok();
}

Result<std::uint64_t> StateStore::CountClients() {
  Result<Statement> q = db_.Prepare("SELECT COUNT(*) FROM host_clients");
  if (!q.ok()) return q.status();
  Result<bool> row = q->Step();
  if (!row.ok()) return row.status();
  return static_cast<std::uint64_t>(*row ? q->Int(0) : 0);
}

namespace {

// host_client_names' order: the name in any case, then the CMID and the
// application.
void InIndexOrder(std::vector<StateStore::LoggedName>& names) {
  std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) {
    return std::tie(a.key, a.cmid, a.application_id) < std::tie(b.key, b.cmid, b.application_id);
  });
}

// The least slice of the sweep a batch merges, and how many times the
// batch's own new names: the sweep ends before the next kNameLogLimit names
// are logged, so the log stays under about twice the limit.
constexpr std::size_t kLeastNameSlice = 64;
constexpr std::size_t kSlicePerLoggedName = 2;

}  // namespace

Status StateStore::SaveHostBatch(const std::vector<ClientEntry>& clients, const RequestStats& delta,
                                 const std::vector<Event>& events, std::size_t keep_events,
                                 std::int64_t drop_clients_seen_before) {
  if (!names_loaded_ && !clients.empty()) {
    // What an earlier connection (or run) logged and did not merge.
    ACTIVA_RETURN_IF_ERROR(LoadNameLog(std::numeric_limits<std::int64_t>::max(), pending_names_));
    names_loaded_ = true;
  }
  if (sweep_.empty() && pending_names_.size() >= std::max<std::size_t>(name_log_limit_, 1)) {
    sweep_last_id_ = pending_names_.back().log_id;
    sweep_ = std::move(pending_names_);
    pending_names_.clear();
    InIndexOrder(sweep_);
    swept_ = 0;
  }
  std::vector<LoggedName> logged;
  SweepStep step;
  Status saved = InTransaction(db_, [&]() -> Status {
    logged.clear();
    step = SweepStep{};
    for (const ClientEntry& c : clients) ACTIVA_RETURN_IF_ERROR(SaveClient(c, logged));
    if (delta.total != 0) {
      Result<Statement*> q =
          Cached(add_stat_,
                 "INSERT INTO host_stats (name, value) VALUES (?1, ?2) "
                 "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value");
      if (!q.ok()) return q.status();
      std::uint64_t values[9] = {delta.total, delta.failed};
      for (int i = 0; i < 7; ++i) values[2 + i] = delta.by_state[i];
      for (int i = 0; i < 9; ++i) {
        if (values[i] == 0) continue;
        (*q)->Reset();
        ACTIVA_RETURN_IF_ERROR(
            (*q)->Bind(1, kStatNames[i]).Bind(2, static_cast<std::int64_t>(values[i])).Run());
      }
    }
    for (const Event& e : events) ACTIVA_RETURN_IF_ERROR(InsertEvent(e));
    if (!events.empty() && keep_events > 0) {
      // In the same transaction: keeping the log to its limit costs no
      // commit of its own. id is the rowid, so this is a range delete.
      Result<Statement*> q =
          Cached(prune_events_, "DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?1");
      if (!q.ok()) return q.status();
      (*q)->Reset();
      ACTIVA_RETURN_IF_ERROR((*q)->Bind(1, static_cast<std::int64_t>(keep_events)).Run());
    }
    if (drop_clients_seen_before != 0)
      ACTIVA_RETURN_IF_ERROR(PruneClients(drop_clients_seen_before));
    if (!sweep_.empty()) {
      ACTIVA_RETURN_IF_ERROR(
          MergeNames(std::max(kLeastNameSlice, kSlicePerLoggedName * logged.size()), step));
    }
    return Status::Ok();
  });
  // A batch that did not commit logged and merged nothing: its slice is
  // merged again with the next one.
  if (!saved.ok()) return saved;
  for (LoggedName& n : logged) pending_names_.push_back(std::move(n));
  if (step.reloaded) {
    sweep_ = std::move(step.names);
    swept_ = 0;
  } else if (step.done) {
    sweep_.clear();
    swept_ = 0;
  } else if (!sweep_.empty()) {
    swept_ = step.next;
  }
  return Status::Ok();
}

// The name goes to the log only when the index does not have it yet: a
// renewal under the same name (in any case) writes nothing for it.
Status StateStore::SaveClient(const ClientEntry& c, std::vector<LoggedName>& logged) {
  const std::span<const std::uint8_t> cmid = IdBytes(c.cmid);
  const std::span<const std::uint8_t> application = IdBytes(c.application_id);
  std::optional<std::string> before;
  {
    Result<Statement*> q =
        Cached(client_name_,
               "SELECT machine_name FROM host_clients WHERE cmid = ?1 AND application_id = ?2");
    if (!q.ok()) return q.status();
    (*q)->Reset();
    (*q)->BindStaticBlob(1, cmid).BindStaticBlob(2, application);
    Result<bool> row = (*q)->Step();
    if (!row.ok()) return row.status();
    if (*row) before = (*q)->Text(0);
    (*q)->Reset();
  }
  Result<Statement*> q = Cached(
      upsert_client_,
      "INSERT INTO host_clients (application_id, cmid, machine_name, sku_id, last_seen, "
      "license_state, is_virtual_machine, requests) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (cmid, application_id) DO UPDATE SET machine_name = excluded.machine_name, "
      "sku_id = excluded.sku_id, last_seen = MAX(last_seen, excluded.last_seen), "
      "license_state = excluded.license_state, "
      "is_virtual_machine = excluded.is_virtual_machine, "
      "requests = requests + excluded.requests");
  if (!q.ok()) return q.status();
  // Bound without a copy: the record outlives the Run() below, and binding
  // it costs no allocation.
  (*q)->Reset();
  ACTIVA_RETURN_IF_ERROR((*q)->BindStaticBlob(1, application)
                             .BindStaticBlob(2, cmid)
                             .BindStatic(3, c.machine_name)
                             .BindStaticBlob(4, IdBytes(c.sku_id))
                             .Bind(5, c.last_seen)
                             .Bind(6, c.license_state)
                             .Bind(7, c.is_virtual_machine ? 1 : 0)
                             .Bind(8, c.requests)
                             .Run());
  std::string key = AsciiLower(c.machine_name);
  if (before) {
    std::string before_key = AsciiLower(*before);
    if (before_key == key) return Status::Ok();
    ACTIVA_RETURN_IF_ERROR(UnindexName(*before, cmid, application));
  }
  Result<Statement*> log =
      Cached(log_name_,
             "INSERT INTO host_name_log (machine_name, cmid, application_id) VALUES (?1, ?2, ?3)");
  if (!log.ok()) return log.status();
  (*log)->Reset();
  ACTIVA_RETURN_IF_ERROR((*log)
                             ->BindStatic(1, c.machine_name)
                             .BindStaticBlob(2, cmid)
                             .BindStaticBlob(3, application)
                             .Run());
  logged.push_back(
      {std::move(key), c.machine_name, c.cmid, c.application_id, db_.last_insert_rowid()});
  return Status::Ok();
}

Status StateStore::UnindexName(const std::string& name, std::span<const std::uint8_t> cmid,
                               std::span<const std::uint8_t> application_id) {
  Result<Statement*> q =
      Cached(unindex_name_,
             "DELETE FROM host_client_names WHERE name = ?1 AND cmid = ?2 AND application_id = ?3");
  if (!q.ok()) return q.status();
  (*q)->Reset();
  return (*q)->Bind(1, name).BindBlob(2, cmid).BindBlob(3, application_id).Run();
}

// A range of host_clients_by_last_seen: the cost is the rows deleted, and
// their names leave the index with them.
Status StateStore::PruneClients(std::int64_t seen_before) {
  {
    Result<Statement> q = db_.Prepare(
        "SELECT machine_name, cmid, application_id FROM host_clients WHERE last_seen < ?1");
    if (!q.ok()) return q.status();
    q->Bind(1, seen_before);
    for (;;) {
      Result<bool> row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ACTIVA_RETURN_IF_ERROR(UnindexName(q->Text(0), q->Blob(1), q->Blob(2)));
    }
  }
  Result<Statement*> q = Cached(prune_clients_, "DELETE FROM host_clients WHERE last_seen < ?1");
  if (!q.ok()) return q.status();
  (*q)->Reset();
  return (*q)->Bind(1, seen_before).Run();
}

// The sweep's next names into the index, in its order; once all are in, the
// log's rows up to the sweep's last go, provided they are exactly the
// sweep's (another connection that wrote client records logged names this
// one never saw: the sweep is then read again from the log and merged
// anew).
Status StateStore::MergeNames(std::size_t slice, SweepStep& step) {
  step.next = swept_;
  if (swept_ < sweep_.size()) {
    Result<Statement*> q =
        Cached(index_name_,
               "INSERT OR IGNORE INTO host_client_names (name, cmid, application_id) "
               "VALUES (?1, ?2, ?3)");
    if (!q.ok()) return q.status();
    const std::size_t end = std::min(sweep_.size(), swept_ + slice);
    for (std::size_t i = swept_; i < end; ++i) {
      const LoggedName& n = sweep_[i];
      (*q)->Reset();
      ACTIVA_RETURN_IF_ERROR((*q)->BindStatic(1, n.name)
                                 .BindStaticBlob(2, IdBytes(n.cmid))
                                 .BindStaticBlob(3, IdBytes(n.application_id))
                                 .Run());
    }
    step.next = end;
    if (end < sweep_.size()) return Status::Ok();
  }
  Result<Statement> count = db_.Prepare("SELECT COUNT(*) FROM host_name_log WHERE id <= ?1");
  if (!count.ok()) return count.status();
  count->Bind(1, sweep_last_id_);
  Result<bool> row = count->Step();
  if (!row.ok()) return row.status();
  if (static_cast<std::uint64_t>(count->Int(0)) != sweep_.size()) {
    ACTIVA_RETURN_IF_ERROR(LoadNameLog(sweep_last_id_, step.names));
    InIndexOrder(step.names);
    step.reloaded = true;
    return Status::Ok();
  }
  Result<Statement> drop = db_.Prepare("DELETE FROM host_name_log WHERE id <= ?1");
  if (!drop.ok()) return drop.status();
  ACTIVA_RETURN_IF_ERROR(drop->Bind(1, sweep_last_id_).Run());
  step.done = true;
  return Status::Ok();
}

Status StateStore::LoadNameLog(std::int64_t up_to, std::vector<LoggedName>& out) {
  Result<Statement> q = db_.Prepare(
      "SELECT id, machine_name, cmid, application_id FROM host_name_log WHERE id <= ?1 "
      "ORDER BY id");
  if (!q.ok()) return q.status();
  q->Bind(1, up_to);
  for (;;) {
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    LoggedName n;
    n.log_id = q->Int(0);
    n.name = q->Text(1);
    n.key = AsciiLower(n.name);
    n.cmid = UuidFromBlob(q->Blob(2));
    n.application_id = UuidFromBlob(q->Blob(3));
    out.push_back(std::move(n));
  }
}

Result<RequestStats> StateStore::LoadStats() {
  Result<Statement> q = db_.Prepare("SELECT name, value FROM host_stats");
  if (!q.ok()) return q.status();
  RequestStats s;
  for (;;) {
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::string name = q->Text(0);
    auto v = static_cast<std::uint64_t>(q->Int(1));
    if (name == "total") s.total = v;
    if (name == "failed") s.failed = v;
    for (int i = 0; i < 7; ++i) {
      if (name == kStatNames[2 + i]) s.by_state[i] = v;
    }
  }
  return s;
}

Result<Statement*> StateStore::Cached(std::optional<Statement>& slot, std::string_view sql) {
  if (!slot) {
    Result<Statement> q = db_.Prepare(sql);
    if (!q.ok()) return q.status();
    slot.emplace(std::move(q).value());
  }
  return &*slot;
}

Status StateStore::InsertEvent(const Event& e) {
  Result<Statement*> q = Cached(
      insert_event_,
      "INSERT INTO events (time, event_id, message, result, count, required_count, threshold, "
      "machine_name, cmid, edition, client_time, license_state, minutes_left, virtual_machine) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  if (!q.ok()) return q.status();
  Statement& s = **q;
  s.Reset();  // also unbinds: the columns left out below are NULL
  s.Bind(1, e.time).Bind(2, e.event_id);
  if (!e.request) return s.BindStatic(3, e.message).Run();
  // The fields; the sentence is rendered when read (ReadEvent). An event
  // with both keeps its text (nothing writes one today).
  const HostRequestEvent& r = *e.request;
  return s.BindStatic(3, e.message)
      .Bind(4, static_cast<std::int64_t>(r.result))
      .Bind(5, static_cast<std::int64_t>(r.count))
      .Bind(6, static_cast<std::int64_t>(r.required_count))
      .Bind(7, static_cast<std::int64_t>(r.threshold))
      .BindStatic(8, r.machine_name)
      .BindBlob(9, r.cmid)
      .BindStatic(10, r.edition)
      .Bind(11, r.client_time)
      .Bind(12, static_cast<std::int64_t>(r.license_state))
      .Bind(13, static_cast<std::int64_t>(r.minutes_left))
      .Bind(14, r.is_virtual_machine ? 1 : 0)
      .Run();
}

Status StateStore::AppendEvent(const Event& e) { return InsertEvent(e); }

Result<std::vector<Event>> StateStore::RecentEvents(std::size_t limit, int event_id) {
  // events_by_id has every event but the 12290s: the term that says so lets
  // a query for any other ID read the index.
  const char* where = event_id == 0 ? ""
                      : event_id == kEventHostRequest
                          ? "WHERE event_id = ?2 "
                          : "WHERE event_id = ?2 AND event_id <> 12290 ";
  Result<Statement> q = db_.Prepare(std::string("SELECT ") + kEventColumns + " FROM events " +
                                    where + "ORDER BY id DESC LIMIT ?1");
  if (!q.ok()) return q.status();
  q->Bind(1, static_cast<std::int64_t>(limit));
  if (event_id != 0) q->Bind(2, event_id);
  std::vector<Event> out;
  for (;;) {
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadEvent(*q));
  }
  return std::vector<Event>(out.rbegin(), out.rend());
}

Result<StateStore::EventPage> StateStore::ListEvents(const EventFilter& f, std::size_t limit) {
  // The machine and result filters match the text as the host writes it
  // ("; client: NAME; ", "Result: 0x..."): in `message` for rows of text,
  // and in the same pieces of the sentence rebuilt from the columns for
  // 12290 rows stored as columns, so both kinds match alike.
  Result<Statement> q = db_.Prepare(
      std::string("SELECT ") + kEventColumns +
      " FROM events "
      "WHERE (?1 = 0 OR event_id = ?1) AND (?2 IS NULL OR time >= ?2) "
      "AND (?3 IS NULL OR id < ?3) "
      "AND (?4 = '' OR CASE WHEN result IS NULL "
      "THEN instr(lower(message), '; client: ' || lower(?4) || '; ') > 0 "
      "ELSE instr(lower('; client: ' || machine_name || '; '), '; client: ' || lower(?4) || '; ') "
      "> 0 END) "
      "AND (?5 = '' OR CASE WHEN result IS NULL THEN instr(message, 'Result: ' || ?5) > 0 "
      "ELSE instr(printf('Result: 0x%08X', result), 'Result: ' || ?5) = 1 END) "
      "ORDER BY id DESC LIMIT ?6");
  if (!q.ok()) return q.status();
  q->Bind(1, static_cast<std::int64_t>(f.event_id));
  if (f.since) {
    q->Bind(2, *f.since);
  } else {
    q->BindNull(2);
  }
  if (f.before) {
    q->Bind(3, *f.before);
  } else {
    q->BindNull(3);
  }
  q->Bind(4, std::string_view(f.machine)).Bind(5, std::string_view(f.result));
  // One more than asked, to know whether more follow.
  q->Bind(6, static_cast<std::int64_t>(limit) + 1);
  EventPage page;
  for (;;) {
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (page.events.size() == limit) {
      page.more = true;
      break;
    }
    page.events.push_back(ReadEvent(*q));
  }
  return page;
}

Status StateStore::PruneEvents(std::size_t keep) {
  Result<Statement> q =
      db_.Prepare("DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?1");
  if (!q.ok()) return q.status();
  return q->Bind(1, static_cast<std::int64_t>(keep)).Run();
}

Status StateStore::SaveCountSample(std::int64_t day, const std::vector<CountSample>& counts) {
  return InTransaction(db_, [&]() -> Status {
    for (const CountSample& c : counts) {
      Result<Statement> q = db_.Prepare(
          "INSERT INTO count_history (day, application_id, count) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (application_id, day) DO UPDATE SET count = excluded.count");
      if (!q.ok()) return q.status();
      q->Bind(1, day)
          .Bind(2, FormatUuid(c.application_id))
          .Bind(3, static_cast<std::int64_t>(c.count));
      Result<bool> row = q->Step();
      if (!row.ok()) return row.status();
    }
    Result<Statement> prune = db_.Prepare("DELETE FROM count_history WHERE day < ?1");
    if (!prune.ok()) return prune.status();
    prune->Bind(1, day - (kCountHistoryDays - 1) * 86400);
    Result<bool> row = prune->Step();
    if (!row.ok()) return row.status();
    return Status::Ok();
  });
}

Result<std::vector<StateStore::CountSample>> StateStore::LoadCountHistory(std::int64_t since) {
  Result<Statement> q = db_.Prepare(
      "SELECT day, application_id, count FROM count_history WHERE day >= ?1 "
      "ORDER BY application_id, day");
  if (!q.ok()) return q.status();
  q->Bind(1, since);
  std::vector<CountSample> out;
  for (;;) {
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({q->Int(0), UuidOr(q->Text(1)), static_cast<std::uint32_t>(q->Int(2))});
  }
}

}  // namespace activa
