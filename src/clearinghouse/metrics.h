// The clearinghouse's counters and its latency histogram, written out in
// the Prometheus text format (version 0.0.4) for GET /metrics.
//
// Not thread-safe: the server updates and reads it from its io thread.
#ifndef ACTIVA_CLEARINGHOUSE_METRICS_H_
#define ACTIVA_CLEARINGHOUSE_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace activa {

class ClearinghouseMetrics {
 public:
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
  void CountDatabaseError() { ++database_errors_; }
  // activa_clearinghouse_request_duration_seconds (histogram)
  void ObserveLatency(double seconds);

  std::string Text() const;

  // Bucket upper bounds, in seconds.
  static constexpr std::array<double, 10> kLatencyBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                                             0.05,  0.1,    0.25,  1.0,  5.0};

 private:
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::pair<std::string, std::uint32_t>, std::uint64_t> activations_;
  std::map<std::uint32_t, std::uint64_t> renewals_;
  std::map<std::string, std::uint64_t> rate_limited_;
  std::uint64_t database_errors_ = 0;
  std::array<std::uint64_t, kLatencyBuckets.size()> latency_buckets_{};
  std::uint64_t latency_count_ = 0;
  double latency_sum_ = 0;
};

}  // namespace activa

#endif  // ACTIVA_CLEARINGHOUSE_METRICS_H_
