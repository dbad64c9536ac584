// activad's metrics over a DaemonCore without sockets: what the hot path
// counts, what the scrape-time gauges read, and the three routes.
#include "daemon/daemon_metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <new>

#include "base/file_util.h"
#include "daemon/daemon_core.h"
#include "daemon/management_service.h"
#include "vendor/vendor.h"

// Every allocation of this test program, counted, so a test can show that
// the activation path's metrics allocate nothing once warmed up.
namespace {
std::atomic<long> g_allocations{0};
}  // namespace
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// g++ 12 takes free() after this operator new, once both are inlined, for a
// mismatch; they are a pair.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace activa {
namespace {
namespace json = boost::json;

constexpr std::int64_t kStart = 1795000000;

class DaemonMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "activa-metrics-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(Vendor::Init(dir_ + "/vendor", "Example").ok());
    Result<Vendor> v = Vendor::Open(dir_ + "/vendor");
    ASSERT_TRUE(v.ok());
    vendor_.emplace(std::move(v).value());
    std::filesystem::create_directories(dir_ + "/catalogs");
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/catalogs/example.json", *vendor_->SignedCatalog(kStart),
                                0644, true)
                    .ok());
    std::filesystem::create_directories(dir_ + "/trusted");
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/trusted/example.trust",
                                FormatTrustFile(vendor_->catalog().vendor_keys.front(), "Example"),
                                0644, true)
                    .ok());
    clock_.Set(kStart);
    DaemonPaths paths;
    paths.state_dir = dir_ + "/state";
    paths.catalog_dir = dir_ + "/catalogs";
    paths.trust_dir = dir_ + "/trusted";
    DaemonConfig config;
    config.machine_name = "m";
    config.journal = false;
    Result<std::unique_ptr<DaemonCore>> core = DaemonCore::Open(paths, config, system_);
    ASSERT_TRUE(core.ok()) << core.status().ToString();
    core_ = std::move(core).value();
  }
  void TearDown() override {
    core_.reset();
    std::filesystem::remove_all(dir_);
  }

  json::object Run(const json::object& request) {
    ManagementService service(*core_, nullptr);
    management::Peer peer;
    peer.admin = true;
    return json::parse(service.HandleLine(json::serialize(request), peer)).as_object();
  }

  static http::Response Get(const http::Router& router, const std::string& path) {
    http::Request request;
    request.method = "GET";
    request.path = path;
    http::Response out;
    bool answered = false;
    router.Dispatch(request, [&](http::Response r) {
      out = std::move(r);
      answered = true;
    });
    EXPECT_TRUE(answered);
    return out;
  }

  std::string dir_;
  std::optional<Vendor> vendor_;
  FakeClock clock_;
  RealSystem system_{clock_};
  std::unique_ptr<DaemonCore> core_;
};

TEST_F(DaemonMetricsTest, HostCountersByResult) {
  DaemonMetrics m(*core_, kStart - 5);
  m.host().Answered(ResultCode::kCountInsufficient, 0.002);
  m.host().Answered(ResultCode::kCountInsufficient, 0.003);
  m.host().Answered(ResultCode::kOk, 0.5);
  m.host().ConnectionOpened();
  m.host().ConnectionOpened();
  m.host().ConnectionClosed();
  m.host().ConnectionRefused(HostMetrics::ConnectionRefusal::kNetwork);
  m.host().RequestRefused(HostMetrics::RequestRefusal::kNewClientLimit);
  m.host().BatchWritten(7, 0.004, true);
  m.host().BatchWritten(1, 0.004, false);
  std::string t = m.Render();
  EXPECT_NE(t.find("activa_host_requests_total{result=\"0xC004F038\"} 2\n"), std::string::npos)
      << t;
  EXPECT_NE(t.find("activa_host_requests_total{result=\"0x00000000\"} 1\n"), std::string::npos);
  EXPECT_NE(t.find("activa_host_request_duration_seconds_count 3\n"), std::string::npos);
  EXPECT_NE(t.find("activa_host_request_duration_seconds_bucket{le=\"0.0025\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("activa_host_connections_open 1\n"), std::string::npos);
  EXPECT_NE(t.find("activa_host_connections_refused_total{reason=\"network\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("activa_host_connections_refused_total{reason=\"per_address\"} 0\n"),
            std::string::npos);
  EXPECT_NE(t.find("activa_host_requests_refused_total{reason=\"new_client_limit\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("activa_host_commit_batch_records_bucket{le=\"10\"} 2\n"), std::string::npos);
  EXPECT_NE(t.find("activa_host_commit_batch_records_sum 8\n"), std::string::npos);
  EXPECT_NE(t.find("activa_host_commit_failures_total 1\n"), std::string::npos);
  EXPECT_NE(t.find("process_start_time_seconds 1794999995\n"), std::string::npos);
  // No host key: the host's state gauges have no samples.
  EXPECT_EQ(t.find("\nactiva_host_activated "), std::string::npos);
  EXPECT_EQ(t.find("\nactiva_host_active_clients{"), std::string::npos);
}

TEST_F(DaemonMetricsTest, TheActivationPathAllocatesNothingOnceEachResultWasSeen) {
  DaemonMetrics m(*core_, kStart);
  HostMetrics& h = m.host();
  h.Answered(ResultCode::kOk, 0.001);
  h.Answered(ResultCode::kCountInsufficient, 0.001);
  const long before = g_allocations.load();
  for (int i = 0; i < 10000; ++i) {
    h.ConnectionOpened();
    h.Answered(i % 2 ? ResultCode::kOk : ResultCode::kCountInsufficient, 0.002);
    h.RequestRefused(HostMetrics::RequestRefusal::kMalformed);
    h.ConnectionRefused(HostMetrics::ConnectionRefusal::kPerAddress);
    h.BatchWritten(20, 0.003, true);
    h.ConnectionClosed();
  }
  EXPECT_EQ(g_allocations.load(), before);
  EXPECT_NE(m.Render().find("activa_host_requests_total{result=\"0x00000000\"} 5001\n"),
            std::string::npos);
}

TEST_F(DaemonMetricsTest, DnsPublishing) {
  DaemonMetrics m(*core_, kStart);
  m.DnsPublished("example.test", Status::Ok(), false, kStart + 10);
  m.DnsPublished("example.test", Status(ResultCode::kDnsUpdateFailed, "REFUSED"), false,
                 kStart + 20);
  m.DnsPublished("other.test", Status::Ok(), true, kStart + 30);
  std::string t = m.Render();
  EXPECT_NE(t.find("activa_host_dns_publish_total{domain=\"example.test\",operation=\"publish\","
                   "result=\"0x00000000\"} 1\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("activa_host_dns_publish_total{domain=\"example.test\",operation=\"publish\","
                   "result=\"" +
                   FormatResultCode(ResultCode::kDnsUpdateFailed) + "\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("activa_host_dns_publish_total{domain=\"other.test\",operation=\"withdraw\","
                   "result=\"0x00000000\"} 1\n"),
            std::string::npos);
  // The last success, not the last attempt; a withdrawal is no success.
  EXPECT_NE(
      t.find("activa_host_dns_publish_last_success_timestamp_seconds{domain=\"example.test\"} "
             "1795000010\n"),
      std::string::npos);
  EXPECT_EQ(t.find("last_success_timestamp_seconds{domain=\"other.test\"}"), std::string::npos);
}

TEST_F(DaemonMetricsTest, ClientProductStateAndDaysLeft) {
  DaemonMetrics m(*core_, kStart);
  const Edition& e = vendor_->catalog().editions[0];
  ASSERT_EQ(Run({{"op", "ipk"}, {"key", e.setup_key}}).at("result").to_number<int>(), 0);
  std::string t = m.Render();
  const std::string labels =
      "product=\"" + e.name + "\",activation_id=\"" + FormatUuid(e.id) + "\"";
  EXPECT_NE(t.find("activa_client_license_state{" + labels + ",state=\"initial_grace\"} 1\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("activa_client_license_state{" + labels + ",state=\"licensed\"} 0\n"),
            std::string::npos);
  // Initial grace: 30 days.
  EXPECT_NE(t.find("activa_client_license_days_left{" + labels + "} 30\n"), std::string::npos);
  clock_.Advance(36 * 3600);
  t = m.Render();
  EXPECT_NE(t.find("activa_client_license_days_left{" + labels + "} 28.5\n"), std::string::npos)
      << t;
}

TEST_F(DaemonMetricsTest, HostCountAndThresholds) {
  DaemonMetrics m(*core_, kStart);
  Result<MintedKey> key = vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, kStart);
  ASSERT_TRUE(key.ok());
  ASSERT_EQ(Run({{"op", "ipk"}, {"key", key->text}}).at("result").to_number<int>(), 0);
  std::string t = m.Render();
  // Installed, not activated yet.
  EXPECT_NE(t.find("activa_host_activated 0\n"), std::string::npos) << t;
  const Catalog& c = vendor_->catalog();
  const Application* app = c.FindApplication(c.editions[0].application_id);
  ASSERT_NE(app, nullptr);
  EXPECT_NE(t.find("activa_host_active_clients{application=\"" + app->name + "\"} 0\n"),
            std::string::npos);
  EXPECT_NE(t.find("activa_host_required_clients{application=\"" + app->name + "\",edition=\"" +
                   c.editions[0].name + "\"} " + std::to_string(c.editions[0].threshold) + "\n"),
            std::string::npos);
}

TEST_F(DaemonMetricsTest, Routes) {
  DaemonMetrics m(*core_, kStart);
  http::Router router;
  AddMetricsRoutes(router, m);
  http::Response metrics = Get(router, "/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("# TYPE activa_host_requests_total counter\n"), std::string::npos);
  http::Response health = Get(router, "/healthz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.body, "ok\n");
  // Not ready until the daemon has started, then not while a listener
  // is missing.
  http::Response ready = Get(router, "/readyz");
  EXPECT_EQ(ready.status, 503u);
  EXPECT_NE(ready.body.find("state: not loaded yet"), std::string::npos) << ready.body;
  m.readiness().Set("state", "");
  m.readiness().Set("[management] metrics_listen", "127.0.0.1:9: Address already in use");
  ready = Get(router, "/readyz");
  EXPECT_EQ(ready.status, 503u);
  EXPECT_EQ(ready.body,
            "not ready:\n[management] metrics_listen: 127.0.0.1:9: Address already in use\n");
  m.readiness().Set("[management] metrics_listen", "");
  ready = Get(router, "/readyz");
  EXPECT_EQ(ready.status, 200u);
  EXPECT_EQ(ready.body, "ready\n");
}

TEST(MetricsListenConfigTest, AddressesWithPorts) {
  Result<DaemonConfig> c = ParseDaemonConfig(
      "[management]\nmetrics_listen = [\"127.0.0.1:9688\", \"[::1]:9689\"]\n", "a.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->metrics_listen.size(), 2u);
  EXPECT_EQ(c->metrics_listen[0], (HostAddress{"127.0.0.1", 9688}));
  EXPECT_EQ(c->metrics_listen[1], (HostAddress{"::1", 9689}));
  Result<DaemonConfig> none = ParseDaemonConfig("", "a.toml");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->metrics_listen.empty());
}

TEST(MetricsListenConfigTest, BadEntriesNameTheKeyAndWhatIsWrong) {
  struct Case {
    const char* value;
    const char* message;
  };
  for (const Case& k :
       {Case{"\"127.0.0.1\"", "needs a port"}, Case{"\"localhost:9688\"", "is not ADDRESS:PORT"},
        Case{"\"10.0.0.0/8:9688\"", "is not ADDRESS:PORT"},
        Case{"\"::1:9688\"", "is not ADDRESS:PORT"},
        Case{"\"127.0.0.1:99999\"", "is not ADDRESS:PORT"}}) {
    Result<DaemonConfig> c = ParseDaemonConfig(
        std::string("[management]\nmetrics_listen = [") + k.value + "]\n", "a.toml");
    ASSERT_FALSE(c.ok()) << k.value;
    EXPECT_NE(c.status().message().find("metrics_listen"), std::string::npos)
        << c.status().ToString();
    EXPECT_NE(c.status().message().find(k.message), std::string::npos) << c.status().ToString();
  }
  Result<DaemonConfig> unknown = ParseDaemonConfig("[management]\nmetrics_port = 1\n", "a.toml");
  EXPECT_FALSE(unknown.ok());
}

}  // namespace
}  // namespace activa
