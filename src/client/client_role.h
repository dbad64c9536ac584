// The client role (DESIGN.md section 5, Client): the products installed on
// this machine, their license states, and the activation attempts that keep
// them licensed.
//
// Each product changes in memory only after its new state is saved
// (ProductStore): a write that fails leaves the product as it was and its
// error is returned.
//
// Time: the license rules (StateAt, MinutesLeft, AttemptDue, and the times
// the role writes into licenses) run on Now(), the latest time seen
// (license_clock.h), never on the system clock directly: the clock's
// readings move it on, a step back moves it not at all, and a verified host
// response sets it to the later of our clock and the host's time. A step
// back of more than kMaxClockSkewSeconds is logged as event 12289. Requests
// carry the system clock (client_time), and the chain check compares the
// host's time with the system clock, since that is what the host judges.
// The latest time seen is saved when it moved by a minute or more, or the
// clock went back; a save that fails is logged and retried at the next
// reading. What slmgr sets for discovery (/skms, /skms-domain,
// host caching) is kept here in memory; the caller persists it first.
//
// Depends on a clock, a ProductStore, the installed catalogs and an event
// log, all injected: tests run it with fakes, without a file or a socket.
// Thread safety: none; the daemon calls it from its event loop.
#ifndef ACTIVA_CLIENT_CLIENT_ROLE_H_
#define ACTIVA_CLIENT_CLIENT_ROLE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "catalog/catalog_set.h"
#include "client/attempt.h"
#include "client/product_record.h"

namespace activa {

// Who this machine is, as its requests say.
struct MachineIdentity {
  Uuid cmid{};
  Uuid previous_cmid{};  // all zero until the first /generalize
  std::string machine_name;
  bool is_virtual_machine = false;
};

// How a product finds its host (slmgr /skms, /skms-domain, /skhc).
struct HostDiscovery {
  std::optional<std::string> kms_host;    // host[:port]
  std::optional<std::string> kms_domain;  // where to look for SRV records
  bool host_caching = true;
  std::string service = "_activa._tcp";  // the SRV label ([dns] service)
};

// What one attempt came to, for the administrator who asked for it (slmgr
// /ato): its result, the cause in one line, and each step in order, the
// host that answered carrying the answer's result.
struct AttemptReport {
  ResultCode result = ResultCode::kOk;
  std::string cause;  // empty on success
  std::vector<AttemptStep> steps;
};

class ClientRole {
 public:
  // Events 12288 and 12289, and the role's diagnostics (id 0).
  using EventLog = std::function<void(int event_id, const std::string& message)>;

  // All references must outlive the role. `catalogs` may be replaced
  // (reload) between calls.
  ClientRole(const Clock& clock, ProductStore& store, const CatalogSet& catalogs, EventLog log);

  // Start-up: the stored products and the stored latest time seen.
  void Load(std::vector<ProductRecord> products, LicenseClock clock = {}) {
    products_ = std::move(products);
    license_clock_ = saved_clock_ = clock;
  }

  // The time the license rules use now (see above). Reads the clock; may
  // log and save.
  std::int64_t Now();
  const LicenseClock& license_clock() const { return license_clock_; }

  HostDiscovery& discovery() { return discovery_; }
  const HostDiscovery& discovery() const { return discovery_; }
  const std::vector<ProductRecord>& products() const { return products_; }
  const ProductRecord* Find(const Uuid& sku) const;

  // Products whose next attempt is due, and the earliest next attempt of any
  // product (0 when there are none). MAK products never ask a host: they
  // are neither due nor counted.
  std::vector<Uuid> DueProducts();
  std::int64_t NextAttemptTime() const;

  // Builds the request for `sku` (logging 12288). Fails when the product is
  // not installed, is a MAK product (kWrongKeyKind: the vendor activates
  // it), or its edition is in no catalog (that failure is recorded in the
  // product's state).
  Result<Attempt> Prepare(const Uuid& sku, const MachineIdentity& machine);
  // The outcome of RunAttempt(): judges the answer (the chain check against
  // the catalog), saves the product's new state and logs 12289. Returns the
  // attempt's result, or the store's error when the state could not be
  // saved (then nothing changed). `report`, when given, receives the result
  // with its cause and steps.
  ResultCode Finish(const Attempt& attempt, const AttemptOutcome& outcome,
                    AttemptReport* report = nullptr);

  // Installs (or reinstalls, keeping its license) the setup key of
  // `edition`. A new product starts in grace with these intervals, or, when
  // the edition was installed before and removed, takes up the timers its
  // removal kept (rearms used, grace end, validity end) with an attempt due
  // at once: /upk + /ipk gives back neither a rearm nor grace.
  //
  // `kind` is kSetup (a KMS client) or kMak. Changing an installed
  // product's kind keeps its timers (the deployment guide's conversion): to
  // kMak, it stops asking hosts and waits for the vendor's activation
  // (SetMakActivation); back to kSetup, the MAK activation is dropped and
  // an attempt through a host is due at once. A different MAK drops the
  // activation of the one before.
  Status Install(const Edition& edition, const std::string& key_text,
                 std::uint32_t activation_interval, std::uint32_t renewal_interval,
                 KeyKind kind = KeyKind::kSetup);
  // Keeps a MAK activation for the MAK product of `sku`, already verified
  // by the caller against `catalog_text` (the signed catalog): licensed
  // from now on, for good. kNotFound / kWrongKeyKind when there is no MAK
  // product of that edition.
  Status SetMakActivation(const Uuid& sku, const std::string& confirmation_text,
                          const std::string& catalog_text);
  // Removes the product of `sku`, keeping its timers for a later Install();
  // the edition's name (or the SKU ID).
  Result<std::string> Remove(const Uuid& sku);
  // OK when every product has a rearm left (or none is installed);
  // kNoRearmsLeft, naming the product, otherwise.
  Status CheckRearmsLeft() const;
  // /rearm: all products or none (kNoRearmsLeft when one has none left).
  // Returns the rearms left.
  Result<int> RearmAll();
  // /generalize: every product rearmed (client_license.h's Generalize(): a
  // rearm, the activation's history cleared), its host forgotten and a MAK
  // activation dropped (it names the old CMID's machine tag); all
  // products or none, like RearmAll(). The caller gives the machine its new
  // CMID only after CheckRearmsLeft() passed, so a refused /generalize
  // changes no timer and no CMID.
  Status GeneralizeAll();
  // /sai, /sri on a client: the local interval until a host sends its own.
  Status SetInterval(bool activation, std::uint32_t minutes);
  // /skms, /ckms, /ckhc: the host in use is forgotten, not saved.
  void ForgetHosts();

 private:
  ProductRecord* FindMutable(const Uuid& sku);
  // Now() for a reading already taken.
  std::int64_t TimeSeen(std::int64_t system_now);
  void SaveClock(bool force);
  Status Update(ProductRecord& live, ProductRecord updated);
  std::string NameOf(const Uuid& sku) const;

  const Clock& clock_;
  ProductStore& store_;
  const CatalogSet& catalogs_;
  EventLog log_;
  std::vector<ProductRecord> products_;
  HostDiscovery discovery_;
  LicenseClock license_clock_;
  LicenseClock saved_clock_;  // as last saved
};

}  // namespace activa

#endif  // ACTIVA_CLIENT_CLIENT_ROLE_H_
