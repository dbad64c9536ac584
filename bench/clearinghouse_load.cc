// activa_clearinghouse_load: online activations against running
// `activa-vendor serve` processes (docs/performance.md).
//
// CONCURRENCY threads, each with one keep-alive HTTPS connection, POST
// /v1/activations for REQUESTS distinct machines (machine n's key pair is
// derived from n and --seed), spread round robin over every --url. Prints
// one line: requests, 200s, 403s (refused: over the limit), other answers,
// seconds, activations per second and the latency percentiles of the
// answers (from the request written to the answer read; connecting is not
// counted).
//
// The certificate is not verified: what is measured is the clearinghouse
// and its ledger, on loopback; activad's own tests check the pin.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "crypto/signing.h"
#include "keys/activation_codes.h"
#include "keys/product_key.h"

namespace activa {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Target {
  std::string host;
  std::string port;
};

// "https://127.0.0.1:8443" -> {"127.0.0.1", "8443"}.
bool ParseUrl(const std::string& url, Target* t) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) return false;
  std::string rest = url.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  std::size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  t->host = rest.substr(0, colon);
  if (t->host.size() > 2 && t->host.front() == '[') t->host = t->host.substr(1, t->host.size() - 2);
  t->port = rest.substr(colon + 1);
  return !t->port.empty();
}

std::string MachineIid(const ProductKey& key, std::uint32_t seed, std::uint32_t n) {
  Bytes s(32, 0);
  for (int i = 0; i < 4; ++i) {
    s[i] = static_cast<std::uint8_t>(n >> (8 * i));
    s[4 + i] = static_cast<std::uint8_t>(seed >> (8 * i));
  }
  InstallationId iid;
  for (int i = 0; i < 8; ++i) iid.machine_tag[i] = s[i];
  iid.host_public_key = SigningKey::FromSeed(s).public_key();
  iid.host_key = key;
  return FormatInstallationId(iid);
}

class Connection {
 public:
  Connection(asio::ssl::context& tls, const Target& target) : target_(target), tls_(tls) {}

  // One POST; the HTTP status, or 0 when the connection failed (it is then
  // reopened for the next one).
  int Post(const std::string& body, std::string* answer) {
    try {
      if (!stream_) Open();
      http::request<http::string_body> req{http::verb::post, "/v1/activations", 11};
      req.set(http::field::host, target_.host);
      req.set(http::field::content_type, "application/json");
      req.keep_alive(true);
      req.body() = body;
      req.prepare_payload();
      http::write(*stream_, req);
      beast::flat_buffer buffer;
      http::response<http::string_body> res;
      http::read(*stream_, buffer, res);
      *answer = res.body();
      if (!res.keep_alive()) stream_.reset();
      return static_cast<int>(res.result_int());
    } catch (const std::exception& e) {
      *answer = e.what();
      stream_.reset();
      return 0;
    }
  }

 private:
  void Open() {
    stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, tls_);
    tcp::resolver resolver(io_);
    beast::get_lowest_layer(*stream_).connect(resolver.resolve(target_.host, target_.port));
    stream_->handshake(asio::ssl::stream_base::client);
  }

  Target target_;
  asio::ssl::context& tls_;
  asio::io_context io_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream_;
};

int Run(int argc, char** argv) {
  InitCrypto();
  CLI::App app{"activa_clearinghouse_load: online activations against activa-vendor serve"};
  std::vector<std::string> urls;
  std::string key_text, label = "run";
  int requests = 1000, concurrency = 16;
  std::uint32_t seed = 1;
  app.add_option("--url", urls, "A serve process (https://ADDR:PORT); several: round robin")
      ->required();
  app.add_option("--key", key_text, "The host key or MAK every machine activates")->required();
  app.add_option("--requests", requests, "Machines to activate")->check(CLI::Range(1, 10000000));
  app.add_option("--concurrency", concurrency, "Connections at once")->check(CLI::Range(1, 5000));
  app.add_option("--seed", seed, "Picks the machines' key pairs (another seed: other machines)");
  app.add_option("--label", label, "First column of the output line");
  CLI11_PARSE(app, argc, argv);

  std::vector<Target> targets;
  for (const std::string& u : urls) {
    Target t;
    if (!ParseUrl(u, &t)) {
      std::fprintf(stderr, "--url %s: expected https://ADDR:PORT\n", u.c_str());
      return 2;
    }
    targets.push_back(t);
  }
  Result<ProductKey> key = ParseProductKey(key_text);
  if (!key.ok()) {
    std::fprintf(stderr, "--key: %s\n", key.status().ToString().c_str());
    return 2;
  }
  std::vector<std::string> bodies(requests);
  for (int i = 0; i < requests; ++i) {
    bodies[i] = "{\"installation_id\": \"" + MachineIid(*key, seed, i) + "\"}";
  }

  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_none);
  std::atomic<int> next{0}, ok{0}, refused{0}, other{0};
  std::mutex mu;
  std::vector<double> latencies;
  std::string first_error;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < concurrency; ++c) {
    threads.emplace_back([&, c] {
      Connection conn(tls, targets[c % targets.size()]);
      std::vector<double> mine;
      while (!go) std::this_thread::yield();
      for (int i = next++; i < requests; i = next++) {
        std::string answer;
        Clock::time_point start = Clock::now();
        int status = conn.Post(bodies[i], &answer);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (status == 200) {
          ++ok;
        } else if (status == 403) {
          ++refused;
        } else {
          ++other;
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.empty()) first_error = std::to_string(status) + " " + answer;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  Clock::time_point start = Clock::now();
  go = true;
  for (std::thread& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    std::size_t at = static_cast<std::size_t>(p * (latencies.size() - 1));
    return latencies[at];
  };
  std::printf("%-28s %8d %6d %6d %6d %7.2f %9.0f %8.1f %8.1f\n", label.c_str(), requests, ok.load(),
              refused.load(), other.load(), seconds, requests / seconds, pct(0.5), pct(0.99));
  if (!first_error.empty())
    std::fprintf(stderr, "first unexpected answer: %s\n", first_error.c_str());
  return other.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace activa

int main(int argc, char** argv) { return activa::Run(argc, argv); }
