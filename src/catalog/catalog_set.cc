#include "catalog/catalog_set.h"

namespace activa {

namespace {

// The first thing `a` and `b` both claim, or "" when they share nothing.
std::string SharedClaim(const Catalog& a, const Catalog& b) {
  if (a.vendor_tag() == b.vendor_tag()) return "the vendor tag of their product keys";
  for (const Application& x : a.applications) {
    if (b.FindApplication(x.id) != nullptr) return "application " + FormatUuid(x.id);
  }
  for (const Edition& x : a.editions) {
    if (b.FindEdition(x.id) != nullptr) return "edition " + FormatUuid(x.id);
  }
  for (const ProductGroup& x : a.groups) {
    for (const ProductGroup& y : b.groups) {
      if (x.id == y.id) return "product group " + FormatUuid(x.id);
    }
  }
  return "";
}

}  // namespace

CatalogSet CatalogSet::Load(System& system, const std::string& dir,
                            const std::vector<TrustedVendor>& trusted,
                            std::vector<std::string>* problems) {
  std::vector<PublicKey> keys;
  for (const TrustedVendor& v : trusted) keys.push_back(v.key);
  std::vector<Catalog> loaded;
  std::vector<std::string> files;
  std::vector<std::string> texts;
  Result<std::vector<std::string>> names = system.ListFiles(dir);
  if (!names.ok()) {
    problems->push_back("no catalogs: " + names.status().message());
    return CatalogSet();
  }
  for (const std::string& name : *names) {
    if (!name.ends_with(".json")) continue;
    const std::string path = dir + "/" + name;
    Result<std::string> text = system.ReadFile(path);
    Result<Catalog> c =
        text.ok() ? LoadTrustedCatalog(*text, keys) : Result<Catalog>(text.status());
    if (!c.ok()) {
      problems->push_back("catalog " + path + " refused: " + c.status().ToString());
      continue;
    }
    loaded.push_back(std::move(c).value());
    files.push_back(path);
    texts.push_back(std::move(text).value());
  }
  // Claims of two vendors on one thing: neither is trusted.
  std::vector<bool> refused(loaded.size(), false);
  for (std::size_t a = 0; a < loaded.size(); ++a) {
    for (std::size_t b = a + 1; b < loaded.size(); ++b) {
      if (loaded[a].vendor_keys.front() == loaded[b].vendor_keys.front()) continue;
      std::string claim = SharedClaim(loaded[a], loaded[b]);
      if (claim.empty()) continue;
      refused[a] = refused[b] = true;
      problems->push_back("catalogs " + files[a] + " (" + loaded[a].vendor_name + ") and " +
                          files[b] + " (" + loaded[b].vendor_name + ") both claim " + claim +
                          "; neither is trusted until one is removed");
    }
  }
  CatalogSet set;
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    if (refused[i]) continue;
    set.catalogs_.push_back(std::move(loaded[i]));
    set.texts_.push_back(std::move(texts[i]));
  }
  // Revocation lists ship beside the catalogs, verified under the same
  // pinned keys; each applies to the catalog its signer belongs to.
  for (const std::string& name : *names) {
    if (!name.ends_with(kRevocationFileSuffix)) continue;
    const std::string path = dir + "/" + name;
    Result<std::string> text = system.ReadFile(path);
    Result<RevocationList> list =
        text.ok() ? LoadTrustedRevocationList(*text, keys) : Result<RevocationList>(text.status());
    Result<bool> taken =
        list.ok() ? set.Offer(std::move(list).value()) : Result<bool>(list.status());
    // An older list beside a newer one is no problem: the newer decides.
    if (!taken.ok() && taken.status().code() != ResultCode::kInvalidArgument) {
      problems->push_back("revocation list " + path + " refused: " + taken.status().ToString());
    }
  }
  return set;
}

const RevocationList* CatalogSet::RevocationsFor(const Catalog& catalog) const {
  for (const RevocationList& r : revocations_) {
    if (r.vendor_id != catalog.vendor_id) continue;
    for (const PublicKey& k : catalog.vendor_keys) {
      if (k == r.signer) return &r;
    }
  }
  return nullptr;
}

Result<bool> CatalogSet::Offer(RevocationList list) {
  bool vendor_known = false;
  for (const Catalog& c : catalogs_) {
    if (c.vendor_id != list.vendor_id) continue;
    for (const PublicKey& k : c.vendor_keys) vendor_known = vendor_known || k == list.signer;
  }
  if (!vendor_known) {
    return Status(ResultCode::kNotFound,
                  "the revocation list is for vendor " + FormatUuid(list.vendor_id) +
                      ", whose catalog (with the key that signed the list) is not installed");
  }
  for (RevocationList& held : revocations_) {
    if (held.vendor_id != list.vendor_id) continue;
    if (list.serial < held.serial) {
      return Status(ResultCode::kInvalidArgument,
                    "the revocation list has serial " + std::to_string(list.serial) +
                        ", older than serial " + std::to_string(held.serial) +
                        " held; an older list never replaces a newer one");
    }
    if (list.serial == held.serial) return false;
    held = std::move(list);
    return true;
  }
  revocations_.push_back(std::move(list));
  return true;
}

const Edition* CatalogSet::FindEdition(const Uuid& sku, const Catalog** catalog) const {
  for (const Catalog& c : catalogs_) {
    if (const Edition* e = c.FindEdition(sku)) {
      if (catalog != nullptr) *catalog = &c;
      return e;
    }
  }
  return nullptr;
}

const std::string& CatalogSet::SignedText(const Catalog& catalog) const {
  static const std::string kNone;
  for (std::size_t i = 0; i < catalogs_.size() && i < texts_.size(); ++i) {
    if (&catalogs_[i] == &catalog) return texts_[i];
  }
  return kNone;
}

const Catalog* CatalogSet::ForVendorTag(std::uint16_t tag) const {
  for (const Catalog& c : catalogs_) {
    if (c.vendor_tag() == tag) return &c;
  }
  return nullptr;
}

}  // namespace activa
