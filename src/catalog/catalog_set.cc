#include "catalog/catalog_set.h"

namespace activa {

CatalogSet CatalogSet::Load(System& system, const std::string& dir,
                            std::vector<std::string>* problems) {
  CatalogSet set;
  Result<std::vector<std::string>> names = system.ListFiles(dir);
  if (!names.ok()) {
    problems->push_back("no catalogs: " + names.status().message());
    return set;
  }
  for (const std::string& name : *names) {
    if (name.size() < 5 || name.compare(name.size() - 5, 5, ".json") != 0) continue;
    const std::string path = dir + "/" + name;
    Result<std::string> text = system.ReadFile(path);
    Result<Catalog> c = text.ok() ? LoadCatalog(*text) : Result<Catalog>(text.status());
    if (!c.ok()) {
      problems->push_back("catalog " + path + " refused: " + c.status().ToString());
      continue;
    }
    set.catalogs_.push_back(std::move(c).value());
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

const Catalog* CatalogSet::ForVendorTag(std::uint16_t tag) const {
  for (const Catalog& c : catalogs_) {
    if (c.vendor_tag() == tag) return &c;
  }
  return nullptr;
}

}  // namespace activa
