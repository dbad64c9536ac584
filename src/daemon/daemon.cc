#include "daemon/daemon.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <thread>

#include "base/clock.h"
#include "base/file_util.h"
#include "base/time_text.h"
#include "clearinghouse_client/clearinghouse_client.h"
#include "client/tcp_host_connector.h"
#include "console/console.h"
#include "daemon/activation_server.h"
#include "daemon/count_history.h"
#include "daemon/daemon_metrics.h"
#include "daemon/descriptors.h"
#include "daemon/idle_wake.h"
#include "daemon/inherited_sockets.h"
#include "daemon/log.h"
#include "daemon/management_service.h"
#include "daemon/metrics_listener.h"
#include "daemon/privileges.h"
#include "daemon/remote_management.h"
#include "daemon/service_notifier.h"
#include "daemon/service_status.h"
#include "daemon/startup_memory.h"
#include "dns/ldns_dns_publisher.h"
#include "dns/ldns_srv_resolver.h"
#include "dns/publish_reconciler.h"
#include "management/codec.h"
#include "management/operations.h"
#include "remote/admin_rule.h"

namespace activa {
namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using local_socket = asio::local::stream_protocol;
using std::chrono::steady_clock;

namespace {

constexpr auto kNoThrow = asio::as_tuple(use_awaitable);
constexpr std::size_t kMaxManagementLine = 65536;
// Management connections: at most this many at once, each closed after this
// long without a whole request (docs/activad.md).
constexpr std::size_t kMaxManagementConnections = 64;
constexpr auto kManagementIdleTimeout = std::chrono::seconds(30);
// Long enough for a client's first attempts (their connect and response
// timeouts) and the DNS loop's first pass.
constexpr auto kStartupReleaseDelay = std::chrono::seconds(60);

// Root, or a member of the group activa-admin, may change things
// (remote/admin_rule.h, the same rule as for remote logins). The groups are
// the peer process's own (SO_PEERGROUPS), as the kernel holds them for it:
// not what /etc/group says today, which may have gained the user after it
// logged in (or lost it).
bool IsAdmin(int fd, const ucred& cred) {
  std::vector<gid_t> groups(64);
  for (int tries = 0; tries < 2; ++tries) {
    socklen_t len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
      groups.resize(len / sizeof(gid_t));
      return remote::IsAdminIdentity(cred.uid, cred.gid, groups);
    }
    if (errno != ERANGE) return remote::IsAdminIdentity(cred.uid, cred.gid, {});
    groups.resize(len / sizeof(gid_t) + 1);
  }
  return remote::IsAdminIdentity(cred.uid, cred.gid, {});
}

// The management socket's folder: owned by root or by us, and writable by
// no one else, or another user could put a socket of their own in its
// place and hear what slmgr says to the daemon.
Status CheckSocketFolder(const std::string& dir) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) {
    return Status(ResultCode::kAccessDenied, dir + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status(ResultCode::kAccessDenied, dir + ": the socket's folder is not a folder");
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return Status(ResultCode::kAccessDenied,
                  dir + ": the socket's folder belongs to uid " + std::to_string(st.st_uid));
  }
  if ((st.st_mode & 022) != 0) {
    return Status(ResultCode::kAccessDenied,
                  dir + ": others may write in the socket's folder; run chmod go-w " + dir +
                      " or choose another --socket");
  }
  return Status::Ok();
}

// Stands in when no resolver could be set up (no usable resolv.conf): every
// lookup fails with the reason, so clients report it instead of crashing.
class UnavailableResolver : public dns::SrvResolver {
 public:
  explicit UnavailableResolver(Status why) : why_(std::move(why)) {}
  Result<std::vector<dns::SrvRecord>> QuerySrv(const std::string&) override { return why_; }
  Result<std::vector<std::string>> ResolveAddresses(const std::string&) override { return why_; }
  std::vector<std::string> SearchDomains() override { return {}; }

 private:
  Status why_;
};

class Daemon {
 public:
  Daemon(asio::io_context& io, DaemonPaths paths, std::unique_ptr<DaemonCore> core,
         OffsetClock& clock, InheritedSockets inherited)
      : io_(io),
        paths_(std::move(paths)),
        core_(std::move(core)),
        clock_(clock),
        inherited_(std::move(inherited)),
        notifier_(
            io, [this] { return FormatServiceStatus(CollectServiceStatus(*core_, listen_error_)); },
            [this] { return core_->host().key_installed(); }),
        client_timer_(io),
        dns_timer_(io),
        clearinghouse_timer_(io),
        release_timer_(io),
        signals_(io, SIGINT, SIGTERM, SIGHUP),
        rng_(std::random_device{}()) {}

  ~Daemon() {
    dns_pool_.join();
    if (clearinghouse_pool_) clearinghouse_pool_->join();
  }

  // 0, or 1 once a long-lived part of the daemon failed.
  int exit_status() const { return exit_status_; }
  // Whether the management socket came from systemd (which removes it).
  bool management_inherited() const { return management_inherited_; }

  Status Start(StateStore commit_store) {
    bool journal = core_->config().journal && JournalAvailable();
    if (journal) {
      LogToJournal();
      core_->event_sink = JournalEvent;
    }
    // First, while this is the only thread: creating the socket changes the
    // process's umask for a moment.
    ACTIVA_RETURN_IF_ERROR(OpenManagementSocket());
    metrics_ = std::make_unique<DaemonMetrics>(*core_, clock_.Now());
    activation_ = std::make_unique<ActivationServer>(
        io_, *core_, std::move(commit_store), journal,
        [this](std::string_view what, std::exception_ptr e) { Fatal(what)(e); }, metrics_.get());
    AddMetricsRoutes(metrics_router_, *metrics_);
    metrics_listener_ = std::make_unique<MetricsListener>(
        io_, metrics_router_,
        [this](std::string_view what, std::exception_ptr e) { Fatal(what)(e); });
    activation_->set_inherited(&inherited_);
    ListenForMetrics();

#ifdef ACTIVA_TEST_CONTROLS
    core_->advance_clock = [this](std::int64_t s) { clock_.Advance(s); };
#endif
    service_ = std::make_unique<ManagementService>(
        *core_,
        [this](std::vector<Uuid> products, std::function<void(std::vector<AttemptReport>)> done) {
          asio::co_spawn(io_, RunAttempts(std::move(products), std::move(done)),
                         Logged("an activation"));
        });
    service_->set_online_activator(
        [this](std::optional<Uuid> mak_product, std::function<void(Status)> done) {
          asio::co_spawn(io_, ActivateOnline(mak_product, std::move(done)),
                         Logged("an online activation"));
        });
    // The clearinghouse's proxy settings are the environment's, as for
    // curl; read once, at start.
    https_proxy_ = Env("https_proxy", "HTTPS_PROXY");
    no_proxy_ = Env("no_proxy", "NO_PROXY");
    asio::co_spawn(io_, AcceptManagement(), Fatal("the management listener"));
    ACTIVA_RETURN_IF_ERROR(CreateRemoteManagement());
    // Other routes of the management listener are added here, before it
    // starts.
    if (remote_) {
      // The web console (console/console.h), with the listener's sessions.
      console_ = std::make_unique<console::Console>(
          ManagementLineHandler(), remote_->sessions(),
          [this](int event_id, const std::string& message) { core_->LogEvent(event_id, message); });
      console_->AddRoutes(router_);
      AddMetricsRoutes(router_, *metrics_);
      remote_->Start(Fatal("the remote management listener"));
    }
    ApplyPriority();
    if (core_->host().key_installed()) {
      (void)Rebind();  // a failure is logged and in the status line
      for (const std::string& s : inherited_.Unused()) {
        LogWarning("socket " + s + " passed by systemd matches neither [host] listen and port " +
                   "nor --socket; see docs/operations.md, \"Running under systemd\"");
      }
    }
    CreateDnsClients();
    asio::co_spawn(io_, ClientLoop(), Fatal("the client loop"));
    asio::co_spawn(io_, DnsLoop(), Fatal("the DNS loop"));
    asio::co_spawn(io_, ClearinghouseLoop(), Fatal("the clearinghouse loop"));
    WaitForSignals();
    metrics_->readiness().Set("state", "");
    // Only now: the state is loaded and every listener bound (or its
    // failure logged and in the status line).
    notifier_.Ready();
    return Status::Ok();
  }

 private:
  // --- Coroutines that must not die in silence -----------------------------

  // For the loops and listeners the daemon cannot do without: an exception
  // ends the process with status 1, so systemd restarts it, instead of a
  // daemon that runs on without its host or client role.
  std::function<void(std::exception_ptr)> Fatal(std::string_view what) {
    return [this, what](std::exception_ptr e) {
      if (!e) return;
      LogException(what, e);
      exit_status_ = 1;
      io_.stop();
    };
  }
  // For one connection: logged, and the daemon goes on.
  static std::function<void(std::exception_ptr)> Logged(std::string_view what) {
    return [what](std::exception_ptr e) {
      if (e) LogException(what, e);
    };
  }

  // A client's pages touched by start-up, and later by a pass of its loops
  // (hourly, or nudged by a management request), go back to the kernel a
  // minute after the pass (daemon/startup_memory.h), once what it started
  // (the DNS loop's pass, an attempt) is done. Each pass sets the timer
  // again, so requests less than a minute apart keep their pages. Not a
  // host's: its next requests would fault them all back in.
  void ReleaseStartupMemoryLater() {
    if (core_->host().key_installed()) return;
    release_timer_.expires_after(kStartupReleaseDelay);
    release_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !core_->host().key_installed()) ReleaseStartupMemory();
    });
  }

  // --- Host role -----------------------------------------------------------

  void ApplyPriority() {
    // Lower scheduling priority for the daemon's workers (slmgr /cpri),
    // normal again with /spri. Linux applies setpriority() per thread, so
    // every thread of the process is set.
    int nice = core_->host().low_priority ? 10 : 0;
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
      id_t tid = static_cast<id_t>(std::strtol(task.path().filename().c_str(), nullptr, 10));
      if (tid != 0) ::setpriority(PRIO_PROCESS, tid, nice);
    }
  }

  // --- Client role -----------------------------------------------------------

  awaitable<void> ClientLoop() {
    for (;;) {
      for (const Uuid& sku : core_->client().DueProducts()) co_await RunAttempt(sku);
      // Certificate revoked, expired or expiring: a log line, once a day.
      core_->CheckHostStanding();
      // The summary of a flood of refused frames that has stopped.
      activation_->FlushRefusals();
      // The count history's sample of the day (the console's plot).
      count_sampler_.Tick(*core_);
      // Wake at the next attempt, or when nudged (settings changes, /ato);
      // daemon/idle_wake.h says what else needs a look, and how often.
      const std::int64_t wait =
          ClientWaitSeconds(clock_.Now(), core_->client().NextAttemptTime(), IdleWakeSeconds());
      ReleaseStartupMemoryLater();
      client_timer_.expires_after(std::chrono::seconds(wait));
      co_await client_timer_.async_wait(kNoThrow);
    }
  }

  // The longest the client and clearinghouse loops sleep.
  std::int64_t IdleWakeSeconds() const {
#ifdef ACTIVA_TEST_CONTROLS
    constexpr bool kTestControls = true;
#else
    constexpr bool kTestControls = false;
#endif
    return IdleWakeCapSeconds(kTestControls, core_->host().key_installed());
  }

  // Wakes the client and clearinghouse loops at once (after /ato, /ipk,
  // /skms, clock moves).
  void Nudge() {
    client_timer_.cancel();
    // The clearinghouse loop may be in an exchange, not waiting: the flag
    // makes it look again before it sleeps.
    clearinghouse_nudged_ = true;
    clearinghouse_timer_.cancel();
  }

  // One attempt for `sku`: the request is built on the event loop, the
  // failover over hosts (blocking network work, client/attempt.h) runs on
  // the worker thread, and the outcome is judged back here.
  awaitable<AttemptReport> RunAttempt(Uuid sku) {
    Result<Attempt> attempt = core_->client().Prepare(sku, core_->machine());
    if (!attempt.ok()) {
      co_return AttemptReport{attempt.status().code(), attempt.status().message(), {}};
    }
    const Attempt a = *attempt;
    const DaemonConfig& cfg = core_->config();
    const int connect_timeout = cfg.connect_timeout_seconds;
    const int response_timeout = cfg.response_timeout_seconds;
    const bool use_resolver = !cfg.dns.resolver.empty();
    auto task = OffLoop([this, a, connect_timeout, response_timeout, use_resolver] {
      TcpHostConnector connector(connect_timeout, response_timeout,
                                 use_resolver ? resolver_.get() : nullptr);
      return ::activa::RunAttempt(a, *resolver_, connector, rng_);
    });
    AttemptOutcome outcome = co_await std::move(task);
    AttemptReport report;
    core_->client().Finish(a, outcome, &report);
    co_return report;
  }

  // Runs `fn` (blocking DNS and client network work) on the worker thread
  // and resumes here with its result; the event loop goes on meanwhile. The
  // work is handed over as a shared_ptr built before the coroutine starts:
  // g++ 12 mishandles lambda temporaries passed by value into coroutine
  // templates.
  template <typename Fn>
  awaitable<std::invoke_result_t<Fn>> OffLoop(Fn fn) {
    using R = std::invoke_result_t<Fn>;
    return RunOffLoop<R>(dns_pool_, std::make_shared<std::function<R()>>(std::move(fn)));
  }
  // The same on the clearinghouse's thread, so a slow HTTPS exchange (up to
  // its deadline) holds up neither DNS nor the client's attempts.
  template <typename Fn>
  awaitable<std::invoke_result_t<Fn>> OffLoopToClearinghouse(Fn fn) {
    using R = std::invoke_result_t<Fn>;
    // Started with the first exchange: a client that never activates a MAK
    // online and never becomes a host holds no thread for it.
    if (!clearinghouse_pool_) clearinghouse_pool_.emplace(1);
    return RunOffLoop<R>(*clearinghouse_pool_, std::make_shared<std::function<R()>>(std::move(fn)));
  }

  template <typename R>
  awaitable<R> RunOffLoop(asio::thread_pool& pool, std::shared_ptr<std::function<R()>> work) {
    auto done = std::make_shared<asio::steady_timer>(io_, steady_clock::time_point::max());
    auto result = std::make_shared<std::optional<R>>();
    asio::post(pool, [this, work, done, result] {
      result->emplace((*work)());
      // Back on the event loop: wake the waiting coroutine. It is already
      // waiting, since it suspends right after this post on the same loop.
      asio::post(io_, [done] { done->cancel(); });
    });
    co_await done->async_wait(kNoThrow);
    co_return std::move(**result);
  }

  // --- DNS publishing ------------------------------------------------------

  // The resolver and publisher are used on the DNS thread only; they are
  // replaced there too, between two operations.
  void CreateDnsClients() {
    const DnsConfig& d = core_->config().dns;
    dns::ResolverConfig rc;
    rc.nameserver = d.resolver;
    rc.port = d.resolver_port;
    Result<std::unique_ptr<dns::SrvResolver>> r = dns::LdnsSrvResolver::Create(rc);
    if (!r.ok()) LogWarning("DNS resolver unavailable: " + r.status().ToString());
    std::shared_ptr<dns::SrvResolver> resolver =
        r.ok() ? std::shared_ptr<dns::SrvResolver>(std::move(r).value())
               : std::make_shared<UnavailableResolver>(r.status());
    auto publisher = std::make_shared<dns::LdnsDnsPublisher>(rc);
    asio::post(dns_pool_, [this, resolver, publisher] {
      resolver_ = resolver;
      publisher_ = publisher;
    });
  }

  // Keeps DNS in line with DaemonCore::DnsPlan() through the reconciler
  // (dns/publish_reconciler.h: refresh daily, retry with backoff, withdraw
  // what is no longer wanted); the updates run on the DNS thread.
  awaitable<void> DnsLoop() {
    for (;;) {
      bool changed = core_->TakeDnsChange();
      auto search_task = OffLoop([this] { return resolver_->SearchDomains(); });
      std::vector<std::string> search = co_await std::move(search_task);
      reconciler_.SetPlan(core_->DnsPlan(search), changed);
      std::vector<dns::PublishAction> due = reconciler_.Due(steady_clock::now());
      // (A plain loop: g++ 12 miscompiles range-for variables that live
      // across a co_await.)
      for (std::size_t i = 0; i < due.size(); ++i) {
        const dns::PublishAction action = due[i];
        auto task = OffLoop([this, action] { return dns::RunPublishAction(*publisher_, action); });
        Status s = co_await std::move(task);
        core_->RecordPublishResult(action.target.domain, s,
                                   action.kind == dns::PublishAction::Kind::kWithdraw);
        metrics_->DnsPublished(action.target.domain, s,
                               action.kind == dns::PublishAction::Kind::kWithdraw, clock_.Now());
        reconciler_.Report(action, s, steady_clock::now());
      }
      // A change that came while this pass was at work: another pass now.
      if (core_->dns_change_pending()) continue;
      dns_timer_.expires_at(reconciler_.NextRun(steady_clock::now()));
      co_await dns_timer_.async_wait(kNoThrow);
    }
  }

  // --- The vendor's clearinghouse (host role) ----------------------------------

  static std::string Env(const char* lower, const char* upper) {
    const char* v = std::getenv(lower);
    if (v == nullptr || *v == '\0') v = std::getenv(upper);
    return v == nullptr ? std::string() : std::string(v);
  }

  // Where and how to reach the clearinghouse: [client] clearinghouse or the
  // catalog's URL (the host key's, or that of the MAK product's edition),
  // the catalog's pins, the CA file and proxy.
  Result<clearinghouse::Client> ClearinghouseClient(
      std::optional<Uuid> mak_product = std::nullopt) const {
    const DaemonConfig& cfg = core_->config();
    const Catalog* catalog = core_->host().catalog();
    if (mak_product) {
      catalog = nullptr;
      core_->catalogs().FindEdition(*mak_product, &catalog);
    }
    clearinghouse::ClientOptions o;
    o.url = cfg.clearinghouse;
    o.url_source = "[client] clearinghouse";
    if (o.url.empty() && catalog != nullptr) {
      o.url = catalog->clearinghouse_url;
      o.url_source = "the clearinghouse URL in " + catalog->vendor_name + "'s catalog";
    }
    if (catalog != nullptr) o.pins = catalog->clearinghouse_pins;
    o.ca_file = cfg.clearinghouse_ca;
    o.proxy = cfg.proxy;
    o.https_proxy = https_proxy_;
    o.no_proxy = no_proxy_;
    o.deadline = std::chrono::seconds(cfg.connect_timeout_seconds + cfg.response_timeout_seconds);
    return clearinghouse::Client::Create(std::move(o));
  }

  // A 429's Retry-After holds every call until it has passed.
  Status CheckNotBusy() const {
    const std::int64_t now = clock_.Now();
    if (now >= busy_until_) return Status::Ok();
    return Status(ResultCode::kClearinghouseBusy,
                  "the clearinghouse asked this host to wait until " + FormatUtcTime(busy_until_) +
                      " (" + std::to_string(busy_until_ - now) + " s more)");
  }
  void NoteBusy(const Status& s, std::int64_t retry_after) {
    if (s.code() == ResultCode::kClearinghouseBusy && retry_after > 0) {
      busy_until_ = std::max(busy_until_, clock_.Now() + retry_after);
    }
  }

  // slmgr /ato on a host, or of a MAK product.
  awaitable<void> ActivateOnline(std::optional<Uuid> mak_product,
                                 std::function<void(Status)> done) {
    Status s = co_await ActivateAtClearinghouse(mak_product);
    if (!s.ok()) LogWarning("online activation failed: " + s.ToString());
    done(std::move(s));
  }

  awaitable<Status> ActivateAtClearinghouse(std::optional<Uuid> mak_product) {
    Result<std::string> iid =
        mak_product ? core_->MakInstallationIdText(*mak_product) : core_->InstallationIdText();
    if (!iid.ok()) co_return iid.status();
    Result<clearinghouse::Client> client = ClearinghouseClient(mak_product);
    if (!client.ok()) {
      Status why = client.status();
      if (why.code() == ResultCode::kNoClearinghouse) {
        why = Status(why.code(), why.message() +
                                     "; activate by phone or file instead: /dti, activa-vendor "
                                     "confirm, /atp");
      }
      co_return why;
    }
    if (Status busy = CheckNotBusy(); !busy.ok()) co_return busy;
    using Answer = std::pair<Result<clearinghouse::ActivationAnswer>, std::int64_t>;
    auto task = OffLoopToClearinghouse([c = *client, text = *iid]() -> Answer {
      std::int64_t retry_after = 0;
      Result<clearinghouse::ActivationAnswer> a = c.Activate(text, &retry_after);
      return {std::move(a), retry_after};
    });
    Answer answer = co_await std::move(task);
    if (!answer.first.ok()) {
      NoteBusy(answer.first.status(), answer.second);
      co_return answer.first.status();
    }
    const std::string expected = mak_product ? "mak" : "host";
    if (answer.first->kind != expected) {
      co_return Status(ResultCode::kClearinghouseBadAnswer,
                       "the clearinghouse at " + client->url() + " answered a " +
                           (mak_product ? "MAK's" : "host's") +
                           " activation with a confirmation of kind \"" + answer.first->kind +
                           "\"");
    }
    if (mak_product) {
      Status installed = core_->InstallMakConfirmation(*mak_product, answer.first->confirmation_id);
      if (installed.ok()) LogInfo("MAK activation obtained online, at " + client->url());
      co_return installed;
    }
    co_return core_->InstallHostConfirmation(answer.first->confirmation_id,
                                             "online, at " + client->url());
  }

  // Renews the host's certificate before it ends and fetches the vendor's
  // revocation list daily (clearinghouse_schedule.h); a host that cannot
  // reach the clearinghouse goes on with its certificate, and says so in
  // /dli and with event 12295.
  awaitable<void> ClearinghouseLoop() {
    for (;;) {
      std::int64_t next = co_await ClearinghouseTasks();
      if (std::exchange(clearinghouse_nudged_, false)) continue;
      std::int64_t wait = std::clamp<std::int64_t>(next - clock_.Now(), 1, IdleWakeSeconds());
      clearinghouse_timer_.expires_after(std::chrono::seconds(wait));
      co_await clearinghouse_timer_.async_wait(kNoThrow);
    }
  }

  void ClearinghouseFailed(ClearinghouseSchedule::Task task, const Status& why,
                           std::int64_t retry_after) {
    NoteBusy(why, retry_after);
    const std::string what = task == ClearinghouseSchedule::Task::kRenewal
                                 ? "renewing the host certificate"
                                 : "fetching the revocation list";
    if (core_->clearinghouse().Failed(task, clock_.Now(), why, retry_after)) {
      core_->LogEvent(kEventClearinghouseUnreachable,
                      "the clearinghouse cannot be reached (" + what + "): " + why.ToString() +
                          "; the host goes on with its certificate");
    }
    LogWarning(what + " failed: " + why.ToString());
  }

  // One pass; returns when the next may be due.
  awaitable<std::int64_t> ClearinghouseTasks() {
    // Nothing to do (no host key, or no clearinghouse known): the next look
    // is the idle one; /ipk and /atp nudge the loop.
    const std::int64_t idle = clock_.Now() + IdleWakeSeconds();
    if (!core_->host().key_installed()) co_return idle;
    Result<clearinghouse::Client> client = ClearinghouseClient();
    // No clearinghouse known: an offline host, renewed by /atp.
    if (!client.ok()) co_return idle;
    if (!CheckNotBusy().ok()) co_return busy_until_;
    ClearinghouseSchedule& schedule = core_->clearinghouse();
    using Task = ClearinghouseSchedule::Task;
    const std::optional<HostCertificate>& cert = core_->host().certificate();
    if (cert && !core_->host().revoked() &&
        schedule.RenewalDue(cert->issued, cert->not_after, clock_.Now())) {
      Result<std::string> iid = core_->InstallationIdText();
      if (iid.ok()) {
        using Answer = std::pair<Result<std::string>, std::int64_t>;
        auto task = OffLoopToClearinghouse([c = *client, text = *iid]() -> Answer {
          std::int64_t retry_after = 0;
          Result<std::string> cid = c.Renew(text, &retry_after);
          return {std::move(cid), retry_after};
        });
        Answer answer = co_await std::move(task);
        Status installed = answer.first.ok()
                               ? core_->InstallHostConfirmation(
                                     *answer.first, "renewed online, at " + client->url())
                               : answer.first.status();
        if (installed.ok()) {
          schedule.Succeeded(Task::kRenewal, clock_.Now());
        } else {
          ClearinghouseFailed(Task::kRenewal, installed, answer.second);
        }
      }
    }
    if (schedule.RevocationsDue(clock_.Now()) && CheckNotBusy().ok()) {
      using Answer = std::pair<Result<std::string>, std::int64_t>;
      auto task = OffLoopToClearinghouse([c = *client]() -> Answer {
        std::int64_t retry_after = 0;
        Result<std::string> text = c.FetchRevocations(&retry_after);
        return {std::move(text), retry_after};
      });
      Answer answer = co_await std::move(task);
      Status s = answer.first.status();
      if (answer.first.ok()) {
        // As slmgr /ilc imports it; an older list than the one held is no
        // failure (a catalog update may have brought a newer one).
        Result<std::pair<std::uint64_t, bool>> imported = core_->ImportRevocations(*answer.first);
        if (imported.ok()) {
          if (imported->second) {
            LogInfo("revocation list " + std::to_string(imported->first) + " installed from " +
                    client->url());
          }
          s = Status::Ok();
        } else if (imported.status().code() == ResultCode::kInvalidArgument) {
          s = Status::Ok();
        } else {
          s = Status(ResultCode::kClearinghouseBadAnswer,
                     "the revocation list from " + client->url() +
                         " was refused: " + imported.status().ToString());
        }
      }
      if (s.ok()) {
        schedule.Succeeded(Task::kRevocations, clock_.Now());
      } else {
        ClearinghouseFailed(Task::kRevocations, s, answer.second);
      }
    }
    const std::optional<HostCertificate>& now_cert = core_->host().certificate();
    co_return schedule.NextWake(now_cert ? RenewalTime(now_cert->issued, now_cert->not_after) : 0);
  }

  // --- Management ------------------------------------------------------------

  // [management] metrics_listen, (re)bound; what could not be bound keeps
  // /readyz at 503 and is logged.
  void ListenForMetrics() {
    std::string problems = metrics_listener_->Listen(core_->config().metrics_listen);
    metrics_->readiness().Set("[management] metrics_listen", problems);
    if (!problems.empty()) LogError("metrics_listen: cannot listen on " + problems);
  }

  Status OpenManagementSocket() {
    const std::string& path = paths_.socket_path;
    // systemd's (activad.socket): nothing to create, check or remove.
    if (int fd = inherited_.FindUnix(path); fd >= 0) {
      management_ = std::make_unique<local_socket::acceptor>(io_);
      boost::system::error_code ec;
      management_->assign(local_socket(), ::fcntl(fd, F_DUPFD_CLOEXEC, 3), ec);
      if (ec) return Status(ResultCode::kAccessDenied, path + " (from systemd): " + ec.message());
      management_inherited_ = true;
      return Status::Ok();
    }
    const std::string dir = std::filesystem::path(path).parent_path().string();
    std::error_code fec;
    const bool existed = std::filesystem::exists(dir, fec);
    std::filesystem::create_directories(dir, fec);
    if (!existed || path == paths_.state_dir + "/" + std::string(kStateSocketRelative)) {
      // A folder made here (/run/activa when started by hand, not by
      // systemd's RuntimeDirectory) and the derived STATE_DIR/run are ours
      // and must be open to every user, whatever the umask made of them;
      // they are never made writable for others.
      struct stat dst;
      if (::lstat(dir.c_str(), &dst) == 0 && S_ISDIR(dst.st_mode) && dst.st_uid == ::geteuid() &&
          (dst.st_mode & 0777) != 0755) {
        ::chmod(dir.c_str(), 0755);
      }
    }
    ACTIVA_RETURN_IF_ERROR(CheckSocketFolder(dir.empty() ? "." : dir));
    // A socket file left by a daemon that died is in the way; a live daemon
    // answers, and then this one must not take its place. Anything else at
    // that path (a file, a link) is not ours to remove.
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
        return Status(ResultCode::kFileExists,
                      path +
                          ": exists and is not a socket; activad removes only a socket it "
                          "left behind");
      }
      local_socket::socket probe(io_);
      boost::system::error_code pec;
      probe.connect(local_socket::endpoint(path), pec);
      if (!pec) {
        return Status(ResultCode::kFileExists,
                      path + ": another activad is already running with this socket");
      }
      ::unlink(path.c_str());
    }
    management_ = std::make_unique<local_socket::acceptor>(io_);
    boost::system::error_code ec;
    management_->open(local_socket(), ec);
    // Everyone may connect (the peer's credentials decide what it may do):
    // the socket is made rw for all by the umask at bind time, never by a
    // chmod through the path, which could follow a link put there.
    mode_t old = ::umask(0111);
    if (!ec) management_->bind(local_socket::endpoint(path), ec);
    ::umask(old);
    if (!ec) management_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status(ResultCode::kAccessDenied, path + ": " + ec.message());
    return Status::Ok();
  }

  awaitable<void> AcceptManagement() {
    for (;;) {
      auto [ec, socket] = co_await management_->async_accept(kNoThrow);
      if (ec) {
        if (!management_->is_open()) co_return;
        // Out of descriptors and the like: refuse through the reserve
        // (daemon/descriptors.h), wait a little instead of spinning.
        RefuseWhenOutOfDescriptors(management_->native_handle(), ec.value());
        asio::steady_timer t(io_, std::chrono::milliseconds(50));
        co_await t.async_wait(kNoThrow);
        continue;
      }
      // Any local user may connect: a bound number of connections at once,
      // each closed when idle, so none can exhaust the daemon's descriptors.
      if (management_connections_ >= kMaxManagementConnections) continue;  // closes it
      ++management_connections_;
      asio::co_spawn(io_, ServeManagement(std::move(socket)), [this](std::exception_ptr e) {
        --management_connections_;
        if (e) LogException("a management connection", e);
      });
    }
  }

  struct PendingReply {
    explicit PendingReply(asio::io_context& io) : timer(io, steady_clock::time_point::max()) {}
    asio::steady_timer timer;  // cancelled when the reply is ready
    bool ready = false;
    std::string line;
  };

  awaitable<void> ServeManagement(local_socket::socket accepted) {
    // Shared with the idle timer's handler, which may run after this
    // coroutine has ended.
    auto shared = std::make_shared<local_socket::socket>(std::move(accepted));
    local_socket::socket& socket = *shared;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      co_return;
    }
    management::Peer peer;
    peer.admin = IsAdmin(socket.native_handle(), cred);
    peer.uid = cred.uid;
    peer.source = "unix";
    std::string buffer;
    // Closes the connection once it has been idle (no whole request line)
    // for kManagementIdleTimeout.
    auto idle = std::make_shared<asio::steady_timer>(io_);
    for (;;) {
      idle->expires_after(kManagementIdleTimeout);
      idle->async_wait([shared](const boost::system::error_code& tec) {
        if (!tec) {
          boost::system::error_code ignored;
          shared->close(ignored);
        }
      });
      auto [ec, n] = co_await asio::async_read_until(
          socket, asio::dynamic_buffer(buffer, kMaxManagementLine), '\n', kNoThrow);
      idle->cancel();
      if (ec) {
        if (ec == asio::error::not_found) {
          std::string line = management::EncodeError(
                                 Status(ResultCode::kInvalidData, "request longer than 64 KiB")) +
                             "\n";
          co_await asio::async_write(socket, asio::buffer(line), kNoThrow);
        }
        co_return;
      }
      std::string request = buffer.substr(0, n - 1);
      buffer.erase(0, n);
      // Every operation answers at once but ato, whose attempts finish
      // later on this loop.
      auto reply = std::make_shared<PendingReply>(io_);
      service_->HandleLine(request, peer, [reply](std::string line) {
        reply->line = std::move(line);
        reply->ready = true;
        reply->timer.cancel();
      });
      if (!reply->ready) co_await reply->timer.async_wait(kNoThrow);
      std::string response = std::move(reply->line);
      AfterManagementRequest(&response);
      response += "\n";
      auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(response), kNoThrow);
      if (wec) co_return;
    }
  }

  // What follows any management request, local or remote: a moved or
  // closed listener rebinds, priorities and DNS publishing apply, the
  // client looks again.
  void AfterManagementRequest(std::string* response) {
    if (core_->TakeListenerChange()) {
      Status s = Rebind();
      if (!s.ok()) *response = management::EncodeError(s);
      ApplyPriority();
    }
    if (core_->dns_change_pending()) dns_timer_.cancel();  // the DNS loop takes it
    Nudge();
    notifier_.Refresh();
  }

  // One request line from the management listener (slmgr's /v1/management,
  // the web console): the service, then what follows a change.
  remote::LineHandler ManagementLineHandler() {
    return [this](std::string_view line, const management::Peer& peer,
                  std::function<void(std::string)> reply) {
      service_->HandleLine(line, peer, [this, reply](std::string response) {
        AfterManagementRequest(&response);
        reply(std::move(response));
      });
    };
  }

  // [management] listen: the TLS listener, its logins and routes
  // (daemon/remote_management.h); nothing when no address is configured.
  Status CreateRemoteManagement() {
    const ManagementConfig& m = core_->config().management;
    if (m.listen.empty()) return Status::Ok();
    Result<std::unique_ptr<RemoteManagement>> created = RemoteManagement::Create(
        io_, m, paths_.state_dir, router_, ManagementLineHandler(),
        [this](int event_id, const std::string& message) { core_->LogEvent(event_id, message); });
    if (!created.ok()) return created.status();
    remote_ = std::move(created).value();
    core_->set_management_listener({remote_->listening(), remote_->fingerprint()});
    LogInfo("remote management on " + Join(remote_->listening()) + ", certificate " +
            remote_->fingerprint());
    return Status::Ok();
  }

  static std::string Join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
  }

  // ato: each product's attempt in turn, each with its report.
  awaitable<void> RunAttempts(std::vector<Uuid> products,
                              std::function<void(std::vector<AttemptReport>)> done) {
    std::vector<AttemptReport> reports;
    for (std::size_t i = 0; i < products.size(); ++i) {
      reports.push_back(co_await RunAttempt(products[i]));
    }
    done(std::move(reports));
  }

  // --- Signals -------------------------------------------------------------------

  void WaitForSignals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        Reload();
        WaitForSignals();
        return;
      }
      notifier_.Stopping();
      io_.stop();
    });
  }

  void Reload() {
    notifier_.Reloading();
    DaemonConfig config;
    if (!paths_.config_path.empty()) {
      Result<DaemonConfig> parsed = LoadDaemonConfig(core_->system(), paths_.config_path);
      if (!parsed.ok()) {
        // On standard error (the journal under systemd) for the operator
        // who sent the signal, and kept for slmgr /dli, which says the
        // running configuration is older than the file.
        LogError("reload refused, keeping the running configuration: " +
                 parsed.status().ToString());
        core_->RefuseReload("reload refused: " + parsed.status().message());
        notifier_.Ready();
        return;
      }
      config = *parsed;
    }
    core_->Reload(std::move(config));
    CreateDnsClients();
    dns_timer_.cancel();
    (void)Rebind();  // likewise
    ListenForMetrics();
    LogInfo("configuration and catalogs reloaded");
    notifier_.Ready();
  }

  // Rebinds the activation listeners; a failure is logged and shown in
  // the status line (systemctl status) until a rebind succeeds.
  Status Rebind() {
    Status s = activation_->Rebind();
    listen_error_ = s.ok() ? "" : s.message();
    if (!s.ok()) LogError(s.ToString());
    return s;
  }

  asio::io_context& io_;
  DaemonPaths paths_;
  std::unique_ptr<DaemonCore> core_;
  OffsetClock& clock_;
  InheritedSockets inherited_;
  std::string listen_error_;  // the last Rebind()'s failure; "" = bound
  ServiceNotifier notifier_;
  asio::steady_timer client_timer_;
  asio::steady_timer dns_timer_;
  asio::steady_timer clearinghouse_timer_;
  asio::steady_timer release_timer_;  // ReleaseStartupMemoryLater()
  CountSampler count_sampler_;        // event loop only
  asio::signal_set signals_;
  std::mt19937_64 rng_;
  // Blocking DNS work (ldns) runs here, one operation at a time.
  asio::thread_pool dns_pool_{1};
  std::shared_ptr<dns::SrvResolver> resolver_;    // DNS thread only
  std::shared_ptr<dns::DnsPublisher> publisher_;  // DNS thread only
  dns::PublishReconciler reconciler_;             // event loop only
  // HTTPS exchanges with the clearinghouse run here, one at a time; made by
  // the first (OffLoopToClearinghouse).
  std::optional<asio::thread_pool> clearinghouse_pool_;
  std::string https_proxy_;      // the environment's, at start
  std::string no_proxy_;         // the environment's, at start
  std::int64_t busy_until_ = 0;  // a 429's Retry-After, in clock_ seconds
  bool clearinghouse_nudged_ = false;
  // Outlive the activation server, whose last commit they count.
  std::unique_ptr<DaemonMetrics> metrics_;
  http::Router metrics_router_;  // /metrics, /healthz, /readyz
  std::unique_ptr<MetricsListener> metrics_listener_;
  // Destroyed after the management side, and its destructor writes what
  // the commit queue still holds.
  std::unique_ptr<ActivationServer> activation_;
  std::unique_ptr<ManagementService> service_;
  std::unique_ptr<local_socket::acceptor> management_;
  std::size_t management_connections_ = 0;
  bool management_inherited_ = false;
  // The management listener's routes (remote, console, metrics); it
  // outlives the listener, which dispatches through it.
  http::Router router_;
  std::unique_ptr<RemoteManagement> remote_;
  std::unique_ptr<console::Console> console_;  // routes on remote_'s listener
  int exit_status_ = 0;
};

}  // namespace

std::string SocketPathFor(const DaemonPaths& paths, bool state_dir_given) {
  if (!paths.socket_path.empty()) return paths.socket_path;
  // In a folder of its own that other users may enter (run/, 0755, in a
  // state folder they may pass through but not read), so standard users'
  // slmgr reaches a daemon started with --state-dir.
  if (state_dir_given) return paths.state_dir + "/" + std::string(kStateSocketRelative);
  return std::string(management::kDefaultSocketPath);
}

int RunDaemon(const DaemonPaths& paths) {
  // First, before anything could start a thread or a child: the sockets
  // of activad.socket, and LISTEN_FDS out of the environment.
  InheritedSockets inherited = InheritedSockets::FromEnvironment();
  // Everything the daemon creates (the state database and its WAL, the
  // host's key) is its own alone; the one file others need, the management
  // socket, gets its mode at bind time.
  ::umask(077);
  // Descriptors first: the listeners and the state are opened under the
  // raised limit, and the reserve is held before anything can use it up.
  RaiseDescriptorLimit();
  HoldReserveDescriptor();
  SystemClock system_clock;
  OffsetClock clock(system_clock);
  RealSystem system(clock);
  DaemonConfig config;
  if (!paths.config_path.empty()) {
    // With the checks on secrets: a TSIG key inline in a file others can
    // read, or a key file others can read, is refused.
    Result<DaemonConfig> parsed = LoadDaemonConfig(system, paths.config_path);
    if (!parsed.ok()) {
      LogError(parsed.status().ToString());
      return 1;
    }
    config = *parsed;
  }
  // Root started by hand: the configured user from here on, before the
  // state is opened, so that every file in it is that user's.
  const bool socket_inherited = inherited.FindUnix(paths.socket_path) >= 0;
  Status dropped = DropPrivileges(
      config.user, paths.state_dir,
      socket_inherited ? "" : std::filesystem::path(paths.socket_path).parent_path().string());
  if (!dropped.ok()) {
    LogError(dropped.ToString());
    return 1;
  }
  Result<std::unique_ptr<DaemonCore>> core = DaemonCore::Open(paths, config, system);
  if (!core.ok()) {
    LogError(core.status().ToString());
    return 1;
  }
  Result<StateStore> commit_store = StateStore::Open(paths.state_dir + "/activad.db");
  if (!commit_store.ok()) {
    LogError(commit_store.status().ToString());
    return 1;
  }
  asio::io_context io(1);
  Daemon daemon(io, paths, std::move(core).value(), clock, std::move(inherited));
  Status s = daemon.Start(std::move(commit_store).value());
  if (!s.ok()) {
    LogError(s.ToString());
    return 1;
  }
  io.run();
  if (!daemon.management_inherited()) ::unlink(paths.socket_path.c_str());
  return daemon.exit_status();
}

}  // namespace activa
