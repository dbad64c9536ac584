// The clearinghouse's counters and its latency histogram, written out in
// the Prometheus text format (version 0.0.4) for GET /metrics, through the
// registry activad uses too (metrics/registry.h).
//
// Thread-safe (the registry is); each call looks its metric up by label
// values, which takes a lock: the clearinghouse's requests are few and
// slow next to an activation host's.
#ifndef ACTIVA_CLEARINGHOUSE_METRICS_H_
#define ACTIVA_CLEARINGHOUSE_METRICS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.h"

namespace activa {

class ClearinghouseMetrics {
 public:
  ClearinghouseMetrics();

  // activa_clearinghouse_requests_total{route,status}
  void CountRequest(std::string_view route, int http_status);
  // activa_clearinghouse_activations_total{kind,result}: kind "host",
  // "mak" or "unknown" (the request named no key that could be read);
  // result the result code, "0x00000000" for success.
  void CountActivation(std::string_view kind, std::uint32_t result);
  // activa_clearinghouse_renewals_total{result}
  void CountRenewal(std::uint32_t result);
  // activa_clearinghouse_rate_limited_total{scope}: "source" or "key".
  void CountRateLimited(std::string_view scope);
  // activa_clearinghouse_database_errors_total
  void CountDatabaseError() { database_errors_.Increment(); }
  // activa_clearinghouse_request_duration_seconds (histogram)
  void ObserveLatency(double seconds) { latency_.Observe(seconds); }

  std::string Text() const { return registry_.Render(); }

  // Bucket upper bounds, in seconds.
  static const std::vector<double> kLatencyBuckets;

 private:
  metrics::Registry registry_;
  metrics::Family<metrics::Counter>& requests_;
  metrics::Family<metrics::Counter>& activations_;
  metrics::Family<metrics::Counter>& renewals_;
  metrics::Family<metrics::Counter>& rate_limited_;
  metrics::Counter& database_errors_;
  metrics::Histogram& latency_;
};

}  // namespace activa

#endif  // ACTIVA_CLEARINGHOUSE_METRICS_H_
