// What activad exports for Prometheus (docs/remote.md, "Metrics and
// health"), and what /readyz reports.
//
// HostMetrics holds the handles the activation path updates: every one is
// registered up front, so a request costs a few relaxed atomic operations
// and never a lock or an allocation (the per-result-code counter is looked
// up once per code, then cached). DaemonMetrics owns the registry, the
// host's handles, the DNS publishing counters and the gauges that read the
// daemon's state at each scrape (the count per application, thresholds,
// each product's license state and days left).
//
// Thread safety: HostMetrics::BatchWritten may run on any thread (the
// commit queue's); everything else belongs to the daemon's event loop, as
// does Render(), since the scrape-time gauges read DaemonCore.
#ifndef ACTIVA_DAEMON_DAEMON_METRICS_H_
#define ACTIVA_DAEMON_DAEMON_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/result_code.h"
#include "base/status.h"
#include "http/router.h"
#include "metrics/registry.h"

namespace activa {

class DaemonCore;

class HostMetrics {
 public:
  explicit HostMetrics(metrics::Registry& registry);
  HostMetrics(const HostMetrics&) = delete;
  HostMetrics& operator=(const HostMetrics&) = delete;

  // A request answered with `result` (the requests slmgr /dli counts),
  // `seconds` after it was read whole (the commit wait included).
  void Answered(ResultCode result, double seconds);

  enum class ConnectionRefusal { kNetwork, kMaxConnections, kPerAddress };
  void ConnectionOpened() { connections_open_.Add(1); }
  void ConnectionClosed() { connections_open_.Add(-1); }
  void ConnectionRefused(ConnectionRefusal why);

  // Requests that got no activation answer, only an error frame or a
  // closed connection.
  enum class RequestRefusal { kMalformed, kNewClientLimit, kCommitFailed };
  void RequestRefused(RequestRefusal why);

  // One commit of the host's group commit: `records` client records,
  // written (or failed) in `seconds`. Any thread.
  void BatchWritten(std::size_t records, double seconds, bool ok);

 private:
  metrics::Family<metrics::Counter>& requests_;
  // Result code -> its counter, for the codes seen so far: a short list
  // searched in order (a host answers with a handful of codes).
  std::vector<std::pair<ResultCode, metrics::Counter*>> by_result_;
  metrics::Histogram& latency_;
  metrics::Gauge& connections_open_;
  std::array<metrics::Counter*, 3> connections_refused_{};
  std::array<metrics::Counter*, 3> requests_refused_{};
  metrics::Histogram& batch_records_;
  metrics::Histogram& batch_seconds_;
  metrics::Counter& batch_failures_;
};

// What is not ready yet, by part: "state", "[host] listen",
// "[management] metrics_listen", ...; ready when no part has a problem.
class Readiness {
 public:
  // `problem` "" marks the part ready.
  void Set(const std::string& part, std::string problem);
  bool ready() const { return problems_.empty(); }
  // "part: problem" per line, in the order of the parts' names.
  std::string Describe() const;

 private:
  std::map<std::string, std::string> problems_;
};

class DaemonMetrics {
 public:
  // `core` must outlive this; `start_time` is the process's start, in Unix
  // seconds (process_start_time_seconds).
  DaemonMetrics(DaemonCore& core, std::int64_t start_time);
  DaemonMetrics(const DaemonMetrics&) = delete;
  DaemonMetrics& operator=(const DaemonMetrics&) = delete;

  HostMetrics& host() { return host_; }
  Readiness& readiness() { return readiness_; }
  const Readiness& readiness() const { return readiness_; }

  // One DNS publishing action for `domain` ended with `result`, at `now`
  // (the daemon's clock).
  void DnsPublished(const std::string& domain, const Status& result, bool withdrawal,
                    std::int64_t now);

  // The text for GET /metrics.
  std::string Render() const { return registry_.Render(); }

 private:
  void AddStateGauges();

  DaemonCore& core_;
  metrics::Registry registry_;
  HostMetrics host_;
  Readiness readiness_;
  metrics::Family<metrics::Counter>& dns_publish_;
  metrics::Family<metrics::Gauge>& dns_last_success_;
};

// Adds to `router`, without a login:
//   GET /metrics  the text for Prometheus (metrics::kContentType);
//   GET /healthz  200 "ok": the daemon's event loop answers;
//   GET /readyz   200 "ready" once the state is loaded and every configured
//                 listener is bound, else 503 with a line per part missing.
// `metrics` must outlive the router; the handlers answer at once, on the
// thread that dispatches (the daemon's event loop).
void AddMetricsRoutes(http::Router& router, DaemonMetrics& metrics);

}  // namespace activa

#endif  // ACTIVA_DAEMON_DAEMON_METRICS_H_
