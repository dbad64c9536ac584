// DaemonCore: everything activad knows and decides, without the sockets.
//
// It owns the state database, the catalogs, the machine's identity, the
// installed products (client role) and the host key, certificate, count and
// counters (host role). The network side (daemon.cc) feeds it decoded
// requests and management commands and sends what it returns.
//
// Thread safety: none. The daemon calls it from its one event-loop thread.
// The host's client records leave through AdmitRequest() and are made
// durable by the daemon's commit queue (host/commit_queue.h), on its own
// StateStore; RespondTo() answers once they are.
#ifndef ACTIVA_DAEMON_DAEMON_CORE_H_
#define ACTIVA_DAEMON_DAEMON_CORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "cert/host_certificate.h"
#include "crypto/signing.h"
#include "daemon/daemon_config.h"
#include "net/host_address.h"
#include "net/network.h"
#include "daemon/state_store.h"
#include "host/request_handler.h"
#include "base/clock.h"
#include "base/system.h"
#include "host/host_policy.h"
#include "protocol/codec.h"

namespace activa {

struct DaemonPaths {
  std::string state_dir = "/var/lib/activa";
  std::string catalog_dir = "/usr/share/activa/catalogs";
  std::string socket_path;  // empty: derived (see activad --help)
  std::string config_path;  // empty: built-in defaults
};



class DaemonCore {
 public:
  // Opens STATE_DIR/activad.db (creating the folder, mode 0700), loads the
  // catalogs and the host's key. `system` (time, host name, catalog files)
  // must outlive the core.
  static Result<std::unique_ptr<DaemonCore>> Open(const DaemonPaths& paths, DaemonConfig config,
                                                  System& system);
  ~DaemonCore();

  const DaemonConfig& config() const { return config_; }
  // Rereads the catalogs (SIGHUP) and takes the new configuration.
  void Reload(DaemonConfig config);
  // Writes an event to the state database at once (and through
  // `event_sink`). The host's per-request events go through the commit
  // queue instead (daemon.cc), in batches.
  void LogEvent(int event_id, const std::string& message);
  // Receives every event (for the journal); may be empty.
  std::function<void(const Event&)> event_sink;

  // --- Host role -------------------------------------------------------
  // True once a host key is installed: the daemon then listens.
  bool host_key_installed() const { return host_key_.has_value(); }
  // The port the host listens on: slmgr /sprt's, else the configuration's.
  // 0 until the first bind means "the kernel chooses"; the daemon then
  // records the port it got with set_bound_port(), which /dli reports and
  // DNS publishes. That port is not stored: a restart chooses again.
  std::uint16_t port() const { return port_; }
  void set_bound_port(std::uint16_t port) { port_ = port; }
  bool low_priority() const { return low_priority_; }

  // A decoded request, in two steps (host/request_handler.h): the record
  // to make durable, then, once it is, the signed answer. Every request
  // counts, and only once its record is on disk.
  RequestHandler::Admission AdmitRequest(const ActivationRequest& request) const;
  RequestHandler::Answer RespondTo(const RequestHandler::Admission& admission);

  // --- Client role -------------------------------------------------------
  // Products whose next attempt is due, and the earliest next attempt of any
  // product (0 when there are none).
  std::vector<Uuid> DueProducts();
  std::int64_t NextAttemptTime() const;

  struct Attempt {
    Uuid sku_id{};
    ActivationRequest request;
    // The host set with /skms, or the cached host (host caching on), to try
    // first; empty when there is none.
    std::vector<HostAddress> hosts;
    // No /skms: when `hosts` fails (or is empty), ask DNS for SRV records of
    // `service` in `lookup_domains` (empty: the resolver's search list).
    bool discover = false;
    std::string service;
    std::vector<std::string> lookup_domains;
  };
  // Builds the request (logging event 12288). Fails only when the edition
  // is in no catalog; the failure is already recorded.
  Result<Attempt> PrepareAttempt(const Uuid& sku_id);
  // DNS discovery found nothing: records kNoHostReachable naming the names
  // asked (event 12289).
  // Returns kNoHostReachable, or the state store's error when the outcome
  // could not be saved (then nothing changed).
  ResultCode DiscoveryFailed(const Attempt& attempt, const std::string& why);
  // The outcome of an attempt: a decoded message from `host`, or nullopt
  // with `transport_error` when no host answered.
  // `address` is the IP the answer came from; `discovered` says whether the
  // host came from DNS (for slmgr /dlv).
  ResultCode FinishAttempt(const Attempt& attempt, const std::optional<Message>& answer,
                           const HostAddress& host, const std::string& transport_error,
                           const std::string& address = "", bool discovered = false);

  // --- DNS publishing (host role) --------------------------------------------
  struct PublishPlan {
    bool publish = false;  // false: withdraw whatever was published
    // Publishing was turned off (/cdns, disable_publishing) on an activated
    // host: withdraw this host's records even where this run did not
    // publish them.
    bool withdraw_all = false;
    std::string why_not;   // when !publish
    std::string service;
    std::string target;    // this host's name, the SRV target
    std::uint16_t port = 0;
    std::vector<DnsPublishEntry> entries;
  };
  // What should be in DNS now. `search_domains` supplies the machine's own
  // domain when the configuration names none.
  PublishPlan DnsPlan(const std::vector<std::string>& search_domains) const;
  // Records the outcome for `domain` (events 12294 on success, 12293 on
  // failure) for /dli.
  void RecordPublishResult(const std::string& domain, const Status& result, bool withdrawal);
  // True once after a change that affects what is published.
  bool TakeDnsChange() { return std::exchange(dns_change_, false); }
  bool dns_change_pending() const { return dns_change_; }

  // --- Management ---------------------------------------------------------
  // Executes one management request (a JSON object's text) for a peer that
  // is (or is not) an administrator; returns the response line without the
  // newline. `ato` is the daemon's (it needs the network): it calls
  // RenderProducts() after the attempts.
  std::string Execute(std::string_view request_json, bool admin);
  // For `ato`: the products it should try (kNotFound, kAccessDenied...).
  Result<std::vector<Uuid>> ProductsForActivation(std::string_view request_json, bool admin);
  // The response to `ato` after the attempts: the products and the result.
  std::string RenderActivation(const std::vector<Uuid>& tried, ResultCode result);
  // An error response line.
  static std::string ErrorLine(const Status& status);
  // The "op" of a request line, or "" when it has none.
  static std::string OperationOf(std::string_view request_json);
  // True once after a change that needs the listeners rebound (port, host
  // key installed or removed).
  bool TakeListenerChange();

  const Clock& clock() const { return clock_; }
  // Moves the clock; set by the daemon in builds with test controls only.
  std::function<void(std::int64_t)> advance_clock;

 private:
  DaemonCore(DaemonPaths paths, DaemonConfig config, System& system, StateStore store);
  Status LoadState();
  void LoadCatalogs();
  const Catalog* CatalogForVendorTag(std::uint16_t tag) const;
  const Catalog* HostCatalog() const;
  const Edition* FindEdition(const Uuid& sku, const Catalog** catalog) const;
  ProductRecord* FindProduct(const Uuid& sku);
  Status SaveSetting(std::string_view key, std::string_view value);
  // Writes `updated` and only then makes it the product in memory.
  Status UpdateProduct(ProductRecord& live, ProductRecord updated);
  Status EnsureHostSigningKey();
  Result<std::string> InstallationIdText() const;
  MachineTag machine_tag() const;
  std::uint32_t host_activation_interval() const { return host_settings_.activation_interval_minutes; }

  // Management operations; each returns the response line's text.
  std::string DoIpk(std::string_view key);
  std::string DoUpk(std::string_view activation_id);
  std::string DoDli(std::string_view activation_id);
  std::string DoDlc();
  std::string DoStatus(std::string_view application_id, std::string_view sku_id);
  std::string DoDti();
  std::string DoAtp(std::string_view confirmation_id);
  std::string DoRearm();
  std::string DoGeneralize();
  friend struct CoreRenderer;  // JSON rendering, in the .cc

  DaemonPaths paths_;
  DaemonConfig config_;
  System& system_;
  const Clock& clock_;  // system_.clock()
  StateStore store_;
  std::vector<Catalog> catalogs_;

  // Identity.
  Uuid cmid_{};
  Uuid previous_cmid_{};
  Uuid host_id_{};
  std::string machine_name_;
  bool is_virtual_machine_ = false;

  // Client role.
  std::vector<ProductRecord> products_;
  std::optional<std::string> kms_host_;    // slmgr /skms
  std::optional<std::string> kms_domain_;  // slmgr /skms-domain
  bool host_caching_ = true;

  // Host role.
  std::optional<std::string> host_key_;  // the installed host key's text
  std::optional<HostCertificate> certificate_;
  std::optional<SigningKey> host_signing_key_;
  Bytes certificate_bytes_;
  HostSettings host_settings_;
  std::uint16_t port_ = 1688;
  bool low_priority_ = false;
  bool dns_publishing_ = true;
  bool listener_change_ = false;
  bool dns_change_ = false;
  struct PublishStatus {
    std::string domain;
    ResultCode result = ResultCode::kOk;
    std::string message;
    std::int64_t time = 0;
    bool withdrawn = false;
  };
  std::vector<PublishStatus> publish_status_;
  HostContext host_context() const;
  // The count and request counters. Count() expires records as it reads,
  // hence mutable. Keyed with random bytes so clients cannot choose CMIDs
  // that collide in its table.
  mutable RequestHandler requests_;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_DAEMON_CORE_H_
