// activa-vendor: the vendor's command line (DESIGN.md sections 8 and 13).
//
// Results a script wants (a key, a confirmation ID) go to standard output
// alone on their line; explanations go to standard error. Exit status: 0 on
// success, 1 when the operation failed, 2 for a usage error.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "base/file_util.h"
#include "base/time_text.h"
#include "catalog/catalog.h"
#include "catalog/trust_store.h"
#include "clearinghouse/clearinghouse_service.h"
#include "clearinghouse/https_server.h"
#include "clearinghouse/tls_identity.h"
#include "keys/activation_codes.h"
#include "keys/product_key.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

std::int64_t Now() { return static_cast<std::int64_t>(std::time(nullptr)); }

int Fail(const Status& s) {
  std::cerr << "activa-vendor: " << s.ToString() << "\n";
  return 1;
}

int Init(const std::string& dir, const std::string& name, const std::string& db) {
  Status s = Vendor::Init(dir, name, db);
  if (!s.ok()) return Fail(s);
  std::cerr << "Created vendor \"" << name << "\" in " << dir << ":\n"
            << "  " << dir << "/vendor.key   signing key (mode 0600; back it up, keep it secret)\n"
            << "  " << dir << "/vendor.toml  applications, editions, product groups: edit it\n";
  if (db.empty()) {
    std::cerr << "  " << dir << "/vendor.db    keys minted and hosts activated\n";
  } else {
    std::cerr << "  " << dir << "/database.url the ledger of keys minted and hosts activated: "
              << RedactDatabaseUrl(db) << "\n";
  }
  std::cerr << "Next: activa-vendor catalog " << dir << " -o catalog.json\n";
  return 0;
}

int Migrate(const std::string& dir, const std::string& to) {
  Result<LedgerCounts> copied = Vendor::MigrateToPostgres(dir, to);
  if (!copied.ok()) return Fail(copied.status());
  std::cerr << "Moved the ledger of " << dir << " to " << RedactDatabaseUrl(to) << ": "
            << copied->keys << " keys, " << copied->host_activations << " host activations, "
            << copied->mak_activations << " MAK activations, " << copied->revoked_hosts
            << " revoked hosts, " << copied->revocation_lists << " revocation list serials, "
            << copied->audit_records << " audit records (counts checked).\n"
            << "Recorded in " << dir << "/database.url: every command on " << dir
            << " now uses PostgreSQL; " << dir << "/vendor.db is kept, unused, as a backup.\n";
  return 0;
}

// Writes `text` to the file `out` (0644, replacing it), or to standard
// output for "-"; after a file, `written` says so on standard error.
template <typename Said>
int WriteOutput(const std::string& out, const std::string& text, Said written) {
  if (out == "-") {
    std::cout << text;
    return 0;
  }
  Status s = WriteFileAtomic(out, text, 0644, /*overwrite=*/true);
  if (!s.ok()) return Fail(s);
  written();
  return 0;
}

// The pins of the clearinghouse's TLS keys: those of the certificates
// given, or else that of the self-signed certificate `serve` made in
// VENDORDIR, if it made one. A certificate from a CA is pinned only when
// the vendor asks (--pin-clearinghouse): hosts check it against their trust
// store, and a pin would refuse the next key the CA certifies.
Result<std::vector<std::string>> ClearinghousePins(const std::string& dir,
                                                   const std::vector<std::string>& files) {
  std::vector<std::string> pins;
  std::vector<std::string> sources = files;
  if (sources.empty() && std::filesystem::exists(SelfSignedCertificatePath(dir))) {
    sources.push_back(SelfSignedCertificatePath(dir));
  }
  for (const std::string& f : sources) {
    Result<std::string> pin = SpkiPinOfCertificateFile(f);
    if (!pin.ok()) return pin.status();
    pins.push_back(std::move(pin).value());
  }
  return pins;
}

int ExportCatalog(const std::string& dir, const std::string& out,
                  const std::vector<std::string>& pin_files) {
  Result<Vendor> v = Vendor::Open(dir);
  if (!v.ok()) return Fail(v.status());
  Result<std::vector<std::string>> pins = ClearinghousePins(dir, pin_files);
  if (!pins.ok()) return Fail(pins.status());
  Result<std::string> text = v->SignedCatalog(Now(), *pins);
  if (!text.ok()) return Fail(text.status());
  return WriteOutput(out, *text, [&] {
    std::cerr << "Wrote the signed catalog of " << v->catalog().vendor_name << " to " << out << " ("
              << v->catalog().editions.size() << " edition(s), " << v->catalog().groups.size()
              << " product group(s)";
    if (!pins->empty()) std::cerr << ", " << pins->size() << " clearinghouse pin(s)";
    std::cerr << ")\n";
  });
}

std::string FormatTime(std::int64_t t) { return FormatUtcTimeBare(t); }

// --since: Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC).
bool ParseSince(const std::string& text, std::int64_t* out) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    if (text.size() > 12) return false;
    *out = std::stoll(text);
    return true;
  }
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr || (*end != '\0' && std::string_view(end) != "Z")) {
    tm = {};
    end = ::strptime(text.c_str(), "%Y-%m-%d", &tm);
    if (end == nullptr || *end != '\0') return false;
  }
  *out = static_cast<std::int64_t>(::timegm(&tm));
  return true;
}

int Audit(const std::string& dir, const std::string& db, const std::string& key,
          const std::string& since, bool as_json, int limit) {
  std::optional<std::uint32_t> serial;
  if (!key.empty()) {
    if (key.find_first_not_of("0123456789") == std::string::npos && key.size() <= 9) {
      serial = static_cast<std::uint32_t>(std::stoul(key));
    } else {
      Result<ProductKey> parsed = ParseProductKey(key);
      if (!parsed.ok()) {
        std::cerr << "audit: --key \"" << key
                  << "\" is neither a key serial nor a key: " << parsed.status().message() << "\n";
        return 2;
      }
      serial = parsed->serial;
    }
  }
  std::int64_t from = 0;
  if (!since.empty() && !ParseSince(since, &from)) {
    std::cerr << "audit: --since \"" << since
              << "\" is not Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC)\n";
    return 2;
  }
  Result<Vendor> v = Vendor::Open(dir, db);
  if (!v.ok()) return Fail(v.status());
  Result<std::vector<AuditRecord>> records =
      v->ListAudit(serial, from, static_cast<std::size_t>(limit));
  if (!records.ok()) return Fail(records.status());
  if (as_json) {
    boost::json::array out;
    for (const AuditRecord& r : *records) {
      out.push_back(
          boost::json::object{{"time", r.time},
                              {"source", r.source},
                              {"operation", r.operation},
                              {"key_serial", r.key_serial},
                              {"key_kind", r.key_kind},
                              {"machine", r.machine},
                              {"result", FormatResultCode(static_cast<ResultCode>(r.result))},
                              {"message", r.message}});
    }
    std::cout << boost::json::serialize(out) << "\n";
    return 0;
  }
  std::printf("%-19s %-15s %-11s %-7s %-4s %-16s %-10s %s\n", "TIME (UTC)", "SOURCE", "OPERATION",
              "KEY", "KIND", "MACHINE", "RESULT", "MESSAGE");
  for (const AuditRecord& r : *records) {
    std::printf("%-19s %-15s %-11s %-7s %-4s %-16s %-10s %s\n", FormatTime(r.time).c_str(),
                r.source.c_str(), r.operation.c_str(),
                r.key_serial == 0 ? "-" : std::to_string(r.key_serial).c_str(),
                r.key_kind.empty() ? "-" : r.key_kind.c_str(),
                r.machine.empty() ? "-" : r.machine.c_str(),
                FormatResultCode(static_cast<ResultCode>(r.result)).c_str(), r.message.c_str());
  }
  return 0;
}

double MonotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int Serve(const std::string& dir, const std::string& listen, const std::string& db,
          std::string cert, std::string key, const RateLimits& limits) {
  if (cert.empty() != key.empty()) {
    std::cerr << "serve: --tls-cert and --tls-key go together\n";
    return 2;
  }
  std::string address;
  std::uint16_t port = 0;
  Status listen_ok = ParseListenAddress(listen, &address, &port);
  if (!listen_ok.ok()) {
    std::cerr << "serve: " << listen_ok.message() << "\n";
    return 2;
  }
  Result<Vendor> v = Vendor::Open(dir, db);
  if (!v.ok()) return Fail(v.status());
  if (cert.empty()) {
    Status s = EnsureSelfSignedIdentity(dir);
    if (!s.ok()) return Fail(s);
    cert = SelfSignedCertificatePath(dir);
    key = SelfSignedKeyPath(dir);
  }
  Result<std::string> pin = SpkiPinOfCertificateFile(cert);
  if (!pin.ok()) return Fail(pin.status());
  ClearinghouseService service(*v, limits, Now, MonotonicSeconds);
  if (Status s = service.Start(); !s.ok()) return Fail(s);
  HttpsServer::Options options;
  options.address = address;
  options.port = port;
  options.certificate_file = cert;
  options.key_file = key;
  Result<std::unique_ptr<HttpsServer>> server = HttpsServer::Create(options, service);
  if (!server.ok()) return Fail(server.status());
  std::string where = address.find(':') != std::string::npos ? "[" + address + "]" : address;
  std::cerr << "activa-vendor serve: " << v->catalog().vendor_name << " listening on https://"
            << where << ":" << (*server)->port() << " (certificate " << cert << ", " << *pin << ")"
            << std::endl;
  Status s = (*server)->Run();
  if (!s.ok()) return Fail(s);
  std::cerr << "activa-vendor serve: stopped" << std::endl;
  return 0;
}

// The trust file that pins this vendor's key on machines (shipped in the
// vendor's package to /etc/activa/trusted-vendors.d/).
int ExportTrust(const std::string& dir, const std::string& out) {
  Result<Vendor> v = Vendor::Open(dir);
  if (!v.ok()) return Fail(v.status());
  std::string text = FormatTrustFile(v->catalog().vendor_keys.front(), v->catalog().vendor_name);
  return WriteOutput(out, text, [&] {
    std::cerr << "Wrote the trust file of " << v->catalog().vendor_name << " to " << out
              << "; install it as root in /etc/activa/trusted-vendors.d/ (mode 0644)\n";
  });
}

// The vendor's public key as a C header for the product to compile in
// (docs/c-api.md): the product's anchor must be in its binary, not in a file
// or variable that whoever runs it could replace.
std::string FormatCKey(const PublicKey& key, const std::string& vendor_name) {
  // The name goes into a comment: nothing in it may end the comment or the line.
  std::string name;
  for (char c : vendor_name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) continue;
    if (c == '/' && !name.empty() && name.back() == '*') name += ' ';
    name += c;
  }
  std::string text = "/* The Ed25519 public key of the vendor \"" + name +
                     "\", from `activa-vendor c-key`.\n"
                     " * Compiled into the product: pass kVendorKey to "
                     "activa_open_with_vendor_key. */\n"
                     "#include <stdint.h>\n\n"
                     "static const uint8_t kVendorKey[32] = {";
  char byte[8];
  for (std::size_t i = 0; i < key.size(); ++i) {
    std::snprintf(byte, sizeof byte, "0x%02x", key[i]);
    text += (i % 8 == 0) ? "\n    " : " ";
    text += byte;
    if (i + 1 < key.size()) text += ",";
  }
  text += "};\n";
  return text;
}

int ExportCKey(const std::string& dir, const std::string& out) {
  Result<Vendor> v = Vendor::Open(dir);
  if (!v.ok()) return Fail(v.status());
  std::string text = FormatCKey(v->catalog().vendor_keys.front(), v->catalog().vendor_name);
  return WriteOutput(out, text, [&] {
    std::cerr
        << "Wrote the public key of " << v->catalog().vendor_name << " to " << out
        << "; #include it in the product and pass kVendorKey to activa_open_with_vendor_key\n";
  });
}

int MintHost(const std::string& dir, const std::string& db, const std::string& group, int hosts,
             int activations, int certificate_days) {
  Result<Vendor> v = Vendor::Open(dir, db);
  if (!v.ok()) return Fail(v.status());
  Result<MintedKey> key = v->MintHostKey(group, hosts, activations, Now(), certificate_days);
  if (!key.ok()) return Fail(key.status());
  std::cout << key->text << "\n";
  std::cerr << "Host key #" << key->serial << " for product group \"" << key->item_name
            << "\": up to " << hosts << " hosts, " << activations
            << " activations each, certificates good for " << certificate_days << " days\n";
  return 0;
}

int MintMak(const std::string& dir, const std::string& db, const std::string& edition, int count) {
  Result<Vendor> v = Vendor::Open(dir, db);
  if (!v.ok()) return Fail(v.status());
  Result<MintedKey> key = v->MintMak(edition, count, Now());
  if (!key.ok()) return Fail(key.status());
  std::cout << key->text << "\n";
  std::cerr << "MAK #" << key->serial << " for edition \"" << key->item_name << "\": " << count
            << " machines\n";
  return 0;
}

// The installation ID comes typed on the command line or in the file `in`
// (as `slmgr /dti --out FILE` writes it); the confirmation ID goes to
// standard output, or to the file `out` for `slmgr /atp --in FILE`.
int Confirm(const std::string& dir, const std::string& db, std::string iid, const std::string& in,
            const std::string& out) {
  if (!in.empty()) {
    Result<std::string> text = ReadFile(in);
    if (!text.ok()) return Fail(text.status());
    iid = std::move(text).value();
  }
  Result<Vendor> v = Vendor::Open(dir, db);
  if (!v.ok()) return Fail(v.status());
  const std::int64_t now = Now();
  Result<std::string> cid = v->Confirm(iid, now);
  // Phone confirmations share the online ledger, and its audit log.
  AuditRecord record;
  record.time = now;
  record.source = "phone";
  record.operation = "confirm";
  if (Result<InstallationId> parsed = ParseInstallationId(iid); parsed.ok()) {
    record.key_serial = parsed->host_key.serial;
    record.key_kind = parsed->host_key.kind == KeyKind::kHost  ? "host"
                      : parsed->host_key.kind == KeyKind::kMak ? "mak"
                                                               : "";
    record.machine = HexEncode(parsed->machine_tag);
  }
  record.result = static_cast<std::uint32_t>(cid.ok() ? ResultCode::kOk : cid.status().code());
  record.message = cid.ok() ? "" : std::string(cid.status().message());
  if (Status audited = v->AppendAudit(record); !audited.ok()) {
    std::cerr << "activa-vendor: warning: the audit log was not written: " << audited.ToString()
              << "\n";
  }
  if (!cid.ok()) {
    Status s = cid.status();
    // The parser names the group; the file is what the person must look at.
    if (!in.empty()) s = Status(s.code(), in + ": " + s.message());
    return Fail(s);
  }
  const bool mak = ParseInstallationId(iid)->host_key.kind == KeyKind::kMak;
  if (out.empty()) {
    std::cout << *cid << "\n";
    std::cerr << "Give this confirmation ID to the machine's administrator: slmgr /atp ID"
              << (mak ? " (a MAK activation; it does not expire)\n" : "\n");
    return 0;
  }
  return WriteOutput(out, *cid + "\n", [&] {
    std::cerr << "Wrote the confirmation ID to " << out << "; on the machine: slmgr /atp --in "
              << out << (mak ? " (a MAK activation; it does not expire)\n" : "\n");
  });
}

int Revoke(const std::string& dir, const std::string& db, const std::string& key) {
  Result<Vendor> v = Vendor::Open(dir, db);
  if (!v.ok()) return Fail(v.status());
  Status s = v->Revoke(key);
  if (!s.ok()) return Fail(s);
  std::cerr << "Revoked; the key activates nothing from now on.\n";
  return 0;
}

int RevokeHost(const std::string& dir, const std::string& db, const std::string& iid) {
  Result<Vendor> v = Vendor::Open(dir, db);
  if (!v.ok()) return Fail(v.status());
  Status s = v->RevokeHost(iid, Now());
  if (!s.ok()) return Fail(s);
  std::cerr << "Revoked the host's certificates; it is confirmed no more. Hosts and clients "
               "learn of it from the next revocation list (activa-vendor revocations).\n";
  return 0;
}

int ExportRevocations(const std::string& dir, const std::string& db, const std::string& out) {
  Result<Vendor> v = Vendor::Open(dir, db);
  if (!v.ok()) return Fail(v.status());
  Result<std::string> text = v->SignedRevocations(Now());
  if (!text.ok()) return Fail(text.status());
  return WriteOutput(out, *text, [&] {
    std::cerr << "Wrote the revocation list to " << out
              << "; ship it beside the catalog (NAME.revocations) or import it with slmgr /ilc\n";
  });
}

int ListKeys(const std::string& dir, const std::string& db) {
  Result<Vendor> v = Vendor::Open(dir, db);
  if (!v.ok()) return Fail(v.status());
  Result<std::vector<MintedKey>> keys = v->ListKeys();
  if (!keys.ok()) return Fail(keys.status());
  std::printf("%-7s %-5s %-29s %-8s %-12s %s\n", "SERIAL", "KIND", "KEY", "STATE", "USED", "FOR");
  for (const MintedKey& k : *keys) {
    std::string used =
        k.kind == KeyKind::kHost
            ? std::to_string(k.hosts_used) + "/" + std::to_string(k.max_hosts) + " hosts"
            : std::to_string(k.activations_used) + "/" + std::to_string(k.mak_count) + " machines";
    std::printf("%-7u %-5s %-29s %-8s %-12s %s\n", k.serial,
                k.kind == KeyKind::kHost ? "host" : "mak", k.text.c_str(),
                k.revoked ? "revoked" : "active", used.c_str(), k.item_name.c_str());
  }
  return 0;
}

int ShowCatalog(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return Fail(text.status());
  Result<Catalog> c = LoadCatalog(*text);
  if (!c.ok()) return Fail(c.status());
  std::printf("Catalog of %s (vendor ID %s), signature verified\n", c->vendor_name.c_str(),
              FormatUuid(c->vendor_id).c_str());
  for (const PublicKey& k : c->vendor_keys) {
    std::printf("  vendor key %s\n", HexEncode(KeyIdOf(k)).c_str());
  }
  if (!c->clearinghouse_url.empty()) {
    std::printf("  clearinghouse %s\n", c->clearinghouse_url.c_str());
  }
  for (const Application& a : c->applications) {
    std::printf("Application %s (%s)\n", a.name.c_str(), FormatUuid(a.id).c_str());
    for (const Edition& e : c->editions) {
      if (e.application_id != a.id) continue;
      std::printf("  Edition %s (%s)\n    SKU ID %s, threshold %d, setup key %s\n", e.name.c_str(),
                  e.kind == EditionKind::kServer ? "server" : "client", FormatUuid(e.id).c_str(),
                  e.threshold, e.setup_key.c_str());
    }
  }
  for (const ProductGroup& g : c->groups) {
    std::printf("Product group %s covers:", g.name.c_str());
    for (const Uuid& id : g.editions) std::printf(" \"%s\"", c->FindEdition(id)->name.c_str());
    std::printf("\n");
  }
  return 0;
}

int Run(int argc, char** argv) {
  InitCrypto();
  CLI::App app{"activa-vendor: the vendor's side of Activa volume activation"};
  app.require_subcommand(1);
  std::string dir, name, out, group, edition, text, db, to;
  int hosts = kDefaultMaxHosts, activations = kDefaultMaxActivations, count = 0;
  int certificate_days = kDefaultCertificateDays;
  int rc = 0;

  CLI::App* init =
      app.add_subcommand("init", "Create a vendor: signing key, vendor.toml, key database");
  init->add_option("VENDORDIR", dir, "Folder for the vendor's files")->required();
  init->add_option("--name", name, "The vendor's name")->required();
  init->add_option("--db", db,
                   "Keep the ledger in this empty PostgreSQL database from the start "
                   "(postgresql://user@host:port/db)");
  init->callback([&] { rc = Init(dir, name, db); });
  // The commands that read or write the ledger take --db: the database to
  // use instead of what VENDORDIR records (database.url, or else vendor.db).
  auto add_db = [&](CLI::App* command) {
    command->add_option("--db", db,
                        "Ledger database: postgresql://user@host:port/db or an SQLite file; "
                        "default: the one VENDORDIR/database.url records, else "
                        "VENDORDIR/vendor.db");
  };

  std::vector<std::string> pin_files;
  CLI::App* catalog = app.add_subcommand("catalog", "Write the signed product catalog");
  catalog->add_option("VENDORDIR", dir)->required();
  catalog->add_option("-o,--output", out, "Catalog file to write (- for standard output)")
      ->required();
  catalog
      ->add_option("--pin-clearinghouse", pin_files,
                   "Pin the public key of this clearinghouse certificate (PEM; repeatable). "
                   "Default: VENDORDIR/clearinghouse.crt when `serve` made one")
      ->check(CLI::ExistingFile);
  catalog->callback([&] { rc = ExportCatalog(dir, out, pin_files); });

  CLI::App* trust =
      app.add_subcommand("trust", "Write the trust file that pins this vendor's key on machines");
  trust->add_option("VENDORDIR", dir)->required();
  trust->add_option("-o,--output", out, "Trust file to write (- for standard output)")->required();
  trust->callback([&] { rc = ExportTrust(dir, out); });

  CLI::App* c_key = app.add_subcommand(
      "c-key", "Write the vendor's public key as a C header for the product to compile in");
  c_key->add_option("VENDORDIR", dir)->required();
  c_key->add_option("-o,--output", out, "Header to write (- for standard output)")->required();
  c_key->callback([&] { rc = ExportCKey(dir, out); });

  CLI::App* mint = app.add_subcommand("mint", "Mint a host key or a MAK");
  mint->require_subcommand(1);
  CLI::App* mint_host = mint->add_subcommand("host", "Mint a host key for a product group");
  mint_host->add_option("VENDORDIR", dir)->required();
  mint_host->add_option("--group", group, "Product group the host may activate")->required();
  mint_host->add_option("--hosts", hosts, "How many hosts the key may activate")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  mint_host->add_option("--activations", activations, "How often each host may activate")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  mint_host
      ->add_option("--certificate-days", certificate_days,
                   "How many days each host certificate of the key is good for")
      ->capture_default_str()
      ->check(CLI::Range(1, kMaxCertificateDays));
  add_db(mint_host);
  mint_host->callback([&] { rc = MintHost(dir, db, group, hosts, activations, certificate_days); });
  CLI::App* mint_mak = mint->add_subcommand("mak", "Mint a Multiple Activation Key");
  mint_mak->add_option("VENDORDIR", dir)->required();
  mint_mak->add_option("--edition", edition, "Edition the MAK activates")->required();
  mint_mak->add_option("--count", count, "How many activations")
      ->required()
      ->check(CLI::Range(1, 10000000));
  add_db(mint_mak);
  mint_mak->callback([&] { rc = MintMak(dir, db, edition, count); });

  CLI::App* confirm = app.add_subcommand(
      "confirm", "Turn a host's or MAK client's installation ID into a confirmation ID");
  confirm->add_option("VENDORDIR", dir)->required();
  std::string confirm_in, confirm_out;
  CLI::Option* iid_option =
      confirm->add_option("INSTALLATION_ID", text, "As `slmgr /dti` shows it (dashes optional)");
  confirm
      ->add_option("--in", confirm_in,
                   "Read the installation ID from this file (as `slmgr /dti --out` writes it)")
      ->excludes(iid_option);
  confirm->add_option("--out", confirm_out,
                      "Write the confirmation ID to this file (for `slmgr /atp --in`); - for "
                      "standard output");
  add_db(confirm);
  confirm->callback([&] {
    if (text.empty() && confirm_in.empty()) {
      std::cerr << "activa-vendor confirm: give the INSTALLATION_ID or --in FILE\n";
      rc = 2;
      return;
    }
    rc = Confirm(dir, db, text, confirm_in, confirm_out);
  });

  std::string host_iid;
  CLI::App* revoke =
      app.add_subcommand("revoke", "Revoke a host key or MAK, or one host's certificates");
  revoke->add_option("VENDORDIR", dir)->required();
  CLI::Option* key_option = revoke->add_option("KEY", text, "The host key or MAK to revoke");
  revoke
      ->add_option("--host", host_iid,
                   "Revoke the certificates of the host showing this installation ID")
      ->excludes(key_option);
  add_db(revoke);
  revoke->callback([&] {
    if (!host_iid.empty()) {
      rc = RevokeHost(dir, db, host_iid);
    } else if (!text.empty()) {
      rc = Revoke(dir, db, text);
    } else {
      std::cerr << "revoke: give a KEY or --host INSTALLATION_ID\n";
      rc = 2;
    }
  });

  CLI::App* revocations = app.add_subcommand(
      "revocations", "Write a new signed revocation list of everything revoked so far");
  revocations->add_option("VENDORDIR", dir)->required();
  revocations->add_option("-o,--output", out, "File to write (- for standard output)")->required();
  add_db(revocations);
  revocations->callback([&] { rc = ExportRevocations(dir, db, out); });

  CLI::App* keys = app.add_subcommand("keys", "List minted keys and their use");
  keys->add_option("VENDORDIR", dir)->required();
  add_db(keys);
  keys->callback([&] { rc = ListKeys(dir, db); });

  CLI::App* migrate = app.add_subcommand(
      "migrate", "Move the ledger from VENDORDIR/vendor.db to an empty PostgreSQL database");
  migrate->add_option("VENDORDIR", dir)->required();
  migrate->add_option("--to", to, "The database: postgresql://user@host:port/db")->required();
  migrate->callback([&] { rc = Migrate(dir, to); });

  std::string listen, tls_cert, tls_key, key_filter, since;
  RateLimits limits;
  CLI::App* serve =
      app.add_subcommand("serve", "Run the clearinghouse: online activation over HTTPS");
  serve->add_option("VENDORDIR", dir)->required();
  serve->add_option("--listen", listen, "ADDR:PORT to listen on ([::1]:8443 for IPv6; port 0: any)")
      ->required();
  add_db(serve);
  serve->add_option("--tls-cert", tls_cert,
                    "PEM certificate chain (default: self-signed, made "
                    "on first start as VENDORDIR/clearinghouse.crt)");
  serve->add_option("--tls-key", tls_key, "PEM private key of --tls-cert");
  serve
      ->add_option("--source-rate", limits.source_rate,
                   "Requests per second per source address after a burst (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  serve->add_option("--source-burst", limits.source_burst, "Burst per source address")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  serve
      ->add_option("--key-rate", limits.key_rate,
                   "Activations per second per key after a burst (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  serve->add_option("--key-burst", limits.key_burst, "Burst per key")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  serve->callback([&] { rc = Serve(dir, listen, db, tls_cert, tls_key, limits); });

  bool as_json = false;
  int limit = 10000;
  CLI::App* audit = app.add_subcommand("audit", "Show the audit log of activation attempts");
  audit->add_option("VENDORDIR", dir)->required();
  audit->add_option("--key", key_filter, "Only this key (its serial or its text)");
  audit->add_option("--since", since,
                    "Only from this time: Unix seconds, YYYY-MM-DD or "
                    "YYYY-MM-DDTHH:MM:SS (UTC)");
  audit->add_option("--limit", limit, "At most this many records")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  add_db(audit);
  audit->add_flag("--json", as_json, "One JSON array instead of a table");
  audit->callback([&] { rc = Audit(dir, db, key_filter, since, as_json, limit); });

  CLI::App* show = app.add_subcommand("show-catalog",
                                      "Verify a catalog file's signature and show what it holds");
  show->add_option("CATALOG", text, "A file written by `activa-vendor catalog`")->required();
  show->callback([&] { rc = ShowCatalog(text); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  return rc;
}

}  // namespace
}  // namespace activa

int main(int argc, char** argv) { return activa::Run(argc, argv); }
