// The clearinghouse (activa-vendor serve) as a real process on loopback,
// driven over real TLS: online activation that a real host installs, the
// limits and refusals the phone path has, renewal, rate limits, bad input,
// the audit log, metrics, the OpenAPI file's examples and a graceful stop.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "base/bytes.h"
#include "base/file_util.h"
#include "catalog/catalog.h"
#include "catalog/revocation_list.h"
#include "keys/activation_codes.h"
#include "keys/product_key.h"
#include "offline/offline_activation.h"
#include "testing/daemon_process.h"
#include "testing/process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using testing::DaemonProcess;
using testing::RunProcess;
using testing::TempDir;

std::string Slurp(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  return text.ok() ? *text : std::string();
}

// A real `activa-vendor serve` on 127.0.0.1, on the port the kernel chose
// (read from its log line), its standard error in a file.
class ServeProcess {
 public:
  ServeProcess(const std::string& vendor_dir, const std::string& log,
               std::vector<std::string> extra = {})
      : log_(log) {
    std::vector<std::string> argv = {ACTIVA_VENDOR_BIN, "serve", vendor_dir, "--listen",
                                     "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    const std::string marker = "listening on https://127.0.0.1:";
    for (int i = 0; i < 1000; ++i) {
      std::string text = Slurp(log_);
      std::size_t at = text.find(marker);
      if (at != std::string::npos && text.find(' ', at + marker.size()) != std::string::npos) {
        port_ = static_cast<std::uint16_t>(std::stoul(text.substr(at + marker.size())));
        return;
      }
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("serve exited: " + text);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("serve did not start: " + Slurp(log_));
  }
  ~ServeProcess() {
    if (pid_ > 0) Stop();
  }
  void Signal(int sig) { ::kill(pid_, sig); }
  // SIGTERM and the exit status (128 + signal when killed by one).
  int Stop() {
    Signal(SIGTERM);
    return Wait();
  }
  int Wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // Waits until the log holds `text`.
  bool LogShows(const std::string& text) {
    for (int i = 0; i < 1000; ++i) {
      if (Slurp(log_).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  std::uint16_t port() const { return port_; }
  std::string log() const { return Slurp(log_); }

 private:
  std::string log_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

struct HttpResult {
  int status = 0;
  std::string body;
  std::string retry_after;
  std::string allow;
  json::value Json() const {
    json::error_code ec;
    json::value v = json::parse(body, ec);
    return ec ? json::value() : v;
  }
  std::string Code() const {
    json::value v = Json();
    if (!v.is_object() || !v.as_object().contains("error")) return "";
    return std::string(v.at("error").at("code").as_string());
  }
  std::string Field() const {
    json::value v = Json();
    if (!v.is_object() || !v.as_object().contains("error")) return "";
    const json::value* f = v.at("error").as_object().if_contains("field");
    return f ? std::string(f->as_string()) : "";
  }
};

// One TLS connection to the server. Certificates are not verified here:
// the test compares the server's key with the catalog's pin itself.
class Connection {
 public:
  explicit Connection(std::uint16_t port) : ctx_(ssl::context::tls_client), stream_(io_, ctx_) {
    ctx_.set_verify_mode(ssl::verify_none);
    stream_.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    // No read waits forever if the server misbehaves.
    timeval tv{20, 0};
    ::setsockopt(stream_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    stream_.handshake(ssl::stream_base::client);
  }
  void Write(std::string_view bytes) { asio::write(stream_, asio::buffer(bytes)); }
  HttpResult Read() {
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream_, buffer, res);
    HttpResult r;
    r.status = res.result_int();
    r.body = res.body();
    r.retry_after = std::string(res[http::field::retry_after]);
    r.allow = std::string(res[http::field::allow]);
    return r;
  }
  // "sha256:<hex>" of the server certificate's SubjectPublicKeyInfo.
  std::string PeerPin() {
    X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
    unsigned char* der = nullptr;
    int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(der, static_cast<std::size_t>(n), digest);
    OPENSSL_free(der);
    X509_free(cert);
    std::string hex = HexEncode(ByteSpan(digest, sizeof digest));
    for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "sha256:" + hex;
  }

 private:
  asio::io_context io_;
  ssl::context ctx_;
  ssl::stream<tcp::socket> stream_;
};

std::string RequestText(const std::string& method, const std::string& target,
                        const std::string& body, bool close = true) {
  return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         (body.empty() ? "" : "Content-Type: application/json\r\n") +
         "Content-Length: " + std::to_string(body.size()) + "\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n" + body;
}

HttpResult Send(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = "") {
  Connection c(port);
  c.Write(RequestText(method, target, body));
  return c.Read();
}

HttpResult Post(std::uint16_t port, const std::string& target, const std::string& iid) {
  return Send(port, "POST", target, json::serialize(json::object{{"installation_id", iid}}));
}

class ClearinghouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    vendor_.emplace(std::move(Vendor::Open(dir_ / "vendor")).value());
  }
  void StartServe(std::vector<std::string> extra = {"--source-rate", "0", "--key-rate", "0"}) {
    // A log of its own per start: the parent must never read an old one.
    serve_ = std::make_unique<ServeProcess>(
        dir_ / "vendor", dir_ / ("serve-" + std::to_string(++starts_) + ".log"), extra);
  }
  ProductKey MintHost(int hosts = 6, int activations = 10) {
    Result<MintedKey> k = vendor_->MintHostKey(vendor_->catalog().groups[0].name, hosts,
                                               activations, ::time(nullptr));
    EXPECT_TRUE(k.ok());
    return *ParseProductKey(k->text);
  }
  ProductKey MintMak() {
    Result<MintedKey> k = vendor_->MintMak(vendor_->catalog().editions[0].name, 5, ::time(nullptr));
    EXPECT_TRUE(k.ok());
    return *ParseProductKey(k->text);
  }
  // The installation ID of host number `n` (its own key pair) with `key`.
  static std::string Iid(const ProductKey& key, int n) {
    InstallationId iid;
    iid.machine_tag.fill(static_cast<std::uint8_t>(n));
    Bytes seed(32, static_cast<std::uint8_t>(n));
    seed[0] = static_cast<std::uint8_t>(key.serial);
    iid.host_public_key = SigningKey::FromSeed(seed).public_key();
    iid.host_key = key;
    return FormatInstallationId(iid);
  }
  int ActivationsUsed(std::uint32_t serial) {
    Result<std::vector<MintedKey>> keys = vendor_->ListKeys();
    for (const MintedKey& k : *keys) {
      if (k.serial == serial) return k.activations_used;
    }
    return -1;
  }
  std::uint16_t port() const { return serve_->port(); }

  TempDir dir_;
  std::optional<Vendor> vendor_;
  std::unique_ptr<ServeProcess> serve_;
  int starts_ = 0;
};

TEST_F(ClearinghouseTest, AnOnlineConfirmationInstallsOnARealHostWithAtp) {
  StartServe();
  // The catalog pins the key of the certificate serve made on first start.
  std::filesystem::create_directories(dir_ / "catalogs");
  testing::ProcessResult cat =
      RunProcess({ACTIVA_VENDOR_BIN, "catalog", dir_ / "vendor", "-o", dir_ / "catalogs/c.json"});
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  Result<Catalog> catalog = LoadCatalog(Slurp(dir_ / "catalogs/c.json"));
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  ASSERT_EQ(catalog->clearinghouse_pins.size(), 1u);
  Connection probe(port());
  EXPECT_EQ(probe.PeerPin(), catalog->clearinghouse_pins[0]);

  DaemonProcess::Options o;
  o.state_dir = dir_ / "host";
  o.catalog_dir = dir_ / "catalogs";
  o.machine_name = "host";
  DaemonProcess host(o);
  ProductKey key = MintHost();
  ASSERT_EQ(DaemonProcess::ResultOf(host.Call({{"op", "ipk"}, {"key", FormatProductKey(key)}})),
            0u);
  json::object dti = host.Call({{"op", "dti"}});
  HttpResult r =
      Post(port(), "/v1/activations", std::string(dti.at("installation_id").as_string()));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().at("kind").as_string(), "host");
  json::object atp =
      host.Call({{"op", "atp"}, {"confirmation_id", r.Json().at("confirmation_id").as_string()}});
  EXPECT_EQ(DaemonProcess::ResultOf(atp), 0u) << json::serialize(atp);
  EXPECT_EQ(ActivationsUsed(key.serial), 1);
}

TEST_F(ClearinghouseTest, TheSeventhHostAndTheEleventhActivationAreRefused) {
  StartServe();
  ProductKey key = MintHost(6, 10);
  for (int n = 1; n <= 6; ++n) {
    HttpResult r = Post(port(), "/v1/activations", Iid(key, n));
    ASSERT_EQ(r.status, 200) << n << ": " << r.body;
  }
  HttpResult seventh = Post(port(), "/v1/activations", Iid(key, 7));
  EXPECT_EQ(seventh.status, 403) << seventh.body;
  EXPECT_EQ(seventh.Code(), "0xC004C008");
  for (int i = 2; i <= 10; ++i) {
    ASSERT_EQ(Post(port(), "/v1/activations", Iid(key, 1)).status, 200) << i;
  }
  HttpResult eleventh = Post(port(), "/v1/activations", Iid(key, 1));
  EXPECT_EQ(eleventh.status, 403) << eleventh.body;
  EXPECT_EQ(eleventh.Code(), "0xC004C008");
  EXPECT_EQ(ActivationsUsed(key.serial), 15);
  // The phone path shares the ledger and its limits.
  EXPECT_EQ(vendor_->Confirm(Iid(key, 8), ::time(nullptr)).status().code(),
            ResultCode::kKeyOverLimit);
}

TEST_F(ClearinghouseTest, RevokedKeysAndHostsAreRefused) {
  StartServe();
  ProductKey key = MintHost();
  ASSERT_EQ(Post(port(), "/v1/activations", Iid(key, 1)).status, 200);
  ASSERT_TRUE(vendor_->Revoke(FormatProductKey(key)).ok());
  HttpResult r = Post(port(), "/v1/activations", Iid(key, 2));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Code(), "0xC0AC0004");
  HttpResult renew = Post(port(), "/v1/renewals", Iid(key, 1));
  EXPECT_EQ(renew.status, 403);
  EXPECT_EQ(renew.Code(), "0xC0AC0004");
  // A host revoked by its key pair, on another key.
  ProductKey other = MintHost();
  ASSERT_EQ(Post(port(), "/v1/activations", Iid(other, 3)).status, 200);
  ASSERT_TRUE(vendor_->RevokeHost(Iid(other, 3), ::time(nullptr)).ok());
  EXPECT_EQ(Post(port(), "/v1/activations", Iid(other, 3)).Code(), "0xC0AC0004");
  // A key this vendor never minted.
  ASSERT_TRUE(Vendor::Init(dir_ / "other-vendor", "Other").ok());
  Result<Vendor> stranger = Vendor::Open(dir_ / "other-vendor");
  Result<MintedKey> foreign =
      stranger->MintHostKey(stranger->catalog().groups[0].name, 6, 10, ::time(nullptr));
  HttpResult f = Post(port(), "/v1/activations", Iid(*ParseProductKey(foreign->text), 4));
  EXPECT_EQ(f.status, 403);
  EXPECT_EQ(f.Code(), "0xC004F050");
}

TEST_F(ClearinghouseTest, RenewalUsesNoReactivation) {
  StartServe();
  ProductKey key = MintHost(6, 1);
  ASSERT_EQ(Post(port(), "/v1/activations", Iid(key, 1)).status, 200);
  EXPECT_EQ(Post(port(), "/v1/activations", Iid(key, 1)).Code(), "0xC004C008");
  for (int i = 0; i < 3; ++i) {
    HttpResult r = Post(port(), "/v1/renewals", Iid(key, 1));
    ASSERT_EQ(r.status, 200) << r.body;
    Result<ConfirmationId> cid =
        ParseConfirmationId(std::string(r.Json().at("confirmation_id").as_string()));
    ASSERT_TRUE(cid.ok());
    EXPECT_TRUE(
        CertificateFromConfirmation(*ParseInstallationId(Iid(key, 1)), *cid, vendor_->catalog())
            .ok());
  }
  EXPECT_EQ(ActivationsUsed(key.serial), 1);
  // Another key pair has nothing to renew; a MAK never renews.
  HttpResult stranger = Post(port(), "/v1/renewals", Iid(key, 2));
  EXPECT_EQ(stranger.status, 403);
  EXPECT_EQ(stranger.Code(), "0xC0AC0007");
  HttpResult mak = Post(port(), "/v1/renewals", Iid(MintMak(), 3));
  EXPECT_EQ(mak.status, 400);
  EXPECT_EQ(mak.Code(), "0xC0AC0006");
  EXPECT_EQ(mak.Field(), "installation_id");
}

TEST_F(ClearinghouseTest, RateLimitsAnswer429WithRetryAfter) {
  StartServe({"--source-rate", "0.001", "--source-burst", "2", "--key-rate", "0"});
  ProductKey key = MintHost();
  EXPECT_EQ(Post(port(), "/v1/activations", Iid(key, 1)).status, 200);
  EXPECT_EQ(Post(port(), "/v1/activations", Iid(key, 2)).status, 200);
  HttpResult r = Post(port(), "/v1/activations", Iid(key, 3));
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.Code(), "0xC0AC0030");
  ASSERT_FALSE(r.retry_after.empty());
  EXPECT_GT(std::stoi(r.retry_after), 0);
  // Refused attempts are not activations; probes are not limited.
  EXPECT_EQ(ActivationsUsed(key.serial), 2);
  EXPECT_EQ(Send(port(), "GET", "/healthz").status, 200);
  serve_.reset();

  StartServe({"--source-rate", "0", "--key-rate", "0.001", "--key-burst", "1"});
  ProductKey a = MintHost(), b = MintHost();
  EXPECT_EQ(Post(port(), "/v1/activations", Iid(a, 1)).status, 200);
  HttpResult again = Post(port(), "/v1/activations", Iid(a, 2));
  EXPECT_EQ(again.status, 429);
  EXPECT_FALSE(again.retry_after.empty());
  EXPECT_EQ(Post(port(), "/v1/activations", Iid(b, 1)).status, 200);  // keys are apart
  EXPECT_NE(Send(port(), "GET", "/metrics")
                .body.find("activa_clearinghouse_rate_limited_total{scope=\"key\"} 1"),
            std::string::npos);
}

TEST_F(ClearinghouseTest, BadInputGetsItsClientErrorNamingTheFieldNever500) {
  StartServe();
  ProductKey key = MintHost();
  const std::string iid = Iid(key, 1);
  HttpResult r = Send(port(), "POST", "/v1/activations", "{\"installation_id\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Code(), "0x8007000D");
  r = Send(port(), "POST", "/v1/activations",
           "{\"installation_id\":\"" + iid + "\",\"machine\":\"x\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Field(), "machine");
  r = Send(port(), "POST", "/v1/activations", "{\"installation_id\": 12}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Field(), "installation_id");
  r = Post(port(), "/v1/activations",
           Iid(*ParseProductKey(vendor_->catalog().editions[0].setup_key), 2));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Code(), "0xC0AC0006");
  EXPECT_EQ(r.Field(), "installation_id");
  r = Send(port(), "POST", "/v1/activations",
           "{\"installation_id\":\"" + std::string(20000, 'A') + "\"}");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Code(), "0xC0AC0031");
  r = Send(port(), "DELETE", "/v1/activations");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.allow, "POST");
  r = Send(port(), "GET", "/admin");
  EXPECT_EQ(r.status, 404);
  // Not HTTP at all, inside TLS.
  Connection raw(port());
  raw.Write("HELLO THERE\r\n\r\n");
  EXPECT_EQ(raw.Read().status, 400);
  // None of it used an activation, and the server is still there.
  EXPECT_EQ(ActivationsUsed(key.serial), 0);
  EXPECT_EQ(Post(port(), "/v1/activations", iid).status, 200);
}

TEST_F(ClearinghouseTest, TheAuditLogAndMetricsHaveEveryAttempt) {
  StartServe();
  ProductKey key = MintHost(1, 10);
  ASSERT_EQ(Post(port(), "/v1/activations", Iid(key, 1)).status, 200);
  ASSERT_EQ(Post(port(), "/v1/activations", Iid(key, 2)).status, 403);
  ASSERT_EQ(Post(port(), "/v1/renewals", Iid(key, 1)).status, 200);
  ASSERT_EQ(Send(port(), "POST", "/v1/activations", "{}").status, 400);
  // The phone path writes the same log.
  testing::ProcessResult phone =
      RunProcess({ACTIVA_VENDOR_BIN, "confirm", dir_ / "vendor", Iid(key, 1)});
  ASSERT_EQ(phone.exit_code, 0) << phone.err;

  testing::ProcessResult audit =
      RunProcess({ACTIVA_VENDOR_BIN, "audit", dir_ / "vendor", "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  json::array rows = json::parse(audit.out).as_array();
  // The first list at start is no request; the five attempts are.
  ASSERT_EQ(rows.size(), 5u) << audit.out;
  auto at = [&](std::size_t i, const char* field) {
    return std::string(rows[i].at(field).as_string());
  };
  EXPECT_EQ(at(0, "operation"), "activate");
  EXPECT_EQ(at(0, "source"), "127.0.0.1");
  EXPECT_EQ(at(0, "key_kind"), "host");
  EXPECT_EQ(at(0, "machine"), "0101010101010101");
  EXPECT_EQ(rows[0].at("key_serial").to_number<std::uint32_t>(), key.serial);
  EXPECT_EQ(at(0, "result"), "0x00000000");
  EXPECT_EQ(at(1, "result"), "0xC004C008");
  EXPECT_EQ(at(2, "operation"), "renew");
  EXPECT_EQ(at(3, "result"), "0x80070057");
  EXPECT_EQ(rows[3].at("key_serial").to_number<int>(), 0);
  EXPECT_EQ(at(4, "source"), "phone");
  EXPECT_EQ(at(4, "operation"), "confirm");

  testing::ProcessResult by_key = RunProcess(
      {ACTIVA_VENDOR_BIN, "audit", dir_ / "vendor", "--key", FormatProductKey(key), "--json"});
  EXPECT_EQ(json::parse(by_key.out).as_array().size(), 4u);
  testing::ProcessResult later =
      RunProcess({ACTIVA_VENDOR_BIN, "audit", dir_ / "vendor", "--since", "2999-01-01"});
  EXPECT_EQ(later.exit_code, 0);
  EXPECT_EQ(later.out.find("activate"), std::string::npos);
  EXPECT_EQ(RunProcess({ACTIVA_VENDOR_BIN, "audit", dir_ / "vendor", "--since", "soon"}).exit_code,
            2);

  std::string metrics = Send(port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(
                "activa_clearinghouse_activations_total{kind=\"host\",result=\"0x00000000\"} 1\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(
                "activa_clearinghouse_activations_total{kind=\"host\",result=\"0xC004C008\"} 1\n"),
            std::string::npos);
  EXPECT_NE(
      metrics.find(
          "activa_clearinghouse_activations_total{kind=\"unknown\",result=\"0x80070057\"} 1\n"),
      std::string::npos);
  EXPECT_NE(metrics.find("activa_clearinghouse_renewals_total{result=\"0x00000000\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.find("activa_clearinghouse_request_duration_seconds_count 4\n"),
            std::string::npos);
  EXPECT_NE(metrics.find("activa_clearinghouse_database_errors_total 0\n"), std::string::npos);
}

TEST_F(ClearinghouseTest, RevocationListsGetANewSerialOnlyWhenTheLedgerChanges) {
  StartServe();
  HttpResult first = Send(port(), "GET", "/v1/revocations");
  ASSERT_EQ(first.status, 200);
  Result<RevocationList> list =
      LoadTrustedRevocationList(first.body, vendor_->catalog().vendor_keys);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Send(port(), "GET", "/v1/revocations").body, first.body);
  // A restart after a revocation serves the new state under a new serial.
  ProductKey key = MintHost();
  ASSERT_TRUE(vendor_->Revoke(FormatProductKey(key)).ok());
  serve_.reset();
  StartServe();
  HttpResult second = Send(port(), "GET", "/v1/revocations");
  Result<RevocationList> newer =
      LoadTrustedRevocationList(second.body, vendor_->catalog().vendor_keys);
  ASSERT_TRUE(newer.ok());
  EXPECT_GT(newer->serial, list->serial);
  EXPECT_EQ(newer->host_keys.size(), 1u);
}

TEST_F(ClearinghouseTest, SigtermFinishesTheRequestInFlightThenExitsZero) {
  StartServe();
  ProductKey key = MintHost();
  const std::string body = json::serialize(json::object{{"installation_id", Iid(key, 1)}});
  Connection c(port());
  std::string request = RequestText("POST", "/v1/activations", body);
  // The headers and half the body, then the signal, then the rest.
  std::size_t half = request.size() - body.size() / 2;
  c.Write(request.substr(0, half));
  serve_->Signal(SIGTERM);
  ASSERT_TRUE(serve_->LogShows("stopping: no new connections")) << serve_->log();
  c.Write(request.substr(half));
  HttpResult r = c.Read();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(serve_->Wait(), 0) << serve_->log();
  EXPECT_EQ(ActivationsUsed(key.serial), 1);
}

// docs/clearinghouse.openapi.yaml's x-activa-examples, sent as written.
TEST_F(ClearinghouseTest, TheOpenApiExamplesAreWhatTheServerDoes) {
  StartServe();
  std::string yaml = Slurp(std::string(ACTIVA_SOURCE_DIR) + "/docs/clearinghouse.openapi.yaml");
  std::size_t at = yaml.find("\nx-activa-examples:\n");
  ASSERT_NE(at, std::string::npos);
  json::error_code ec;
  json::value examples = json::parse(yaml.substr(at + 20), ec);
  ASSERT_FALSE(ec) << "x-activa-examples is not JSON: " << ec.message();

  ProductKey host = MintHost(), revoked = MintHost();
  ASSERT_TRUE(vendor_->Revoke(FormatProductKey(revoked)).ok());
  int next = 10;
  const std::string activated = Iid(host, 1);
  ASSERT_TRUE(vendor_->Confirm(activated, ::time(nullptr)).ok());
  auto fill = [&](std::string text) {
    if (text == "{host_iid}") return Iid(host, next++);
    if (text == "{activated_iid}") return activated;
    if (text == "{revoked_iid}") return Iid(revoked, next++);
    if (text == "{mak_iid}") return Iid(MintMak(), next++);
    return text;
  };
  // Every member the file lists, and no other; "{any}" matches anything.
  std::function<bool(const json::value&, const json::value&)> matches =
      [&](const json::value& want, const json::value& got) {
        if (want.is_string() && want.as_string() == "{any}") return true;
        if (want.is_object()) {
          if (!got.is_object() || got.as_object().size() != want.as_object().size()) return false;
          for (const auto& m : want.as_object()) {
            const json::value* g = got.as_object().if_contains(m.key());
            if (g == nullptr || !matches(m.value(), *g)) return false;
          }
          return true;
        }
        return want == got;
      };
  std::size_t checked = 0;
  for (const json::value& e : examples.as_array()) {
    const json::object& ex = e.as_object();
    const json::object& req = ex.at("request").as_object();
    std::string name(ex.at("name").as_string());
    std::string path(req.at("path").as_string());
    if (ex.at("status").to_number<int>() != 404) {
      EXPECT_NE(yaml.find("\n  " + path + ":\n"), std::string::npos) << name << ": not in paths";
    }
    std::string body;
    if (const json::value* b = req.if_contains("body")) {
      json::object filled;
      for (const auto& m : b->as_object()) {
        filled[m.key()] = m.value().is_string()
                              ? json::value(fill(std::string(m.value().as_string())))
                              : m.value();
      }
      body = json::serialize(filled);
    } else if (const json::value* raw = req.if_contains("raw_body")) {
      body = std::string(raw->as_string());
    }
    HttpResult r = Send(port(), std::string(req.at("method").as_string()), path, body);
    EXPECT_EQ(r.status, ex.at("status").to_number<int>()) << name << ": " << r.body;
    EXPECT_TRUE(matches(ex.at("response"), r.Json())) << name << ": the server answered " << r.body;
    ++checked;
  }
  EXPECT_GE(checked, 10u);
}

TEST_F(ClearinghouseTest, AGivenCertificateIsServedAndPinnedOnlyWhenAsked) {
  testing::ProcessResult made =
      RunProcess({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=activation.example.com",
                  "-days", "2", "-keyout", dir_ / "ca.key", "-out", dir_ / "ca.crt"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  StartServe({"--tls-cert", dir_ / "ca.crt", "--tls-key", dir_ / "ca.key"});
  EXPECT_FALSE(std::filesystem::exists(dir_ / "vendor/clearinghouse.crt"));
  Connection c(port());
  const std::string served = c.PeerPin();
  ASSERT_EQ(RunProcess({ACTIVA_VENDOR_BIN, "catalog", dir_ / "vendor", "-o", dir_ / "plain.json"})
                .exit_code,
            0);
  EXPECT_TRUE(LoadCatalog(Slurp(dir_ / "plain.json"))->clearinghouse_pins.empty());
  testing::ProcessResult pinned =
      RunProcess({ACTIVA_VENDOR_BIN, "catalog", dir_ / "vendor", "-o", dir_ / "pinned.json",
                  "--pin-clearinghouse", dir_ / "ca.crt"});
  ASSERT_EQ(pinned.exit_code, 0) << pinned.err;
  Result<Catalog> catalog = LoadCatalog(Slurp(dir_ / "pinned.json"));
  ASSERT_TRUE(catalog.ok());
  EXPECT_EQ(catalog->clearinghouse_pins, std::vector<std::string>{served});
  // A file that is no certificate is named.
  testing::ProcessResult bad =
      RunProcess({ACTIVA_VENDOR_BIN, "catalog", dir_ / "vendor", "-o", dir_ / "x.json",
                  "--pin-clearinghouse", dir_ / "ca.key"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("ca.key"), std::string::npos) << bad.err;
}

TEST_F(ClearinghouseTest, ServeRefusesWhatItCannotUse) {
  // A PostgreSQL where nothing answers (tests/clearinghouse_pg_test.cc
  // serves on a real one).
  testing::ProcessResult pg =
      RunProcess({ACTIVA_VENDOR_BIN, "serve", dir_ / "vendor", "--listen", "127.0.0.1:0", "--db",
                  "postgresql://u@127.0.0.1:1/x?connect_timeout=2"});
  EXPECT_EQ(pg.exit_code, 1);
  EXPECT_NE(pg.err.find("cannot be reached"), std::string::npos) << pg.err;
  testing::ProcessResult listen =
      RunProcess({ACTIVA_VENDOR_BIN, "serve", dir_ / "vendor", "--listen", "localhost"});
  EXPECT_EQ(listen.exit_code, 2);
  EXPECT_NE(listen.err.find("--listen"), std::string::npos);
  testing::ProcessResult half = RunProcess({ACTIVA_VENDOR_BIN, "serve", dir_ / "vendor", "--listen",
                                            "127.0.0.1:0", "--tls-cert", dir_ / "x.crt"});
  EXPECT_EQ(half.exit_code, 2);
  // The self-signed key is the owner's alone.
  StartServe();
  struct stat st;
  ASSERT_EQ(::stat((dir_ / "vendor/clearinghouse.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace activa
