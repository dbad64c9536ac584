// DaemonCore: the parts of activad that hold state, wired together without
// the sockets.
//
// It opens the state database and loads, in order, the settings (with the
// machine's identity), the catalogs, the installed products (client role),
// the host key, signing key and certificate and the client records (host
// role). A read error at start is a start-up failure naming the database;
// nothing is ever started "fresh" over state it could not read.
//
// The roles live in their own components (host/host_role.h,
// client/client_role.h); the management operations in
// daemon/management_service.h; daemon.cc runs the event loop and the
// management socket, daemon/activation_server.h the host's listener and
// its commit queue, around them.
//
// Thread safety: none. The daemon calls it from its one event-loop thread.
#ifndef ACTIVA_DAEMON_DAEMON_CORE_H_
#define ACTIVA_DAEMON_DAEMON_CORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/event.h"
#include "base/status.h"
#include "base/system.h"
#include "catalog/catalog_set.h"
#include "client/client_role.h"
#include "daemon/clearinghouse_schedule.h"
#include "daemon/daemon_config.h"
#include "daemon/settings.h"
#include "daemon/state_store.h"
#include "dns/publish_planner.h"
#include "host/host_role.h"
#include "keys/activation_codes.h"
#include "management/types.h"

namespace activa {

// The management socket of a daemon started with --state-dir DIR and no
// --socket: DIR/run/activad.sock. DIR is then mode 0711 (others may pass
// through to run/, 0755, but list and read nothing: every file in DIR is
// 0600), else 0700.
inline constexpr std::string_view kStateSocketRelative = "run/activad.sock";

struct DaemonPaths {
  std::string state_dir = "/var/lib/activa";
  std::string catalog_dir = "/usr/share/activa/catalogs";
  // The vendors whose catalogs this machine trusts (catalog/trust_store.h).
  std::string trust_dir = std::string(kDefaultTrustDir);
  std::string socket_path;  // empty: derived (see activad --help)
  std::string config_path;  // empty: built-in defaults
};

class DaemonCore {
 public:
  // Opens STATE_DIR/activad.db (creating the folder, mode 0700, or 0711
  // when the management socket lies inside it) and loads
  // everything. `system` (time, host name, catalog files) must outlive the
  // core.
  static Result<std::unique_ptr<DaemonCore>> Open(const DaemonPaths& paths, DaemonConfig config,
                                                  System& system);
  // The same over a state store opened by the caller (an in-memory one in
  // tests: StateStore::Open(":memory:")); nothing else touches the disk
  // but through `system`.
  static Result<std::unique_ptr<DaemonCore>> OpenWithStore(const DaemonPaths& paths,
                                                           DaemonConfig config, System& system,
                                                           StateStore store);
  ~DaemonCore();

  const DaemonConfig& config() const { return config_; }
  const DaemonPaths& paths() const { return paths_; }
  System& system() { return system_; }
  const Clock& clock() const { return system_.clock(); }

  // Rereads the catalogs (SIGHUP) and takes the new configuration.
  void Reload(DaemonConfig config);
  // Writes a KMS event (`event_id` one of base/event.h's) to the state
  // database at once, and through `event_sink`. Any other ID is refused
  // with an error in the log: diagnostics are log lines (daemon/log.h).
  // The host's per-request events go through the commit queue instead
  // (daemon/activation_server.h), in batches.
  void LogEvent(int event_id, const std::string& message);
  // Receives every event (for the journal); may be empty.
  std::function<void(const Event&)> event_sink;

  // --- The parts ---------------------------------------------------------------
  MachineIdentity& machine() { return machine_; }
  const MachineIdentity& machine() const { return machine_; }
  const CatalogSet& catalogs() const { return catalogs_; }
  HostRole& host() { return host_; }
  const HostRole& host() const { return host_; }
  ClientRole& client() { return client_; }
  const ClientRole& client() const { return client_; }
  StateStore& store() { return store_; }
  SettingsWriter& settings() { return settings_; }

  // Verifies a revocation list's text (slmgr /ilc) under the trusted
  // vendor keys and keeps it when it is newer than the one held for its
  // vendor: stored in the state database first, then in effect. Returns
  // the list's serial and whether it replaced the held one (false: the
  // same serial was held).
  // kBadSignature / kInvalidData for a list that does not verify, kNotFound
  // for a vendor without a catalog here, kInvalidArgument for an older list.
  Result<std::pair<std::uint64_t, bool>> ImportRevocations(std::string_view text);
  // Logs (log lines, no events) what stops or will stop the host: its
  // certificate revoked, expired or expiring within 30 days. Says a thing
  // once a day at most, and at once when it changed.
  void CheckHostStanding();

  // Installs a confirmation ID for this host's installation ID: checked
  // against the host key's catalog, stored, then in effect (/atp, /ato and
  // the online renewal share it). `how` says where it came from, for the
  // log ("offline", "online from https://...").
  Status InstallHostConfirmation(std::string_view confirmation_id, std::string_view how);
  // When the host renews online and fetches revocation lists, and whether
  // the clearinghouse answers (daemon.cc runs it; /dli shows it).
  ClearinghouseSchedule& clearinghouse() { return clearinghouse_; }
  const ClearinghouseSchedule& clearinghouse() const { return clearinghouse_; }

  // The host's signing key: STATE_DIR/host.key, created on first use.
  Status EnsureHostSigningKey();
  // The installation ID for offline activation (/dti).
  Result<std::string> InstallationIdText() const;
  // This machine's tag in installation IDs: MachineTagOf(CMID)
  // (offline/mak_activation.h).
  MachineTag machine_tag() const;

  // --- MAK products (client role) ------------------------------------------------
  // The installation ID of the MAK product of `sku`: this machine's tag,
  // its own public key (STATE_DIR/host.key, created on first use) and the
  // MAK. The same text goes to the vendor by phone (/dti) or online (/ato).
  // kNotFound when no product of `sku` is installed, kWrongKeyKind when it
  // has no MAK.
  Result<std::string> MakInstallationIdText(const Uuid& sku);
  // Verifies `confirmation_id` (text) as the vendor's MAK activation of
  // this machine's installation ID for `sku` (kBadSignature for another
  // machine's, another MAK's or edition's, or a forged one) and keeps it:
  // stored first, then the product is licensed for good. Used by /atp and
  // by the online /ato alike.
  Status InstallMakConfirmation(const Uuid& sku, std::string_view confirmation_id);

  // --- Changes the daemon must act on ------------------------------------------
  // Listeners to rebind (port, host key installed or removed, priority).
  void MarkListenerChange() { listener_change_ = true; }
  bool TakeListenerChange() { return std::exchange(listener_change_, false); }
  // What should be in DNS changed.
  void MarkDnsChange() { dns_change_ = true; }
  bool TakeDnsChange() { return std::exchange(dns_change_, false); }
  bool dns_change_pending() const { return dns_change_; }

  // --- DNS publishing (host role) --------------------------------------------
  // What should be in DNS now. `search_domains` supplies the machine's own
  // domain when the configuration names none.
  dns::PublishPlan DnsPlan(const std::vector<std::string>& search_domains);
  // Publishing is on but has nowhere to go (PublishPlan::no_domain), and
  // why; empty otherwise. Set by DnsPlan(), which logs 12293 when it starts.
  const std::string& dns_problem() const { return dns_problem_; }
  // Records the outcome for `domain` for /dli and logs 12294 or 12293.
  void RecordPublishResult(const std::string& domain, const Status& result, bool withdrawal);

  // --- Reloads -----------------------------------------------------------------
  // A SIGHUP reload refused (the file is newer than what runs), for /dli;
  // cleared by the next Reload(). Kept in memory only: a restart reads the
  // file again, so its configuration is then the file's.
  struct ReloadRefusal {
    std::int64_t time = 0;
    std::string message;
  };
  void RefuseReload(std::string message) {
    reload_refused_ = ReloadRefusal{clock().Now(), std::move(message)};
  }
  const std::optional<ReloadRefusal>& reload_refused() const { return reload_refused_; }

  // The remote management listener, once it listens (/dlv shows it).
  void set_management_listener(management::ManagementListenerInfo info) {
    management_listener_ = std::move(info);
  }
  const std::optional<management::ManagementListenerInfo>& management_listener() const {
    return management_listener_;
  }

  // Moves the clock; set by the daemon in builds with test controls only.
  std::function<void(std::int64_t)> advance_clock;

 private:
  DaemonCore(DaemonPaths paths, DaemonConfig config, System& system, StateStore store);
  Status LoadState();
  // The stored client records into the host's count, as a stream.
  Status LoadClientRecords();
  void LoadCatalogs();
  std::string MachineName();

  DaemonPaths paths_;
  DaemonConfig config_;
  System& system_;
  StateStore store_;
  SettingsWriter settings_{store_};
  CatalogSet catalogs_;
  MachineIdentity machine_;
  HostRole host_;
  ClientRole client_;
  std::vector<PublicKey> trusted_keys_;  // what LoadCatalogs() trusted
  ClearinghouseSchedule clearinghouse_;
  std::string standing_said_;  // CheckHostStanding()'s last warning
  std::int64_t standing_said_at_ = 0;
  std::string dns_problem_;
  std::optional<ReloadRefusal> reload_refused_;
  std::optional<management::ManagementListenerInfo> management_listener_;
  bool listener_change_ = false;
  bool dns_change_ = false;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_DAEMON_CORE_H_
