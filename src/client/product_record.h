// An installed client product (one per edition) and where it is kept.
#ifndef ACTIVA_CLIENT_PRODUCT_RECORD_H_
#define ACTIVA_CLIENT_PRODUCT_RECORD_H_

#include <cstdint>
#include <string>

#include "base/status.h"
#include "base/uuid.h"
#include "client/client_license.h"
#include "keys/product_key.h"

namespace activa {

struct ProductRecord {
  Uuid sku_id{};
  Uuid application_id{};
  std::string key_text;
  KeyKind key_kind = KeyKind::kSetup;
  ClientLicense license;
  std::uint32_t last_count = 0;  // the host's count in its last answer
  std::string host_in_use;       // "host:port" that answered last
  // Not stored: how that host was found, and its address (slmgr /dlv).
  bool discovered = false;
  std::string host_address;
};

// Where products are kept (the daemon's state database; a fake in tests).
// A write that returns OK is durable.
class ProductStore {
 public:
  virtual ~ProductStore() = default;
  virtual Status SaveProduct(const ProductRecord& product) = 0;
  virtual Status DeleteProduct(const Uuid& sku_id) = 0;
};

}  // namespace activa

#endif  // ACTIVA_CLIENT_PRODUCT_RECORD_H_
