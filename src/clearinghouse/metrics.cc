#include "clearinghouse/metrics.h"

#include <cstdio>

namespace activa {
namespace {

std::string Code(std::uint32_t result) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", result);
  return text;
}

std::string Number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

}  // namespace

void ClearinghouseMetrics::CountRequest(std::string_view route, int http_status) {
  ++requests_[{std::string(route), http_status}];
}

void ClearinghouseMetrics::CountActivation(std::string_view kind, std::uint32_t result) {
  ++activations_[{std::string(kind), result}];
}

void ClearinghouseMetrics::CountRenewal(std::uint32_t result) { ++renewals_[result]; }

void ClearinghouseMetrics::CountRateLimited(std::string_view scope) {
  ++rate_limited_[std::string(scope)];
}

void ClearinghouseMetrics::ObserveLatency(double seconds) {
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) ++latency_buckets_[i];
  }
  ++latency_count_;
  latency_sum_ += seconds;
}

std::string ClearinghouseMetrics::Text() const {
  // Label values here are our own words and result codes, never request
  // text, so they need no escaping.
  std::string out;
  out +=
      "# HELP activa_clearinghouse_requests_total HTTP requests by route and status.\n"
      "# TYPE activa_clearinghouse_requests_total counter\n";
  for (const auto& [k, n] : requests_) {
    out += "activa_clearinghouse_requests_total{route=\"" + k.first + "\",status=\"" +
           std::to_string(k.second) + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP activa_clearinghouse_activations_total Online activations by key kind and "
      "result code.\n"
      "# TYPE activa_clearinghouse_activations_total counter\n";
  for (const auto& [k, n] : activations_) {
    out += "activa_clearinghouse_activations_total{kind=\"" + k.first + "\",result=\"" +
           Code(k.second) + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP activa_clearinghouse_renewals_total Host certificate renewals by result code.\n"
      "# TYPE activa_clearinghouse_renewals_total counter\n";
  for (const auto& [k, n] : renewals_) {
    out += "activa_clearinghouse_renewals_total{result=\"" + Code(k) + "\"} " + std::to_string(n) +
           "\n";
  }
  out +=
      "# HELP activa_clearinghouse_rate_limited_total Requests refused with 429, by limit.\n"
      "# TYPE activa_clearinghouse_rate_limited_total counter\n";
  for (const auto& [k, n] : rate_limited_) {
    out +=
        "activa_clearinghouse_rate_limited_total{scope=\"" + k + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP activa_clearinghouse_database_errors_total Key database operations that "
      "failed.\n"
      "# TYPE activa_clearinghouse_database_errors_total counter\n"
      "activa_clearinghouse_database_errors_total " +
      std::to_string(database_errors_) + "\n";
  out +=
      "# HELP activa_clearinghouse_request_duration_seconds Time from a whole request to its "
      "answer.\n"
      "# TYPE activa_clearinghouse_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    out += "activa_clearinghouse_request_duration_seconds_bucket{le=\"" +
           Number(kLatencyBuckets[i]) + "\"} " + std::to_string(latency_buckets_[i]) + "\n";
  }
  out += "activa_clearinghouse_request_duration_seconds_bucket{le=\"+Inf\"} " +
         std::to_string(latency_count_) + "\n";
  out += "activa_clearinghouse_request_duration_seconds_sum " + Number(latency_sum_) + "\n";
  out += "activa_clearinghouse_request_duration_seconds_count " + std::to_string(latency_count_) +
         "\n";
  return out;
}

}  // namespace activa
