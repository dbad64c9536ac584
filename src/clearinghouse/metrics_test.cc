#include "clearinghouse/metrics.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

TEST(ClearinghouseMetricsTest, PrometheusText) {
  ClearinghouseMetrics m;
  m.CountActivation("host", 0);
  m.CountActivation("host", 0);
  m.CountActivation("host", 0xC004C008);
  m.CountRequest("activations", 200);
  m.CountDatabaseError();
  m.ObserveLatency(0.003);
  m.ObserveLatency(2);
  std::string t = m.Text();
  EXPECT_NE(
      t.find("activa_clearinghouse_activations_total{kind=\"host\",result=\"0x00000000\"} 2\n"),
      std::string::npos)
      << t;
  EXPECT_NE(t.find("{kind=\"host\",result=\"0xC004C008\"} 1\n"), std::string::npos);
  EXPECT_NE(t.find("activa_clearinghouse_requests_total{route=\"activations\",status=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(t.find("activa_clearinghouse_database_errors_total 1\n"), std::string::npos);
  EXPECT_NE(t.find("activa_clearinghouse_request_duration_seconds_bucket{le=\"0.005\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("activa_clearinghouse_request_duration_seconds_bucket{le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(t.find("activa_clearinghouse_request_duration_seconds_count 2\n"), std::string::npos);
  EXPECT_NE(t.find("# TYPE activa_clearinghouse_request_duration_seconds histogram"),
            std::string::npos);
}

}  // namespace
}  // namespace activa
