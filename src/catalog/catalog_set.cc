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
  return set;
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
