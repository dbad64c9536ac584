#include "clearinghouse/metrics.h"

#include <cstdio>

namespace activa {
namespace {

std::string Code(std::uint32_t result) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", result);
  return text;
}

}  // namespace

const std::vector<double> ClearinghouseMetrics::kLatencyBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0};

ClearinghouseMetrics::ClearinghouseMetrics()
    : requests_(registry_.AddCounterFamily("activa_clearinghouse_requests_total",
                                           "HTTP requests by route and status.",
                                           {"route", "status"})),
      activations_(registry_.AddCounterFamily("activa_clearinghouse_activations_total",
                                              "Online activations by key kind and result code.",
                                              {"kind", "result"})),
      renewals_(registry_.AddCounterFamily("activa_clearinghouse_renewals_total",
                                           "Host certificate renewals by result code.",
                                           {"result"})),
      rate_limited_(registry_.AddCounterFamily("activa_clearinghouse_rate_limited_total",
                                               "Requests refused with 429, by limit.", {"scope"})),
      database_errors_(registry_.AddCounter("activa_clearinghouse_database_errors_total",
                                            "Key database operations that failed.")),
      latency_(registry_.AddHistogram("activa_clearinghouse_request_duration_seconds",
                                      "Time from a whole request to its answer.",
                                      kLatencyBuckets)) {}

void ClearinghouseMetrics::CountRequest(std::string_view route, int http_status) {
  requests_.WithLabels({std::string(route), std::to_string(http_status)}).Increment();
}

void ClearinghouseMetrics::CountActivation(std::string_view kind, std::uint32_t result) {
  activations_.WithLabels({std::string(kind), Code(result)}).Increment();
}

void ClearinghouseMetrics::CountRenewal(std::uint32_t result) {
  renewals_.WithLabels({Code(result)}).Increment();
}

void ClearinghouseMetrics::CountRateLimited(std::string_view scope) {
  rate_limited_.WithLabels({std::string(scope)}).Increment();
}

}  // namespace activa
