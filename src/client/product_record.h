// An installed client product (one per edition) and where it is kept, with
// what the client keeps besides: removed editions' timers, the latest time
// seen.
#ifndef ACTIVA_CLIENT_PRODUCT_RECORD_H_
#define ACTIVA_CLIENT_PRODUCT_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "base/uuid.h"
#include "client/client_license.h"
#include "client/license_clock.h"
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
  // The proof of the last activation (DESIGN.md section 3, point 5): the
  // last signed success that verified, as its response frame (the codec's
  // encoding is canonical, so re-encoding the decoded response gives the
  // bytes the host signed), and the signed catalog text it was verified
  // against. Empty until a host activates the product; a later refusal
  // leaves it. Handed to products by the `status` operation.
  Bytes proof_response;
  std::string proof_catalog;
  // A MAK product's activation by the vendor: the confirmation ID's text,
  // verified (offline/mak_activation.h) before it was kept; empty until
  // then, and for every other kind. With it the product is licensed for
  // good, and proof_catalog is the catalog it was verified against.
  std::string mak_confirmation;
  // Not stored: how that host was found, and its address (slmgr /dlv).
  bool discovered = false;
  std::string host_address;
};

// True for a MAK product the vendor has activated.
inline bool HoldsMakActivation(const ProductRecord& p) {
  return p.key_kind == KeyKind::kMak && !p.mak_confirmation.empty();
}

// The product's state and the minutes left in it: a MAK activation is
// licensed and never ends (0 minutes: nothing runs out); otherwise the
// license's timers decide (client_license.h).
inline LicenseState ProductState(const ProductRecord& p, std::int64_t now) {
  return HoldsMakActivation(p) ? LicenseState::kLicensed : StateAt(p.license, now);
}
inline std::uint32_t ProductMinutesLeft(const ProductRecord& p, std::int64_t now) {
  return HoldsMakActivation(p) ? 0 : MinutesLeft(p.license, now);
}

// What an edition keeps on this machine after its product is removed
// (/upk), so that installing it again (/ipk) takes its timers up where they
// were instead of starting afresh: otherwise /upk + /ipk would give back
// three rearms and a new grace period (DESIGN.md section 3, point 6).
struct EditionTimers {
  Uuid sku_id{};
  int rearms_used = 0;
  std::int64_t grace_end = 0;
  // Kept as well: an activation a host granted is no gift to take back, and
  // keeping it means a reinstall changes no timer at all.
  std::int64_t validity_end = 0;

  bool operator==(const EditionTimers&) const = default;
};

// Where products are kept (the daemon's state database; a fake in tests).
// A write that returns OK is durable.
class ProductStore {
 public:
  virtual ~ProductStore() = default;
  virtual Status SaveProduct(const ProductRecord& product) = 0;
  // Deletes the product of `kept.sku_id` and keeps its timers, replacing
  // any kept before, in one write: both or neither.
  virtual Status RemoveProduct(const EditionTimers& kept) = 0;
  // The timers kept when the edition's product was last removed; none when
  // it never was. A read error is an error, never "none".
  virtual Result<std::optional<EditionTimers>> LoadEditionTimers(const Uuid& sku_id) = 0;
  // The latest time seen (license_clock.h), one per machine.
  virtual Status SaveLicenseClock(const LicenseClock& clock) = 0;
};

}  // namespace activa

#endif  // ACTIVA_CLIENT_PRODUCT_RECORD_H_
