// activad's online side of the vendor's clearinghouse, played against real
// processes on loopback (docs/activad.md, "Online activation"): a TLS
// server the host must refuse, a clearinghouse that goes away, the daily
// revocation list, an HTTP CONNECT proxy. The TLS server is OpenSSL's own
// `openssl s_server -HTTP`, serving files with a test certificate; the
// proxy is tests/testing/connect_proxy_main.cc.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "base/file_util.h"
#include "catalog/catalog.h"
#include "clearinghouse_client/https_client.h"
#include "crypto/signing.h"
#include "testing/background_process.h"
#include "testing/daemon_process.h"
#include "testing/process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::BackgroundProcess;
using testing::DaemonProcess;
using testing::TempDir;

constexpr std::uint32_t kRevoked = 0xC0AC0004u;
constexpr std::uint32_t kUnreachable = 0xC0AC0040u;
constexpr std::uint32_t kUntrusted = 0xC0AC0041u;

// Waits (up to 20 s) for `done`; no timing is asserted, only the outcome.
template <typename F>
bool WaitUntil(F done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class OnlineActivationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    openssl_ = testing::FindProgram("openssl");
    if (openssl_.empty()) GTEST_SKIP() << "openssl (Debian package openssl) is not installed";
    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    Result<Vendor> v = Vendor::Open(dir_ / "vendor");
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vendor_.emplace(std::move(v).value());
    // The clearinghouse's test certificate: self-signed, for 127.0.0.1.
    cert_ = dir_ / "tls.crt";
    key_ = dir_ / "tls.key";
    testing::ProcessResult made = testing::RunProcess(
        {openssl_, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key_, "-out", cert_, "-days", "3650", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    Result<std::string> pem = ReadFile(cert_);
    ASSERT_TRUE(pem.ok());
    Result<std::string> pin = clearinghouse::SpkiPinOfPem(*pem);
    ASSERT_TRUE(pin.ok()) << pin.status().ToString();
    pin_ = *pin;
    www_ = dir_ / "www";
    std::filesystem::create_directories(www_ + "/v1");
  }

  // A catalog folder with the vendor's catalog, pinning `pins`.
  std::string Catalogs(const std::string& name, const std::vector<std::string>& pins) {
    Result<std::string> key_text = ReadFile(std::string(dir_ / "vendor") + "/vendor.key");
    EXPECT_TRUE(key_text.ok());
    Result<SigningKey> key = ParseSigningKeyFile(*key_text, "vendor.key");
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    Catalog c = vendor_->catalog();
    c.issued = ::time(nullptr);
    c.clearinghouse_pins = pins;
    Result<std::string> signed_text = SignCatalog(c, *key);
    EXPECT_TRUE(signed_text.ok()) << signed_text.status().ToString();
    std::string folder = dir_ / name;
    std::filesystem::create_directories(folder);
    EXPECT_TRUE(WriteFileAtomic(folder + "/catalog-example.json", *signed_text, 0644, true).ok());
    return folder;
  }

  // `openssl s_server` on a port the kernel chose, serving www_.
  std::uint16_t StartTlsServer() {
    server_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{openssl_, "s_server", "-accept", "127.0.0.1:0", "-cert", cert_,
                                 "-key", key_, "-HTTP"},
        www_, dir_ / "s_server.log");
    std::string line = server_->WaitForLine("ACCEPT ");
    return static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
  }

  // What GET /v1/revocations answers: the vendor's list as it is now.
  void ServeRevocations() {
    Result<std::string> list = vendor_->SignedRevocations(::time(nullptr));
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    ASSERT_TRUE(WriteFileAtomic(www_ + "/v1/revocations",
                                "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + *list, 0644,
                                true)
                    .ok());
  }

  std::unique_ptr<DaemonProcess> Daemon(const std::string& name, const std::string& catalogs,
                                        const std::string& client_config = "") {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = catalogs;
    o.machine_name = name;
    o.extra_config = client_config;  // lands in the generated [client] table
    return std::make_unique<DaemonProcess>(o);
  }

  void InstallHostKey(DaemonProcess& host) {
    Result<MintedKey> key =
        vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, ::time(nullptr));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    host_key_ = key->text;
    ASSERT_EQ(Ok(host.Call({{"op", "ipk"}, {"key", host_key_}})), 0u);
  }

  // Activated offline (the online path needs `activa-vendor serve`).
  void ActivateOffline(DaemonProcess& host) {
    InstallHostKey(host);
    json::object dti = host.Call({{"op", "dti"}});
    ASSERT_TRUE(dti.contains("installation_id")) << json::serialize(dti);
    Result<std::string> cid =
        vendor_->Confirm(std::string(dti.at("installation_id").as_string()), ::time(nullptr));
    ASSERT_TRUE(cid.ok()) << cid.status().ToString();
    json::object atp = host.Call({{"op", "atp"}, {"confirmation_id", *cid}});
    ASSERT_EQ(Ok(atp), 0u) << json::serialize(atp);
  }

  const Edition& Server() const { return vendor_->catalog().editions[1]; }

  ActivationRequest NewMachine() const {
    ActivationRequest r;
    RandomBytes(r.cmid);
    RandomBytes(r.nonce);
    r.application_id = Server().application_id;
    r.sku_id = Server().id;
    r.machine_name = "filler";
    r.license_state = LicenseState::kInitialGrace;
    r.required_count = static_cast<std::uint16_t>(Server().threshold);
    r.client_time = ::time(nullptr);
    return r;
  }

  // The result a new machine gets from the host.
  static std::uint32_t Answer(DaemonProcess& host, const ActivationRequest& r) {
    Result<Message> m = testing::SendActivation(host.port(), r);
    if (!m.ok()) return 0xFFFFFFFFu;
    if (const auto* a = std::get_if<ActivationResponse>(&*m)) {
      return static_cast<std::uint32_t>(a->result);
    }
    return static_cast<std::uint32_t>(std::get<ErrorMessage>(*m).result);
  }

  static std::uint32_t Ok(const json::object& r) { return DaemonProcess::ResultOf(r); }
  static std::string MessageOf(const json::object& r) {
    return r.contains("message") ? std::string(r.at("message").as_string()) : "";
  }
  static json::object HostInfo(DaemonProcess& d) {
    return d.Call({{"op", "dli"}}).at("host").as_object();
  }
  static std::string Log(DaemonProcess& d) {
    Result<std::string> text = ReadFile(d.state_dir() + "/activad.log");
    return text.ok() ? *text : "";
  }

  TempDir dir_;
  std::string openssl_;
  std::optional<Vendor> vendor_;
  std::string cert_, key_, pin_, www_;
  std::string host_key_;
  std::unique_ptr<BackgroundProcess> server_;
};

// A server whose certificate nothing vouches for is refused before a byte
// of the request reaches it, and the administrator is told which check
// failed: the chain, with no pin in the catalog; the pin, with one, even
// when the CA file would vouch for the server (a pin decides alone).
TEST_F(OnlineActivationTest, AnUntrustedClearinghouseIsRefusedNamingWhy) {
  const std::uint16_t port = StartTlsServer();
  const std::string url = "clearinghouse = \"https://127.0.0.1:" + std::to_string(port) + "\"\n";
  {
    auto host = Daemon("host", Catalogs("plain", {}), url);
    InstallHostKey(*host);
    json::object ato = host->Call({{"op", "ato"}});
    EXPECT_EQ(Ok(ato), kUntrusted) << json::serialize(ato);
    EXPECT_TRUE(Contains(MessageOf(ato), "does not verify against the system's trust store"))
        << MessageOf(ato);
    EXPECT_TRUE(Contains(MessageOf(ato), "self-signed")) << MessageOf(ato);
    EXPECT_FALSE(HostInfo(*host).at("activated").as_bool());
  }
  {
    const std::string other = "sha256:" + std::string(64, '0');
    auto host = Daemon("host2", Catalogs("pinned", {other}),
                       url + "clearinghouse_ca = \"" + cert_ + "\"\n");
    InstallHostKey(*host);
    json::object ato = host->Call({{"op", "ato"}});
    EXPECT_EQ(Ok(ato), kUntrusted) << json::serialize(ato);
    EXPECT_TRUE(Contains(MessageOf(ato), "has the key " + pin_)) << MessageOf(ato);
    EXPECT_TRUE(Contains(MessageOf(ato), "none of the 1 pinned in the catalog")) << MessageOf(ato);
  }
}

// The clearinghouse is gone (nothing listens): the host goes on activating
// clients on its certificate, /dli says since when and why, and /ato names
// the URL it could not reach.
TEST_F(OnlineActivationTest, AHostThatLosesTheClearinghouseKeepsActivatingClients) {
  const std::string url = "https://127.0.0.1:" + std::to_string(testing::FreePort());
  auto host = Daemon("host", Catalogs("catalogs", {pin_}), "clearinghouse = \"" + url + "\"\n");
  ActivateOffline(*host);
  ASSERT_TRUE(WaitUntil([&] { return HostInfo(*host).contains("clearinghouse_unreachable"); }));
  json::object problem = HostInfo(*host).at("clearinghouse_unreachable").as_object();
  EXPECT_GT(problem.at("since").as_int64(), 0);
  EXPECT_TRUE(Contains(std::string(problem.at("cause").as_string()), "0xC0AC0040"))
      << json::serialize(problem);

  for (int i = 0; i < Server().threshold - 1; ++i) {
    EXPECT_EQ(Answer(*host, NewMachine()),
              static_cast<std::uint32_t>(ResultCode::kCountInsufficient));
  }
  EXPECT_EQ(Answer(*host, NewMachine()), 0u);  // the fifth: licensed

  json::object ato = host->Call({{"op", "ato"}});
  EXPECT_EQ(Ok(ato), kUnreachable);
  EXPECT_TRUE(Contains(MessageOf(ato), "the clearinghouse at " + url)) << MessageOf(ato);
}

// The host fetches the revocation list at start and then once a day; the
// vendor revokes it in between, and the next day's fetch makes it stop
// answering with signed responses.
TEST_F(OnlineActivationTest, TheDailyRevocationFetchStopsARevokedHost) {
  ACTIVA_REQUIRE_TEST_CONTROLS();
  ServeRevocations();  // nothing revoked yet
  const std::uint16_t port = StartTlsServer();
  auto host = Daemon("host", Catalogs("catalogs", {pin_}),
                     "clearinghouse = \"https://127.0.0.1:" + std::to_string(port) + "\"\n");
  ActivateOffline(*host);
  ASSERT_TRUE(WaitUntil([&] { return Contains(Log(*host), "revocation list 1 installed"); }))
      << Log(*host);

  ASSERT_TRUE(vendor_->Revoke(host_key_).ok());
  ServeRevocations();
  // Not fetched again before a day has passed: the host still answers.
  EXPECT_NE(Answer(*host, NewMachine()), kRevoked);
  ASSERT_EQ(Ok(host->Call({{"op", "test_advance_clock"}, {"seconds", 86400 + 60}})), 0u);
  EXPECT_TRUE(WaitUntil([&] { return Answer(*host, NewMachine()) == kRevoked; })) << Log(*host);
  EXPECT_TRUE(Contains(Log(*host), "revocation list 2 installed")) << Log(*host);
}

// [client] proxy: the host reaches the clearinghouse through an HTTP
// CONNECT proxy, and the lists it fetched there take effect.
TEST_F(OnlineActivationTest, TheHostGoesThroughAConnectProxy) {
  ACTIVA_REQUIRE_TEST_CONTROLS();
  BackgroundProcess proxy({ACTIVA_TEST_CONNECT_PROXY}, "");
  const std::string proxy_port = proxy.WaitForLine("PORT ").substr(5);
  ServeRevocations();
  const std::uint16_t port = StartTlsServer();
  auto host = Daemon("host", Catalogs("catalogs", {pin_}),
                     "clearinghouse = \"https://127.0.0.1:" + std::to_string(port) +
                         "\"\nproxy = \"http://127.0.0.1:" + proxy_port + "\"\n");
  ActivateOffline(*host);
  EXPECT_EQ(proxy.WaitForLine("CONNECT "), "CONNECT 127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(WaitUntil([&] { return Contains(Log(*host), "revocation list 1 installed"); }))
      << Log(*host);

  ASSERT_TRUE(vendor_->Revoke(host_key_).ok());
  ServeRevocations();
  ASSERT_EQ(Ok(host->Call({{"op", "test_advance_clock"}, {"seconds", 86400 + 60}})), 0u);
  EXPECT_TRUE(WaitUntil([&] { return Answer(*host, NewMachine()) == kRevoked; })) << Log(*host);
  EXPECT_EQ(proxy.WaitForLine("CONNECT "), "CONNECT 127.0.0.1:" + std::to_string(port));
}

// Against the real clearinghouse (activa-vendor serve, its self-signed
// certificate pinned in the catalog as `activa-vendor catalog` pins it).
class ServeTest : public OnlineActivationTest {
 protected:
  void SetUp() override {
    OnlineActivationTest::SetUp();
    if (IsSkipped()) return;
    serve_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{ACTIVA_VENDOR_BIN, "serve", std::string(dir_ / "vendor"),
                                 "--listen", "127.0.0.1:0"},
        "", "-");
    const std::string marker = "listening on https://127.0.0.1:";
    std::string line = serve_->WaitForLine("activa-vendor serve: ");
    while (line.find(marker) == std::string::npos) line = serve_->WaitForLine("activa-vendor");
    url_ = "https://127.0.0.1:" +
           std::to_string(std::stoi(line.substr(line.find(marker) + marker.size())));
    Result<std::string> pem = ReadFile(std::string(dir_ / "vendor") + "/clearinghouse.crt");
    ASSERT_TRUE(pem.ok()) << pem.status().ToString();
    Result<std::string> pin = clearinghouse::SpkiPinOfPem(*pem);
    ASSERT_TRUE(pin.ok());
    serve_pin_ = *pin;
  }

  std::unique_ptr<DaemonProcess> OnlineHost(const std::string& name) {
    return Daemon(name, Catalogs(name + "-catalogs", {serve_pin_}),
                  "clearinghouse = \"" + url_ + "\"\n");
  }

  std::unique_ptr<BackgroundProcess> serve_;
  std::string url_;
  std::string serve_pin_;
};

// slmgr /ato on a host: the clearinghouse checks the key and records the
// activation; the host installs the certificate as /atp does and
// activates clients.
TEST_F(ServeTest, AHostActivatesOnlineAndThenActivatesClients) {
  auto host = OnlineHost("host");
  InstallHostKey(*host);
  EXPECT_EQ(Answer(*host, NewMachine()), static_cast<std::uint32_t>(ResultCode::kHostNotActivated));
  json::object ato = host->Call({{"op", "ato"}});
  ASSERT_EQ(Ok(ato), 0u) << json::serialize(ato);
  EXPECT_TRUE(HostInfo(*host).at("activated").as_bool());
  EXPECT_TRUE(Contains(Log(*host), "(online, at " + url_ + ")")) << Log(*host);
  Result<std::vector<MintedKey>> keys = vendor_->ListKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->back().activations_used, 1);

  // The machine refused before counts too (every request counts).
  for (int i = 0; i < Server().threshold - 2; ++i) {
    EXPECT_EQ(Answer(*host, NewMachine()),
              static_cast<std::uint32_t>(ResultCode::kCountInsufficient));
  }
  EXPECT_EQ(Answer(*host, NewMachine()), 0u);
}

// The clearinghouse's refusal reaches the administrator with its code and
// who said it: a revoked key.
TEST_F(ServeTest, ARefusalNamesTheCodeAndTheClearinghouse) {
  auto host = OnlineHost("host");
  InstallHostKey(*host);
  ASSERT_TRUE(vendor_->Revoke(host_key_).ok());
  json::object ato = host->Call({{"op", "ato"}});
  EXPECT_EQ(Ok(ato), kRevoked) << json::serialize(ato);
  EXPECT_TRUE(Contains(MessageOf(ato), "(from the clearinghouse at " + url_ + ")"))
      << MessageOf(ato);
  EXPECT_FALSE(HostInfo(*host).at("activated").as_bool());
}

// A host whose certificate nears its not-after renews it online by itself
// (POST /v1/renewals, no reactivation used) and gets a later not-after.
TEST_F(ServeTest, RenewalBeforeExpiryGivesALaterNotAfter) {
  auto host = OnlineHost("host");
  Result<MintedKey> key =
      vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, ::time(nullptr), 10);
  ASSERT_TRUE(key.ok());
  host_key_ = key->text;
  ASSERT_EQ(Ok(host->Call({{"op", "ipk"}, {"key", host_key_}})), 0u);
  // Confirmed eight days ago by phone: two days of its ten left, past the
  // two thirds of its life where a short certificate renews.
  json::object dti = host->Call({{"op", "dti"}});
  Result<std::string> cid = vendor_->Confirm(std::string(dti.at("installation_id").as_string()),
                                             ::time(nullptr) - 8 * 86400);
  ASSERT_TRUE(cid.ok()) << cid.status().ToString();
  ASSERT_EQ(Ok(host->Call({{"op", "atp"}, {"confirmation_id", *cid}})), 0u);
  const std::int64_t before = HostInfo(*host).at("certificate_expires").as_int64();
  EXPECT_TRUE(WaitUntil([&] {
    json::object h = HostInfo(*host);
    return h.at("certificate_expires").is_int64() &&
           h.at("certificate_expires").as_int64() > before;
  })) << Log(*host);
  EXPECT_GE(HostInfo(*host).at("certificate_expires").as_int64(), before + 7 * 86400);
  EXPECT_TRUE(Contains(Log(*host), "(renewed online, at " + url_ + ")")) << Log(*host);
  Result<std::vector<MintedKey>> keys = vendor_->ListKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->back().activations_used, 1);  // the renewal used none
}

// slmgr /ato of a MAK product goes to the clearinghouse, never to a host:
// the vendor's MAK activation is installed (it does not expire), the same
// machine asking again uses no second activation, and a machine past the
// MAK's count is refused with its code.
TEST_F(ServeTest, AMakClientActivatesOnlineOnceAndTheCountHolds) {
  const Edition& edition = vendor_->catalog().editions[1];
  Result<MintedKey> mak = vendor_->MintMak(edition.name, 1, ::time(nullptr));
  ASSERT_TRUE(mak.ok()) << mak.status().ToString();
  auto pc1 = OnlineHost("pc1");
  ASSERT_EQ(Ok(pc1->Call({{"op", "ipk"}, {"key", edition.setup_key}})), 0u);
  json::object ipk = pc1->Call({{"op", "ipk"}, {"key", mak->text}});
  ASSERT_EQ(Ok(ipk), 0u) << json::serialize(ipk);

  json::object ato = pc1->Call({{"op", "ato"}});
  ASSERT_EQ(Ok(ato), 0u) << json::serialize(ato);
  ASSERT_EQ(ato.at("products").as_array().size(), 1u) << json::serialize(ato);
  const json::object& product = ato.at("products").as_array()[0].as_object();
  EXPECT_FALSE(product.at("mak_activated").is_null()) << json::serialize(product);
  EXPECT_EQ(product.at("license_status").to_number<int>(), 1);
  EXPECT_TRUE(Contains(Log(*pc1), "MAK activation obtained online, at " + url_)) << Log(*pc1);
  // Again: the same machine, no second activation.
  ASSERT_EQ(Ok(pc1->Call({{"op", "ato"}})), 0u);
  Result<std::vector<MintedKey>> keys = vendor_->ListKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->back().activations_used, 1);

  // Another machine on a MAK of count 1: refused, the code names the limit.
  auto pc2 = OnlineHost("pc2");
  ASSERT_EQ(Ok(pc2->Call({{"op", "ipk"}, {"key", edition.setup_key}})), 0u);
  ASSERT_EQ(Ok(pc2->Call({{"op", "ipk"}, {"key", mak->text}})), 0u);
  json::object refused = pc2->Call({{"op", "ato"}});
  EXPECT_EQ(Ok(refused), static_cast<std::uint32_t>(ResultCode::kKeyOverLimit))
      << json::serialize(refused);
  EXPECT_TRUE(Contains(json::serialize(refused), "(from the clearinghouse at " + url_ + ")"))
      << json::serialize(refused);
}

}  // namespace
}  // namespace activa
