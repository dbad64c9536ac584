#include "daemon/daemon_metrics.h"

#include <algorithm>
#include <limits>

#include "daemon/daemon_core.h"

namespace activa {
namespace {

// Request latency: a request waits for its group commit (one fsync), so
// most answers take a few milliseconds; the top buckets catch a disk that
// stalls.
const std::vector<double> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                             0.05,   0.1,   0.25,   0.5,   1,    2.5};
// Records per commit: 1 when idle, hundreds under a burst.
const std::vector<double> kBatchRecordBuckets = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000};
const std::vector<double> kBatchSecondBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                 0.05,   0.1,   0.25,   0.5,   1,    2.5};

// The license states' label values, indexed by LicenseState (KMS's numbers).
constexpr std::array<const char*, 7> kStateNames = {
    "unlicensed",        "licensed",     "initial_grace", "out_of_tolerance_grace",
    "non_genuine_grace", "notification", "extended_grace"};

}  // namespace

// --- HostMetrics -----------------------------------------------------------------

HostMetrics::HostMetrics(metrics::Registry& r)
    : requests_(r.AddCounterFamily("activa_host_requests_total",
                                   "Activation requests answered, by result code (the requests "
                                   "slmgr /dli counts; since the daemon started).",
                                   {"result"})),
      latency_(r.AddHistogram("activa_host_request_duration_seconds",
                              "Time from a request read whole to its answer, the wait for its "
                              "client record's commit included.",
                              kLatencyBuckets)),
      connections_open_(r.AddGauge("activa_host_connections_open",
                                   "Client connections to the activation port open now.")),
      batch_records_(r.AddHistogram("activa_host_commit_batch_records",
                                    "Client records written per group commit.",
                                    kBatchRecordBuckets)),
      batch_seconds_(r.AddHistogram("activa_host_commit_duration_seconds",
                                    "Time to write one group commit to the state database.",
                                    kBatchSecondBuckets)),
      batch_failures_(r.AddCounter("activa_host_commit_failures_total",
                                   "Group commits that could not be written; their requests "
                                   "were answered with an error.")) {
  auto& refused = r.AddCounterFamily(
      "activa_host_connections_refused_total",
      "Connections to the activation port closed at once, by reason: network (outside "
      "allowed_networks), max_connections, per_address (max_connections_per_address).",
      {"reason"});
  connections_refused_ = {&refused.WithLabels({"network"}),
                          &refused.WithLabels({"max_connections"}),
                          &refused.WithLabels({"per_address"})};
  auto& requests_refused = r.AddCounterFamily(
      "activa_host_requests_refused_total",
      "Requests that got no activation answer, by reason: malformed (a frame the host could not "
      "read), new_client_limit (max_new_clients_per_minute), commit_failed.",
      {"reason"});
  requests_refused_ = {&requests_refused.WithLabels({"malformed"}),
                       &requests_refused.WithLabels({"new_client_limit"}),
                       &requests_refused.WithLabels({"commit_failed"})};
  by_result_.reserve(32);
}

void HostMetrics::Answered(ResultCode result, double seconds) {
  metrics::Counter* counter = nullptr;
  for (const auto& [code, c] : by_result_) {
    if (code == result) {
      counter = c;
      break;
    }
  }
  if (counter == nullptr) {
    // Once per code: the family locks and allocates.
    counter = &requests_.WithLabels({FormatResultCode(result)});
    by_result_.emplace_back(result, counter);
  }
  counter->Increment();
  latency_.Observe(seconds);
}

void HostMetrics::ConnectionRefused(ConnectionRefusal why) {
  connections_refused_[static_cast<std::size_t>(why)]->Increment();
}

void HostMetrics::RequestRefused(RequestRefusal why) {
  requests_refused_[static_cast<std::size_t>(why)]->Increment();
}

void HostMetrics::BatchWritten(std::size_t records, double seconds, bool ok) {
  batch_records_.Observe(static_cast<double>(records));
  batch_seconds_.Observe(seconds);
  if (!ok) batch_failures_.Increment();
}

// --- Readiness -------------------------------------------------------------------

void Readiness::Set(const std::string& part, std::string problem) {
  if (problem.empty()) {
    problems_.erase(part);
  } else {
    problems_[part] = std::move(problem);
  }
}

std::string Readiness::Describe() const {
  std::string out;
  for (const auto& [part, problem] : problems_) out += part + ": " + problem + "\n";
  return out;
}

// --- DaemonMetrics ---------------------------------------------------------------

DaemonMetrics::DaemonMetrics(DaemonCore& core, std::int64_t start_time)
    : core_(core),
      host_(registry_),
      dns_publish_(registry_.AddCounterFamily(
          "activa_host_dns_publish_total",
          "DNS updates of this host's SRV record, by domain, operation (publish or withdraw) and "
          "result code (0x00000000: done).",
          {"domain", "operation", "result"})),
      dns_last_success_(registry_.AddGaugeFamily(
          "activa_host_dns_publish_last_success_timestamp_seconds",
          "When the SRV record was last published in the domain, in Unix seconds.", {"domain"})) {
  // Not ready until the daemon says it has started: the state is loaded
  // before the event loop runs, and so before any probe is answered, but
  // the listeners bind in between.
  readiness_.Set("state", "not loaded yet");
  registry_
      .AddGauge("process_start_time_seconds", "When the activad process started, in Unix seconds.")
      .Set(static_cast<double>(start_time));
  AddStateGauges();
}

void DaemonMetrics::DnsPublished(const std::string& domain, const Status& result, bool withdrawal,
                                 std::int64_t now) {
  dns_publish_
      .WithLabels({domain, withdrawal ? "withdraw" : "publish", FormatResultCode(result.code())})
      .Increment();
  if (result.ok() && !withdrawal) {
    dns_last_success_.WithLabels({domain}).Set(static_cast<double>(now));
  }
}

void DaemonMetrics::AddStateGauges() {
  DaemonCore& core = core_;
  registry_.AddGaugeCallback(
      "activa_host_active_clients",
      "Distinct client machines that asked in the last 30 days, per application (the host's "
      "count, uncapped).",
      {"application"}, [&core](const metrics::GaugeSink& sink) {
        const Catalog* catalog = core.host().catalog();
        if (catalog == nullptr) return;
        const std::int64_t now = core.clock().Now();
        for (const Application& a : catalog->applications) {
          sink({a.name}, core.host().requests().Count(a.id, now));
        }
      });
  registry_.AddGaugeCallback(
      "activa_host_required_clients",
      "The count an edition needs before the host activates it, per application and edition "
      "this host covers (from the catalog).",
      {"application", "edition"}, [&core](const metrics::GaugeSink& sink) {
        const Catalog* catalog = core.host().catalog();
        const ProductGroup* group = core.host().group();
        if (catalog == nullptr) return;
        for (const Edition& e : catalog->editions) {
          if (group != nullptr && std::find(group->editions.begin(), group->editions.end(), e.id) ==
                                      group->editions.end()) {
            continue;
          }
          const Application* a = catalog->FindApplication(e.application_id);
          sink({a ? a->name : FormatUuid(e.application_id), e.name}, e.threshold);
        }
      });
  registry_.AddGaugeCallback(
      "activa_host_activated",
      "1 when the host's key is activated by the vendor (it can sign answers), 0 when a host "
      "key is installed but not activated; absent on a machine that is no host.",
      {}, [&core](const metrics::GaugeSink& sink) {
        if (!core.host().key_installed()) return;
        sink({}, core.host().activated() && !core.host().revoked() ? 1 : 0);
      });
  registry_.AddGaugeCallback("activa_host_certificate_expiry_timestamp_seconds",
                             "When the host's certificate from the vendor ends, in Unix seconds.",
                             {}, [&core](const metrics::GaugeSink& sink) {
                               const auto& cert = core.host().certificate();
                               if (cert) sink({}, static_cast<double>(cert->not_after));
                             });
  registry_.AddGaugeCallback(
      "activa_client_license_state",
      "1 for the license state each installed product is in, 0 for the others.",
      {"product", "activation_id", "state"}, [&core](const metrics::GaugeSink& sink) {
        const std::int64_t now = core.client().Now();
        for (const ProductRecord& p : core.client().products()) {
          const Edition* e = core.catalogs().FindEdition(p.sku_id, nullptr);
          const std::string name = e ? e->name : FormatUuid(p.sku_id);
          const std::string id = FormatUuid(p.sku_id);
          const auto state = static_cast<std::size_t>(ProductState(p, now));
          for (std::size_t s = 0; s < kStateNames.size(); ++s) {
            sink({name, id, kStateNames[s]}, s == state ? 1 : 0);
          }
        }
      });
  registry_.AddGaugeCallback(
      "activa_client_license_days_left",
      "Days left in each installed product's current state (its activation's validity, or its "
      "grace period); +Inf for a MAK activation, which never ends.",
      {"product", "activation_id"}, [&core](const metrics::GaugeSink& sink) {
        const std::int64_t now = core.client().Now();
        for (const ProductRecord& p : core.client().products()) {
          const Edition* e = core.catalogs().FindEdition(p.sku_id, nullptr);
          const std::string id = FormatUuid(p.sku_id);
          double days = HoldsMakActivation(p) ? std::numeric_limits<double>::infinity()
                                              : ProductMinutesLeft(p, now) / 1440.0;
          sink({e ? e->name : id, id}, days);
        }
      });
}

// --- Routes ----------------------------------------------------------------------

void AddMetricsRoutes(http::Router& router, DaemonMetrics& metrics) {
  router.Add("GET", "/metrics", [&metrics](const http::Request&, http::Reply reply) {
    http::Response r;
    r.content_type = std::string(metrics::kContentType);
    r.body = metrics.Render();
    reply(std::move(r));
  });
  router.Add("GET", "/healthz", [](const http::Request&, http::Reply reply) {
    http::Response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "ok\n";
    reply(std::move(r));
  });
  router.Add("GET", "/readyz", [&metrics](const http::Request&, http::Reply reply) {
    http::Response r;
    r.content_type = "text/plain; charset=utf-8";
    if (metrics.readiness().ready()) {
      r.body = "ready\n";
    } else {
      r.status = 503;
      r.body = "not ready:\n" + metrics.readiness().Describe();
    }
    reply(std::move(r));
  });
}

}  // namespace activa
