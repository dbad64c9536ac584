#include "vendor/vendor.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>

#include "base/file_util.h"
#include "catalog/revocation_list.h"
#include "keys/activation_codes.h"
#include "keys/product_key.h"
#include "offline/mak_activation.h"
#include "offline/offline_activation.h"
#include "vendor/pg_key_registry.h"
#include "vendor/registry_url.h"
#include "vendor/sqlite_key_registry.h"
#include "vendor/vendor_definition.h"

namespace activa {
namespace {

std::string KeyPath(const std::string& dir) { return dir + "/vendor.key"; }
std::string DefinitionPath(const std::string& dir) { return dir + "/vendor.toml"; }
std::string DatabasePath(const std::string& dir) { return dir + "/vendor.db"; }
std::string DatabaseUrlPath(const std::string& dir) { return dir + "/database.url"; }

// The PostgreSQL URL that database.url records, or "" when the vendor's
// ledger is still vendor.db.
Result<std::string> RecordedDatabaseUrl(const std::string& dir) {
  const std::string path = DatabaseUrlPath(dir);
  if (!std::filesystem::exists(path)) return std::string();
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string url = *text;
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.pop_back();
  if (!IsPostgresUrl(url) || url.find('\n') != std::string::npos) {
    return Status(ResultCode::kInvalidData,
                  path + " must hold one line, postgresql://user@host:port/database");
  }
  return url;
}

// 0600: the URL may carry the database password.
Status RecordDatabaseUrl(const std::string& dir, const std::string& url) {
  return WriteFileAtomic(DatabaseUrlPath(dir), url + "\n", 0600, /*overwrite=*/false);
}

ByteSpan SetupSecret() {
  return ByteSpan(reinterpret_cast<const std::uint8_t*>(kSetupKeySecret.data()),
                  kSetupKeySecret.size());
}

}  // namespace

Status Vendor::Init(const std::string& dir, std::string_view name, const std::string& db_url) {
  if (!db_url.empty() && !IsPostgresUrl(db_url)) {
    return Status(ResultCode::kInvalidArgument,
                  "--db \"" + RedactDatabaseUrl(db_url) +
                      "\" is not a PostgreSQL URL (postgresql://user@host:port/database)");
  }
  if (name.empty() || name.size() > 100) {
    return Status(ResultCode::kInvalidArgument, "the vendor name must be 1 to 100 characters");
  }
  for (unsigned char ch : name) {
    if (ch < 0x20 || ch == 0x7f) {
      return Status(ResultCode::kInvalidArgument, "the vendor name has a control character");
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status(ResultCode::kStorage, dir + ": " + ec.message());
  for (const std::string& p :
       {KeyPath(dir), DefinitionPath(dir), DatabasePath(dir), DatabaseUrlPath(dir)}) {
    if (std::filesystem::exists(p)) {
      return Status(ResultCode::kFileExists,
                    p + " already exists: " + dir + " already holds a vendor; not overwriting it");
    }
  }
  // The directory holds the signing key: nobody else needs to look inside.
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Status(ResultCode::kStorage, dir + ": chmod: " + std::strerror(errno));
  }
  ACTIVA_RETURN_IF_ERROR(SaveSigningKey(SigningKey::Generate(), KeyPath(dir)));
  const std::string definition = VendorDefinitionTemplate(name);
  ACTIVA_RETURN_IF_ERROR(WriteFileAtomic(DefinitionPath(dir), definition, 0644, false));
  if (db_url.empty()) {
    Result<SqliteKeyRegistry> db = SqliteKeyRegistry::Open(DatabasePath(dir), /*create=*/true);
    return db.status();
  }
  Result<Catalog> catalog = ParseVendorDefinition(definition, DefinitionPath(dir));
  Status s = catalog.status();
  if (s.ok()) s = PgKeyRegistry::Open(db_url, FormatUuid(catalog->vendor_id)).status();
  if (s.ok()) s = RecordDatabaseUrl(dir, db_url);
  if (!s.ok()) {
    // Nothing half made: the same init can run again once the database is there.
    std::filesystem::remove(KeyPath(dir));
    std::filesystem::remove(DefinitionPath(dir));
  }
  return s;
}

Result<Vendor> Vendor::Open(const std::string& dir) { return Open(dir, ""); }

Result<Vendor> Vendor::Open(const std::string& dir, std::string_view database_url) {
  if (!std::filesystem::is_directory(dir)) {
    return Status(ResultCode::kFileNotFound,
                  dir + " is not a vendor directory; create one with `activa-vendor init`");
  }
  Result<SigningKey> key = LoadSigningKey(KeyPath(dir));
  if (!key.ok()) return key.status();
  Result<std::string> text = ReadFile(DefinitionPath(dir));
  if (!text.ok()) return text.status();
  Result<Catalog> catalog = ParseVendorDefinition(*text, DefinitionPath(dir));
  if (!catalog.ok()) return catalog.status();
  catalog->vendor_keys = {key->public_key()};
  std::string url(database_url);
  if (url.empty()) {
    Result<std::string> recorded = RecordedDatabaseUrl(dir);
    if (!recorded.ok()) return recorded.status();
    url = *recorded;
  }
  Result<std::unique_ptr<KeyRegistry>> db =
      OpenKeyRegistry(url, dir, FormatUuid(catalog->vendor_id), /*create=*/false);
  if (!db.ok()) return db.status();
  Vendor v(std::move(key).value(), std::move(catalog).value(), std::move(db).value());
  // Setup keys are derived, not stored: the same catalog always lists the
  // same setup keys.
  for (Edition& e : v.catalog_.editions) {
    Result<ProductKey> setup =
        MintProductKey(SetupSecret(), KeyKind::kSetup, v.catalog_.vendor_tag(), e.code, 0);
    if (!setup.ok()) return setup.status();
    e.setup_key = FormatProductKey(*setup);
  }
  ACTIVA_RETURN_IF_ERROR(ValidateCatalog(v.catalog_));
  return v;
}

Result<LedgerCounts> Vendor::MigrateToPostgres(const std::string& dir, const std::string& url) {
  if (!IsPostgresUrl(url)) {
    return Status(ResultCode::kInvalidArgument,
                  "--to \"" + RedactDatabaseUrl(url) +
                      "\" is not a PostgreSQL URL (postgresql://user@host:port/database)");
  }
  Result<std::string> recorded = RecordedDatabaseUrl(dir);
  if (!recorded.ok()) return recorded.status();
  if (!recorded->empty()) {
    return Status(ResultCode::kFileExists, dir + " already moved its ledger to " +
                                               RedactDatabaseUrl(*recorded) + " (" +
                                               DatabaseUrlPath(dir) + "); migrate runs once, and " +
                                               DatabasePath(dir) + " is no longer used");
  }
  // Opening the vendor checks the directory and brings vendor.db's schema
  // up to date, so the copy reads the newest tables.
  Result<Vendor> v = Open(dir);
  if (!v.ok()) return v.status();
  Result<std::unique_ptr<PgKeyRegistry>> pg =
      PgKeyRegistry::Open(url, FormatUuid(v->catalog().vendor_id));
  if (!pg.ok()) return pg.status();
  Result<LedgerCounts> copied = (*pg)->CopyFromSqlite(DatabasePath(dir));
  if (!copied.ok()) return copied.status();
  ACTIVA_RETURN_IF_ERROR(RecordDatabaseUrl(dir, url));
  return copied;
}

Vendor::Vendor(SigningKey key, Catalog catalog, std::unique_ptr<KeyRegistry> registry)
    : key_(std::move(key)), catalog_(std::move(catalog)), registry_(std::move(registry)) {
  // Keys' MACs use a secret derived from the signing key, so the vendor has
  // one secret to guard, not two.
  KeySeed seed = key_.ExportSeed();
  constexpr std::string_view kLabel = "activa/mint-secret/v1";
  Blake2b(mint_secret_,
          ByteSpan(reinterpret_cast<const std::uint8_t*>(kLabel.data()), kLabel.size()), seed);
  sodium_memzero(seed.data(), seed.size());
}

Vendor::Vendor(Vendor&&) noexcept = default;
Vendor& Vendor::operator=(Vendor&&) noexcept = default;
Vendor::~Vendor() { sodium_memzero(mint_secret_.data(), mint_secret_.size()); }

Result<std::string> Vendor::SignedCatalog(std::int64_t now) const { return SignedCatalog(now, {}); }

Result<std::string> Vendor::SignedCatalog(
    std::int64_t now, const std::vector<std::string>& clearinghouse_pins) const {
  Catalog c = catalog_;
  c.issued = now;
  c.clearinghouse_pins = clearinghouse_pins;
  return SignCatalog(c, key_);
}

Result<MintedKey> Vendor::MintHostKey(std::string_view group, int max_hosts, int max_activations,
                                      std::int64_t now, int certificate_days) {
  const ProductGroup* g = catalog_.FindGroupByName(group);
  if (g == nullptr) {
    std::string known;
    for (const ProductGroup& x : catalog_.groups)
      known += (known.empty() ? "\"" : ", \"") + x.name + "\"";
    return Status(
        ResultCode::kInvalidArgument,
        "no product group is named \"" + std::string(group) + "\" (known: " + known + ")");
  }
  if (max_hosts < 1 || max_hosts > 100000 || max_activations < 1 || max_activations > 100000) {
    return Status(ResultCode::kInvalidArgument, "--hosts and --activations must be 1 to 100000");
  }
  if (certificate_days < 1 || certificate_days > kMaxCertificateDays) {
    return Status(ResultCode::kInvalidArgument,
                  "--certificate-days must be 1 to " + std::to_string(kMaxCertificateDays));
  }
  MintedKey spec;
  spec.kind = KeyKind::kHost;
  spec.item = g->code;
  spec.item_name = g->name;
  spec.max_hosts = max_hosts;
  spec.max_activations = max_activations;
  spec.certificate_days = certificate_days;
  spec.created = now;
  return registry_->Mint(spec, [&](std::uint32_t serial) {
    return FormatProductKey(
        *MintProductKey(mint_secret_, KeyKind::kHost, catalog_.vendor_tag(), g->code, serial));
  });
}

Result<MintedKey> Vendor::MintMak(std::string_view edition, int count, std::int64_t now) {
  const Edition* e = catalog_.FindEditionByName(edition);
  if (e == nullptr) {
    std::string known;
    for (const Edition& x : catalog_.editions)
      known += (known.empty() ? "\"" : ", \"") + x.name + "\"";
    return Status(ResultCode::kInvalidArgument,
                  "no edition is named \"" + std::string(edition) + "\" (known: " + known + ")");
  }
  if (count < 1 || count > 10000000) {
    return Status(ResultCode::kInvalidArgument, "--count must be 1 to 10000000");
  }
  MintedKey spec;
  spec.kind = KeyKind::kMak;
  spec.item = e->code;
  spec.item_name = e->name;
  spec.mak_count = count;
  spec.created = now;
  return registry_->Mint(spec, [&](std::uint32_t serial) {
    return FormatProductKey(
        *MintProductKey(mint_secret_, KeyKind::kMak, catalog_.vendor_tag(), e->code, serial));
  });
}

Result<ProductKey> Vendor::CheckOwnKey(std::string_view text, KeyKind kind) const {
  Result<ProductKey> key = ParseProductKey(text);
  if (!key.ok()) return key.status();
  if (key->vendor_tag != catalog_.vendor_tag()) {
    return Status(ResultCode::kInvalidKey, "the key was not issued by " + catalog_.vendor_name);
  }
  if (key->kind != kind) {
    return Status(ResultCode::kWrongKeyKind, std::string("the key is a ") +
                                                 (key->kind == KeyKind::kHost  ? "host key"
                                                  : key->kind == KeyKind::kMak ? "MAK"
                                                                               : "setup key") +
                                                 ", not a " +
                                                 (kind == KeyKind::kHost ? "host key" : "MAK"));
  }
  if (!VerifyProductKeyMac(*key, mint_secret_).ok()) {
    return Status(ResultCode::kInvalidKey, "the key was not minted by " + catalog_.vendor_name);
  }
  return key;
}

Result<std::string> Vendor::Confirm(std::string_view installation_id, std::int64_t now) {
  Result<InstallationId> iid = ParseInstallationId(installation_id);
  if (!iid.ok()) return iid.status();
  if (iid->host_key.kind == KeyKind::kMak) return ConfirmMak(*iid, now);
  return ConfirmHost(*iid, now, [&](std::uint32_t serial) {
    return registry_->RecordHostActivation(serial, iid->machine_tag, iid->host_public_key, now);
  });
}

Result<std::string> Vendor::ConfirmHost(const InstallationId& iid, std::int64_t now,
                                        const std::function<Status(std::uint32_t)>& record) {
  Result<ProductKey> key = CheckOwnKey(FormatProductKey(iid.host_key), KeyKind::kHost);
  if (!key.ok()) return key.status();
  if (catalog_.FindGroupByCode(key->item) == nullptr) {
    return Status(ResultCode::kInvalidKey, "the host key names a product group that " +
                                               catalog_.vendor_name + " no longer defines");
  }
  ACTIVA_RETURN_IF_ERROR(record(key->serial));
  Result<std::optional<MintedKey>> minted = registry_->Find(key->serial);
  if (!minted.ok()) return minted.status();
  IssuedActivation issued = IssueHostActivation(
      iid, key_, now, minted->has_value() ? (*minted)->certificate_days : kDefaultCertificateDays);
  return FormatConfirmationId(issued.confirmation);
}

Result<std::string> Vendor::ConfirmMak(const InstallationId& iid, std::int64_t now) {
  Result<ProductKey> key = CheckOwnKey(FormatProductKey(iid.host_key), KeyKind::kMak);
  if (!key.ok()) return key.status();
  const Edition* edition = catalog_.FindEditionByCode(key->item);
  if (edition == nullptr) {
    return Status(ResultCode::kInvalidKey,
                  "the MAK names an edition that " + catalog_.vendor_name + " no longer defines");
  }
  ACTIVA_RETURN_IF_ERROR(registry_->RecordMakActivation(key->serial, iid.machine_tag,
                                                        iid.host_public_key, edition->id, now));
  return FormatConfirmationId(IssueMakActivation(iid, catalog_.vendor_id, edition->id, key_, now));
}

Result<std::string> Vendor::Renew(std::string_view installation_id, std::int64_t now) {
  Result<InstallationId> iid = ParseInstallationId(installation_id);
  if (!iid.ok()) return iid.status();
  return ConfirmHost(*iid, now, [&](std::uint32_t serial) {
    return registry_->RecordHostRenewal(serial, iid->host_public_key, now);
  });
}

Status Vendor::Revoke(std::string_view product_key) {
  Result<ProductKey> key = ParseProductKey(product_key);
  if (!key.ok()) return key.status();
  if (key->kind == KeyKind::kSetup) {
    return Status(ResultCode::kWrongKeyKind, "setup keys are public and cannot be revoked");
  }
  Result<ProductKey> own = CheckOwnKey(product_key, key->kind);
  if (!own.ok()) return own.status();
  return registry_->Revoke(own->serial);
}

Status Vendor::RevokeHost(std::string_view installation_id, std::int64_t now) {
  Result<InstallationId> iid = ParseInstallationId(installation_id);
  if (!iid.ok()) return iid.status();
  return registry_->RevokeHost(iid->host_public_key, now);
}

Result<std::string> Vendor::SignedRevocations(std::int64_t now) {
  Result<std::vector<MintedKey>> keys = registry_->List();
  if (!keys.ok()) return keys.status();
  Result<std::vector<PublicKey>> hosts = registry_->RevokedHosts();
  if (!hosts.ok()) return hosts.status();
  RevocationList list;
  list.vendor_id = catalog_.vendor_id;
  list.issued = now;
  list.host_certificates = std::move(hosts).value();
  for (const MintedKey& k : *keys) {
    if (!k.revoked) continue;
    Result<ProductKey> key = ParseProductKey(k.text);
    if (!key.ok()) return key.status();
    (k.kind == KeyKind::kHost ? list.host_keys : list.maks).push_back(ProductKeyId(*key));
  }
  // The serial last, once everything else was read: a failed read burns none.
  Result<std::uint64_t> serial = registry_->NextRevocationSerial(now);
  if (!serial.ok()) return serial.status();
  list.serial = *serial;
  return SignRevocationList(list, key_);
}

Result<std::vector<MintedKey>> Vendor::ListKeys() { return registry_->List(); }

Result<std::string> Vendor::RevocationState() {
  Result<std::vector<MintedKey>> keys = registry_->List();
  if (!keys.ok()) return keys.status();
  Result<std::vector<PublicKey>> hosts = registry_->RevokedHosts();
  if (!hosts.ok()) return hosts.status();
  // List() and RevokedHosts() are ordered, so the text is too.
  std::string state;
  for (const MintedKey& k : *keys) {
    if (k.revoked) state += "key " + std::to_string(k.serial) + "\n";
  }
  for (const PublicKey& h : *hosts) state += "host " + HexEncode(h) + "\n";
  return state;
}

Status Vendor::CheckDatabase() {
  Result<std::optional<MintedKey>> any = registry_->Find(1);
  return any.status();
}

Status Vendor::AppendAudit(const AuditRecord& record) { return registry_->AppendAudit(record); }

Result<std::vector<AuditRecord>> Vendor::ListAudit(std::optional<std::uint32_t> key_serial,
                                                   std::int64_t since, std::size_t limit) {
  return registry_->ListAudit(key_serial, since, limit);
}

}  // namespace activa
