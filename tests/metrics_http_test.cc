// [management] metrics_listen on a real activad: a burst of activation
// requests from several clients, then /metrics as Prometheus reads it
// (checked by promtool), its request counters against slmgr /dli's
// cumulative requests, and /healthz and /readyz, also when a listener could
// not be bound.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "base/file_util.h"
#include "crypto/signing.h"
#include "testing/daemon_process.h"
#include "testing/example_vendor.h"
#include "testing/process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::DaemonProcess;
using testing::TempDir;

struct HttpAnswer {
  int status = 0;
  std::string headers;
  std::string body;
};

// Sends `request` over a new connection to 127.0.0.1:port and reads until
// the server closes it. status 0 when nothing came back.
HttpAnswer Exchange(std::uint16_t port, const std::string& request) {
  HttpAnswer out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return out;
  }
  std::string text;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  std::size_t end = text.find("\r\n\r\n");
  if (text.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return out;
  out.status = std::atoi(text.c_str() + 9);
  out.headers = text.substr(0, end);
  out.body = text.substr(end + 4);
  return out;
}

// One GET (Connection: close).
HttpAnswer Get(std::uint16_t port, const std::string& path) {
  return Exchange(port,
                  "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

// The samples of `name` (without labels' braces: the whole label text
// as key), from the text format.
std::map<std::string, double> Samples(const std::string& text, const std::string& name) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) != 0) continue;
    std::string rest = line.substr(name.size());
    std::string labels;
    if (!rest.empty() && rest[0] == '{') {
      std::size_t close = rest.find("} ");
      if (close == std::string::npos) continue;
      labels = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
    }
    if (rest.empty() || rest[0] != ' ') continue;  // another name with this prefix
    out[labels] = std::strtod(rest.c_str() + 1, nullptr);
  }
  return out;
}

// promtool from Debian's prometheus package: "" when it is not installed.
std::string Promtool() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    std::string p = std::string(dir) + "/promtool";
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

class MetricsHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Vendor> v = testing::MakeExampleVendor(dir_.path(), "catalog-Example.json");
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vendor_.emplace(std::move(v).value());
  }

  std::unique_ptr<DaemonProcess> Host(const std::string& name, const std::string& metrics_listen) {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = dir_ / "catalogs";
    o.machine_name = name;
    o.extra_config = "[management]\nmetrics_listen = [" + metrics_listen + "]\n";
    return std::make_unique<DaemonProcess>(o);
  }

  // Installs a host key and activates it offline through the vendor.
  void Activate(DaemonProcess& host) {
    Result<MintedKey> key =
        vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, ::time(nullptr));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    ASSERT_EQ(DaemonProcess::ResultOf(host.Call({{"op", "ipk"}, {"key", key->text}})), 0u);
    json::object dti = host.Call({{"op", "dti"}});
    ASSERT_TRUE(dti.contains("installation_id")) << json::serialize(dti);
    Result<std::string> cid =
        vendor_->Confirm(std::string(dti.at("installation_id").as_string()), ::time(nullptr));
    ASSERT_TRUE(cid.ok()) << cid.status().ToString();
    ASSERT_EQ(DaemonProcess::ResultOf(host.Call({{"op", "atp"}, {"confirmation_id", *cid}})), 0u);
  }

  ActivationRequest NewMachine(const Edition& e) const {
    ActivationRequest r;
    RandomBytes(r.cmid);
    RandomBytes(r.nonce);
    r.application_id = e.application_id;
    r.sku_id = e.id;
    r.machine_name = "burst";
    r.license_state = LicenseState::kInitialGrace;
    r.required_count = static_cast<std::uint16_t>(e.threshold);
    r.client_time = ::time(nullptr);
    return r;
  }

  TempDir dir_;
  std::optional<Vendor> vendor_;
};

TEST_F(MetricsHttpTest, BurstThenScrapeMatchesDliAndPassesPromtool) {
  const std::uint16_t metrics_port = testing::FreePort();
  auto host = Host("host", "\"127.0.0.1:" + std::to_string(metrics_port) + "\"");
  Activate(*host);
  const std::uint16_t port = host->port();  // before the threads
  const Edition& e = vendor_->catalog().editions[0];

  // Four clients at once, 40 new machines each: the first ones are told
  // the count is insufficient (0xC004F038), the later ones are licensed;
  // every tenth asks with a required count that is not the edition's
  // threshold (0xC004F... mismatch), so three result codes are counted.
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        ActivationRequest r = NewMachine(e);
        if (i % 10 == 9) r.required_count = 1;
        r.machine_name = "client-" + std::to_string(t);
        if (testing::SendActivation(port, r).ok()) ++answered;
      }
    });
  }
  for (auto& c : clients) c.join();
  ASSERT_EQ(answered, 160);

  HttpAnswer metrics = Get(metrics_port, "/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.headers << metrics.body;
  EXPECT_NE(metrics.headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos)
      << metrics.headers;

  // (a) The text as Prometheus' own checker reads it, lint rules included.
  const std::string promtool = Promtool();
  if (promtool.empty()) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") {
      ADD_FAILURE() << "promtool is missing: install Debian's prometheus package "
                       "(scripts/install-deps)";
    } else {
      std::cerr << "[  SKIPPED ] promtool check metrics: promtool is not installed (Debian's "
                   "prometheus package, scripts/install-deps)\n";
    }
  } else {
    const std::string file = dir_ / "metrics.txt";
    std::ofstream(file) << metrics.body;
    testing::ProcessResult check =
        testing::RunProcess({"/bin/sh", "-c", promtool + " check metrics < " + file});
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err << "\n" << metrics.body;
  }

  // (b) The counters by result code add up to /dli's cumulative requests.
  std::map<std::string, double> by_result = Samples(metrics.body, "activa_host_requests_total");
  double total = 0;
  double failed = 0;
  for (const auto& [labels, n] : by_result) {
    total += n;
    if (labels != "result=\"0x00000000\"") failed += n;
  }
  json::object dli = host->Call({{"op", "dli"}});
  const json::object& requests = dli.at("host").at("requests").as_object();
  EXPECT_EQ(total, requests.at("total").to_number<double>()) << metrics.body;
  EXPECT_EQ(failed, requests.at("failed").to_number<double>()) << metrics.body;
  EXPECT_EQ(total, 160);
  EXPECT_GT(by_result["result=\"0x00000000\""], 0) << metrics.body;
  EXPECT_GT(by_result["result=\"" + FormatResultCode(ResultCode::kCountInsufficient) + "\""], 0)
      << metrics.body;
  EXPECT_EQ(by_result["result=\"" + FormatResultCode(ResultCode::kThresholdMismatch) + "\""], 16)
      << metrics.body;

  // The other host figures a dashboard needs.
  std::map<std::string, double> latency =
      Samples(metrics.body, "activa_host_request_duration_seconds_count");
  EXPECT_EQ(latency[""], 160);
  EXPECT_GE(Samples(metrics.body, "activa_host_commit_batch_records_sum")[""], 160);
  const int count = dli.at("host").at("counts").as_array()[0].at("count").to_number<int>();
  std::map<std::string, double> counts = Samples(metrics.body, "activa_host_active_clients");
  ASSERT_EQ(counts.size(), 1u) << metrics.body;
  EXPECT_EQ(counts.begin()->second, count);
  EXPECT_EQ(Samples(metrics.body, "activa_host_activated")[""], 1);

  // (c) Alive, and ready: state loaded, every listener bound.
  HttpAnswer health = Get(metrics_port, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  HttpAnswer ready = Get(metrics_port, "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.body, "ready\n");

  // Only those three routes, and no login anywhere.
  EXPECT_EQ(Get(metrics_port, "/console/").status, 404);
  EXPECT_EQ(Get(metrics_port, "/v1/dli").status, 404);
  HttpAnswer post = Exchange(metrics_port,
                             "POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                             "Content-Length: 0\r\n\r\n");
  EXPECT_EQ(post.status, 405);

  // An unauthenticated port must not let a peer make the daemon hold
  // large requests: a header over 8 KiB is refused, and so is a body.
  HttpAnswer big =
      Exchange(metrics_port,
               "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(9000, 'a') + "\r\n\r\n");
  EXPECT_EQ(big.status, 413) << big.headers;
  HttpAnswer body =
      Exchange(metrics_port, "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
  EXPECT_EQ(body.status, 413) << body.headers;
  // The daemon answers on as before.
  EXPECT_EQ(Get(metrics_port, "/healthz").status, 200);
}

TEST_F(MetricsHttpTest, ReadyzIs503WhileAListenerIsNotBound) {
  // A port held by this test: the daemon cannot bind its second address.
  // (Close-on-exec, or the daemon would inherit it and hold it too.)
  int taken = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(taken, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(taken, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::uint16_t taken_port = ntohs(addr.sin_port);

  const std::uint16_t metrics_port = testing::FreePort();
  auto host = Host("host", "\"127.0.0.1:" + std::to_string(metrics_port) +
                               "\", \"127.0.0.1:" + std::to_string(taken_port) + "\"");
  // Alive, but not ready, saying which listener is missing.
  EXPECT_EQ(Get(metrics_port, "/healthz").status, 200);
  HttpAnswer ready = Get(metrics_port, "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("[management] metrics_listen: 127.0.0.1:" + std::to_string(taken_port) +
                            ": "),
            std::string::npos)
      << ready.body;

  // Once the port is free and the configuration reread, it is ready.
  ::close(taken);
  ::kill(host->pid(), SIGHUP);
  HttpAnswer again;
  for (int i = 0; i < 200; ++i) {
    again = Get(metrics_port, "/readyz");
    if (again.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Get(taken_port, "/healthz").status, 200);
}

}  // namespace
}  // namespace activa
