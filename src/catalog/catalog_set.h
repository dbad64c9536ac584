// The catalogs installed on a machine (activad --catalog-dir) that it may
// trust: every `*.json` file in the folder signed by a vendor key pinned in
// the trust folder (catalog/trust_store.h), in file-name order.
//
// An application, edition or product group claimed by catalogs of two
// different vendors (or two vendors whose keys share a vendor tag, which
// product keys carry) is trusted in neither: both catalogs are refused, and
// the problem names both files. So a second vendor cannot take over this
// vendor's editions by copying their IDs, and a product key's vendor tag
// names exactly one trusted catalog.
//
// Beside the catalogs, every `*.revocations` file (catalog/revocation_list.h)
// signed by a trusted key of a loaded catalog's vendor applies to that
// vendor; of several, the highest serial. Lists imported otherwise (slmgr
// /ilc) are offered with Offer(), which never lets a lower serial replace a
// higher one.
//
// Read through the injected System, so tests give it files in memory.
// Thread safety: none; replaced whole on reload.
#ifndef ACTIVA_CATALOG_CATALOG_SET_H_
#define ACTIVA_CATALOG_CATALOG_SET_H_

#include <string>
#include <vector>

#include "base/system.h"
#include "catalog/catalog.h"
#include "catalog/revocation_list.h"
#include "catalog/trust_store.h"

namespace activa {

class CatalogSet {
 public:
  CatalogSet() = default;
  // Catalogs already verified (tests build them in code).
  explicit CatalogSet(std::vector<Catalog> catalogs) : catalogs_(std::move(catalogs)) {}

  // Loads the folder. What was refused (a file that does not verify, a
  // folder that cannot be read) is described in `problems`, one line each;
  // the rest still loads.
  static CatalogSet Load(System& system, const std::string& dir,
                         const std::vector<TrustedVendor>& trusted,
                         std::vector<std::string>* problems);

  // The edition with SKU ID `sku` in any catalog, and that catalog; null
  // when none lists it.
  const Edition* FindEdition(const Uuid& sku, const Catalog** catalog = nullptr) const;
  // The catalog whose vendor tag (carried in product keys) is `tag`.
  const Catalog* ForVendorTag(std::uint16_t tag) const;

  const std::vector<Catalog>& catalogs() const { return catalogs_; }

  // The newest revocation list of `catalog`'s vendor; null when none.
  const RevocationList* RevocationsFor(const Catalog& catalog) const;
  // Takes `list` when it is newer than the one held for its vendor (true),
  // keeps the held one when the serial is the same (false). Errors:
  // kNotFound when no catalog of this set is the list's vendor with the key
  // that signed it; kInvalidArgument, naming both serials, when the list
  // is older than the one held.
  Result<bool> Offer(RevocationList list);

  // The signed file `catalog` (one of catalogs()) was loaded from, byte for
  // byte, so that a product can verify it again (the `status` operation's
  // proof); "" for catalogs built in code.
  const std::string& SignedText(const Catalog& catalog) const;

 private:
  std::vector<Catalog> catalogs_;
  std::vector<std::string> texts_;           // parallel to catalogs_ when loaded
  std::vector<RevocationList> revocations_;  // at most one per vendor
};

}  // namespace activa

#endif  // ACTIVA_CATALOG_CATALOG_SET_H_
