// activa-vendor: the vendor's command line (DESIGN.md sections 8 and 13).
//
// Results a script wants (a key, a confirmation ID) go to standard output
// alone on their line; explanations go to standard error. Exit status: 0 on
// success, 1 when the operation failed, 2 for a usage error.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "base/file_util.h"
#include "catalog/catalog.h"
#include "catalog/trust_store.h"
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

int Init(const std::string& dir, const std::string& name) {
  Status s = Vendor::Init(dir, name);
  if (!s.ok()) return Fail(s);
  std::cerr << "Created vendor \"" << name << "\" in " << dir << ":\n"
            << "  " << dir << "/vendor.key   signing key (mode 0600; back it up, keep it secret)\n"
            << "  " << dir << "/vendor.toml  applications, editions, product groups: edit it\n"
            << "  " << dir << "/vendor.db    keys minted and hosts activated\n"
            << "Next: activa-vendor catalog " << dir << " -o catalog.json\n";
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

int ExportCatalog(const std::string& dir, const std::string& out) {
  Result<Vendor> v = Vendor::Open(dir);
  if (!v.ok()) return Fail(v.status());
  Result<std::string> text = v->SignedCatalog(Now());
  if (!text.ok()) return Fail(text.status());
  return WriteOutput(out, *text, [&] {
    std::cerr << "Wrote the signed catalog of " << v->catalog().vendor_name << " to " << out << " ("
              << v->catalog().editions.size() << " edition(s), " << v->catalog().groups.size()
              << " product group(s))\n";
  });
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

int MintHost(const std::string& dir, const std::string& group, int hosts, int activations,
             int certificate_days) {
  Result<Vendor> v = Vendor::Open(dir);
  if (!v.ok()) return Fail(v.status());
  Result<MintedKey> key = v->MintHostKey(group, hosts, activations, Now(), certificate_days);
  if (!key.ok()) return Fail(key.status());
  std::cout << key->text << "\n";
  std::cerr << "Host key #" << key->serial << " for product group \"" << key->item_name
            << "\": up to " << hosts << " hosts, " << activations
            << " activations each, certificates good for " << certificate_days << " days\n";
  return 0;
}

int MintMak(const std::string& dir, const std::string& edition, int count) {
  Result<Vendor> v = Vendor::Open(dir);
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
int Confirm(const std::string& dir, std::string iid, const std::string& in,
            const std::string& out) {
  if (!in.empty()) {
    Result<std::string> text = ReadFile(in);
    if (!text.ok()) return Fail(text.status());
    iid = std::move(text).value();
  }
  Result<Vendor> v = Vendor::Open(dir);
  if (!v.ok()) return Fail(v.status());
  Result<std::string> cid = v->Confirm(iid, Now());
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

int Revoke(const std::string& dir, const std::string& key) {
  Result<Vendor> v = Vendor::Open(dir);
  if (!v.ok()) return Fail(v.status());
  Status s = v->Revoke(key);
  if (!s.ok()) return Fail(s);
  std::cerr << "Revoked; the key activates nothing from now on.\n";
  return 0;
}

int RevokeHost(const std::string& dir, const std::string& iid) {
  Result<Vendor> v = Vendor::Open(dir);
  if (!v.ok()) return Fail(v.status());
  Status s = v->RevokeHost(iid, Now());
  if (!s.ok()) return Fail(s);
  std::cerr << "Revoked the host's certificates; it is confirmed no more. Hosts and clients "
               "learn of it from the next revocation list (activa-vendor revocations).\n";
  return 0;
}

int ExportRevocations(const std::string& dir, const std::string& out) {
  Result<Vendor> v = Vendor::Open(dir);
  if (!v.ok()) return Fail(v.status());
  Result<std::string> text = v->SignedRevocations(Now());
  if (!text.ok()) return Fail(text.status());
  return WriteOutput(out, *text, [&] {
    std::cerr << "Wrote the revocation list to " << out
              << "; ship it beside the catalog (NAME.revocations) or import it with slmgr /ilc\n";
  });
}

int ListKeys(const std::string& dir) {
  Result<Vendor> v = Vendor::Open(dir);
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
  std::string dir, name, out, group, edition, text;
  int hosts = kDefaultMaxHosts, activations = kDefaultMaxActivations, count = 0;
  int certificate_days = kDefaultCertificateDays;
  int rc = 0;

  CLI::App* init =
      app.add_subcommand("init", "Create a vendor: signing key, vendor.toml, key database");
  init->add_option("VENDORDIR", dir, "Folder for the vendor's files")->required();
  init->add_option("--name", name, "The vendor's name")->required();
  init->callback([&] { rc = Init(dir, name); });

  CLI::App* catalog = app.add_subcommand("catalog", "Write the signed product catalog");
  catalog->add_option("VENDORDIR", dir)->required();
  catalog->add_option("-o,--output", out, "Catalog file to write (- for standard output)")
      ->required();
  catalog->callback([&] { rc = ExportCatalog(dir, out); });

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
  mint_host->callback([&] { rc = MintHost(dir, group, hosts, activations, certificate_days); });
  CLI::App* mint_mak = mint->add_subcommand("mak", "Mint a Multiple Activation Key");
  mint_mak->add_option("VENDORDIR", dir)->required();
  mint_mak->add_option("--edition", edition, "Edition the MAK activates")->required();
  mint_mak->add_option("--count", count, "How many activations")
      ->required()
      ->check(CLI::Range(1, 10000000));
  mint_mak->callback([&] { rc = MintMak(dir, edition, count); });

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
  confirm->callback([&] {
    if (text.empty() && confirm_in.empty()) {
      std::cerr << "activa-vendor confirm: give the INSTALLATION_ID or --in FILE\n";
      rc = 2;
      return;
    }
    rc = Confirm(dir, text, confirm_in, confirm_out);
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
  revoke->callback([&] {
    if (!host_iid.empty()) {
      rc = RevokeHost(dir, host_iid);
    } else if (!text.empty()) {
      rc = Revoke(dir, text);
    } else {
      std::cerr << "revoke: give a KEY or --host INSTALLATION_ID\n";
      rc = 2;
    }
  });

  CLI::App* revocations = app.add_subcommand(
      "revocations", "Write a new signed revocation list of everything revoked so far");
  revocations->add_option("VENDORDIR", dir)->required();
  revocations->add_option("-o,--output", out, "File to write (- for standard output)")->required();
  revocations->callback([&] { rc = ExportRevocations(dir, out); });

  CLI::App* keys = app.add_subcommand("keys", "List minted keys and their use");
  keys->add_option("VENDORDIR", dir)->required();
  keys->callback([&] { rc = ListKeys(dir); });

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
