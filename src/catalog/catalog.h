// The signed product catalog (DESIGN.md section 3).
//
// A vendor ships its catalog inside every product: it names the vendor and
// its public signing keys, the applications, their editions (SKUs) with the
// count each needs, the product groups a host key may cover, and one public
// setup key per edition. Clients and hosts trust a catalog because it was
// installed with the product; the signature makes any change to it, by
// accident or on purpose, fail loudly when it is loaded.
//
// File format (JSON, see docs/catalog.md):
//   {"activa_catalog": 1, "body": "<JSON text>",
//    "signatures": [{"key_id": "<hex>", "signature": "<base64>"}]}
// The signatures cover the body's exact bytes under the context
// "activa/catalog/v1". Catalog objects are plain values: copyable, not
// thread-safe to mutate, safe to read from several threads.
#ifndef ACTIVA_CATALOG_CATALOG_H_
#define ACTIVA_CATALOG_CATALOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/uuid.h"
#include "crypto/signing.h"

namespace activa {

inline constexpr std::string_view kCatalogContext = "activa/catalog/v1";
inline constexpr int kClientThreshold = 25;
inline constexpr int kServerThreshold = 5;

enum class EditionKind { kClient, kServer };

struct Application {
  Uuid id{};
  std::string name;
};

struct Edition {
  Uuid id{};  // the SKU ID
  Uuid application_id{};
  std::string name;
  EditionKind kind = EditionKind::kClient;
  int threshold = kClientThreshold;  // distinct machines needed before activation
  std::uint16_t code = 0;            // 12-bit code carried in product keys
  std::string setup_key;             // public setup key for this edition
};

struct ProductGroup {
  Uuid id{};
  std::string name;
  std::uint16_t code = 0;  // 12-bit code carried in host keys
  std::vector<Uuid> editions;
};

struct Catalog {
  Uuid vendor_id{};
  std::string vendor_name;
  std::string clearinghouse_url;
  // The clearinghouse's TLS public keys: "sha256:" and the lower-case hex
  // SHA-256 of a DER SubjectPublicKeyInfo. Empty: the clearinghouse's
  // certificate is checked against the system's trust store instead.
  std::vector<std::string> clearinghouse_pins;
  std::vector<PublicKey> vendor_keys;  // first one signs; all are trusted
  std::int64_t issued = 0;             // Unix seconds
  std::vector<Application> applications;
  std::vector<Edition> editions;
  std::vector<ProductGroup> groups;

  const Edition* FindEdition(const Uuid& sku) const;
  const Edition* FindEditionByCode(std::uint16_t code) const;
  const Edition* FindEditionByName(std::string_view name) const;
  const ProductGroup* FindGroupByCode(std::uint16_t code) const;
  const ProductGroup* FindGroupByName(std::string_view name) const;
  const Application* FindApplication(const Uuid& id) const;
  // True when a host key of group `group_code` may activate edition `sku`.
  bool GroupCovers(std::uint16_t group_code, const Uuid& sku) const;
  // The vendor tag carried in product keys: the first two bytes of the key ID
  // of the first vendor key.
  std::uint16_t vendor_tag() const;
};

// The 12-bit code of an edition or group: the first 12 bits of
// BLAKE2b("activa/item-code/v1" || id). Stable as long as the ID is.
std::uint16_t ItemCode(const Uuid& id);

// Checks the catalog's own consistency (unique IDs and codes, editions naming
// known applications, groups naming known editions, thresholds 1..1000).
// kInvalidData naming the first problem.
Status ValidateCatalog(const Catalog& catalog);

// Serialises and signs with `key`, which must be catalog.vendor_keys[0].
Result<std::string> SignCatalog(const Catalog& catalog, const SigningKey& key);

// Parses and verifies a catalog file. Fails with kBadSignature when no listed
// key's signature verifies over the body, kUnsupportedVersion for an unknown
// format version, kInvalidData (naming the field) for anything malformed.
// This proves the file is intact, not that anyone should trust it: the keys
// are the file's own. For the vendor's tools (show-catalog).
Result<Catalog> LoadCatalog(std::string_view file_text);

// As LoadCatalog, but the signature must verify under one of `trusted` (the
// keys this machine pins, catalog/trust_store.h), and that key must be one
// the catalog lists. A catalog signed only by its own unpinned key is
// kBadSignature saying so. What activad and products load.
Result<Catalog> LoadTrustedCatalog(std::string_view file_text,
                                   const std::vector<PublicKey>& trusted);

}  // namespace activa

#endif  // ACTIVA_CATALOG_CATALOG_H_
