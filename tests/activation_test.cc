// A whole deployment in one process tree: a vendor, real activad hosts and
// clients on loopback, talking over real sockets. Time moves through the
// test-only clock control; the tests that need it skip in builds without
// ACTIVA_TEST_CONTROLS.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "base/file_util.h"
#include "crypto/signing.h"
#include "daemon/state_store.h"
#include "protocol/chain.h"
#include "storage/sqlite.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::DaemonProcess;
using testing::TempDir;

constexpr std::int64_t kDay = 86400;

class ActivationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    OpenVendor();
    std::filesystem::create_directories(dir_ / "catalogs");
    ExportCatalog(dir_ / "catalogs");
  }

  void OpenVendor() {
    Result<Vendor> v = Vendor::Open(dir_ / "vendor");
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vendor_.emplace(std::move(v).value());
  }

  void ExportCatalog(const std::string& folder, Vendor* vendor = nullptr) {
    Vendor& v = vendor ? *vendor : *vendor_;
    ASSERT_TRUE(WriteFileAtomic(folder + "/catalog-" + v.catalog().vendor_name + ".json",
                                *v.SignedCatalog(::time(nullptr)), 0644, true)
                    .ok());
  }

  std::unique_ptr<DaemonProcess> Daemon(const std::string& name, std::string catalogs = "") {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = catalogs.empty() ? dir_ / "catalogs" : catalogs;
    o.machine_name = name;
    if (name == "host") o.host_config = host_config_;
    return std::make_unique<DaemonProcess>(o);
  }

  // A host with a key of `group` (default: the template's group), activated
  // offline through the vendor.
  std::unique_ptr<DaemonProcess> ActivatedHost(const std::string& name, std::string group = "",
                                               Vendor* vendor = nullptr,
                                               std::string catalogs = "") {
    Vendor& v = vendor ? *vendor : *vendor_;
    if (group.empty()) group = v.catalog().groups[0].name;
    auto host = Daemon(name, catalogs);
    Result<MintedKey> key = v.MintHostKey(group, 6, 10, ::time(nullptr));
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    json::object ipk = host->Call({{"op", "ipk"}, {"key", key->text}});
    EXPECT_EQ(Ok(ipk), 0u) << json::serialize(ipk);
    json::object dti = host->Call({{"op", "dti"}});
    if (!dti.contains("installation_id")) {
      throw std::runtime_error("dti failed: " + json::serialize(dti));
    }
    Result<std::string> cid =
        v.Confirm(std::string(dti.at("installation_id").as_string()), ::time(nullptr));
    EXPECT_TRUE(cid.ok()) << cid.status().ToString();
    json::object atp = host->Call({{"op", "atp"}, {"confirmation_id", *cid}});
    EXPECT_EQ(Ok(atp), 0u) << json::serialize(atp);
    return host;
  }

  std::unique_ptr<DaemonProcess> Client(const std::string& name, DaemonProcess& host,
                                        std::size_t edition = 0) {
    auto c = Daemon(name);
    EXPECT_EQ(Ok(c->Call({{"op", "ipk"}, {"key", vendor_->catalog().editions[edition].setup_key}})),
              0u);
    EXPECT_EQ(Ok(c->Call({{"op", "skms"}, {"host", "127.0.0.1:" + std::to_string(host.port())}})),
              0u);
    return c;
  }

  static std::uint32_t Ok(const json::object& r) { return DaemonProcess::ResultOf(r); }

  static json::object Product(DaemonProcess& d) {
    return d.Call({{"op", "dli"}}).at("products").as_array().at(0).as_object();
  }
  static int Count(DaemonProcess& host) {
    return host.Call({{"op", "dli"}})
        .at("host")
        .at("counts")
        .as_array()[0]
        .at("count")
        .to_number<int>();
  }
  static void Advance(DaemonProcess& d, std::int64_t seconds) {
    ASSERT_EQ(Ok(d.Call({{"op", "test_advance_clock"}, {"seconds", seconds}})), 0u);
  }
  // Waits (bounded) until the client's product satisfies `pred`.
  static json::object WaitFor(DaemonProcess& d,
                              const std::function<bool(const json::object&)>& pred) {
    json::object p;
    for (int i = 0; i < 200; ++i) {
      p = Product(d);
      if (pred(p)) return p;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "condition not reached; product: " << json::serialize(p);
    return p;
  }
  static std::uint32_t Ato(DaemonProcess& d) { return Ok(d.Call({{"op", "ato"}})); }

  // Every client record the host lists, page by page (`dlc` with `after`).
  static std::vector<json::object> AllClients(DaemonProcess& host, int first = 100) {
    std::vector<json::object> out;
    json::value after = nullptr;
    for (int pages = 0; pages < 10000; ++pages) {
      json::object request{{"op", "dlc"}, {"first", first}};
      if (!after.is_null()) request["after"] = after;
      json::object dlc = host.Call(request);
      if (Ok(dlc) != 0) {
        ADD_FAILURE() << json::serialize(dlc);
        break;
      }
      for (const json::value& c : dlc.at("clients").as_array()) out.push_back(c.as_object());
      after = dlc.at("next_after");
      if (after.is_null()) break;
    }
    return out;
  }

  // A request as a client of `edition` would send it, from a new machine.
  static ActivationRequest NewMachine(const Edition& e) {
    ActivationRequest r;
    RandomBytes(r.cmid);
    RandomBytes(r.nonce);
    r.application_id = e.application_id;
    r.sku_id = e.id;
    r.machine_name = "scripted";
    r.license_state = LicenseState::kInitialGrace;
    r.required_count = static_cast<std::uint16_t>(e.threshold);
    r.client_time = ::time(nullptr);
    return r;
  }

  static ResultCode ResultOf(const Message& m) {
    if (const auto* r = std::get_if<ActivationResponse>(&m)) return r->result;
    return std::get<ErrorMessage>(m).result;
  }

  TempDir dir_;
  std::optional<Vendor> vendor_;
  // With host_config_ capping an address at 3 connections: a fourth is
  // closed at once, the three are served, and their slots come back.
  void ExpectThreeConnectionsPerAddress();
  std::string host_config_;  // lines for the host's [host] table
};

TEST_F(ActivationTest, ClientEditionActivatesFromTheTwentyFifthMachine) {
  auto host = ActivatedHost("host");
  std::vector<std::unique_ptr<DaemonProcess>> clients;
  for (int i = 1; i <= 26; ++i) {
    clients.push_back(Client("pc" + std::to_string(i), *host));
    EXPECT_EQ(Ato(*clients.back()), i < 25 ? 0xC004F038u : 0u) << "client " << i;
  }
  EXPECT_EQ(Product(*clients[24]).at("license_status").as_int64(), 1);
  EXPECT_EQ(Product(*clients[0]).at("license_status").as_int64(), 2);  // refused, in grace
  EXPECT_EQ(Count(*host), 26);
  // Every client record is kept and listed.
  EXPECT_EQ(host->Call({{"op", "dlc"}}).at("clients").as_array().size(), 26u);
}

TEST_F(ActivationTest, ServerEditionActivatesFromTheFifthMachine) {
  auto host = ActivatedHost("host");
  std::vector<std::unique_ptr<DaemonProcess>> clients;
  for (int i = 1; i <= 5; ++i) {
    clients.push_back(Client("srv" + std::to_string(i), *host, /*edition=*/1));
    EXPECT_EQ(Ato(*clients.back()), i < 5 ? 0xC004F038u : 0u) << "client " << i;
  }
}

TEST_F(ActivationTest, HostKeyOfAnotherGroupAnswersC004F042) {
  // A group that covers only the server edition.
  std::string toml = *ReadFile(dir_ / "vendor/vendor.toml");
  toml +=
      "\n[[group]]\nid = \"0b1c2d3e-0000-4000-8000-000000000042\"\nname = \"Servers only\"\n"
      "editions = [\"Example Suite Server\"]\n";
  ASSERT_TRUE(WriteFileAtomic(dir_ / "vendor/vendor.toml", toml, 0644, true).ok());
  OpenVendor();
  ExportCatalog(dir_ / "catalogs");
  auto host = ActivatedHost("host", "Servers only");
  auto client = Client("pc1", *host, /*edition=*/0);
  EXPECT_EQ(Ato(*client), 0xC004F042u);
  auto server = Client("srv1", *host, /*edition=*/1);
  EXPECT_EQ(Ato(*server), 0xC004F038u);  // covered, only the count is short
}

TEST_F(ActivationTest, HostNotYetActivatedAnswersC004F041) {
  auto host = Daemon("host");
  Result<MintedKey> key = vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, 0);
  json::object ipk = host->Call({{"op", "ipk"}, {"key", key->text}});
  EXPECT_TRUE(ipk.at("becomes_host").as_bool());
  auto client = Client("pc1", *host);
  EXPECT_EQ(Ato(*client), 0xC004F041u);
  EXPECT_EQ(Product(*client).at("license_status").as_int64(), 2);
}

TEST_F(ActivationTest, ClientClockFiveHoursOffAnswersC004F06C) {
  ACTIVA_REQUIRE_TEST_CONTROLS();
  auto host = ActivatedHost("host");
  auto client = Client("pc1", *host);
  Advance(*client, 5 * 3600);
  EXPECT_EQ(Ato(*client), 0xC004F06Cu);
}

TEST_F(ActivationTest, RenewalValidityOutOfToleranceNotificationAndCountWindow) {
  ACTIVA_REQUIRE_TEST_CONTROLS();
  auto host = ActivatedHost("host");
  std::vector<std::unique_ptr<DaemonProcess>> clients;
  for (int i = 1; i <= 5; ++i) {
    clients.push_back(Client("srv" + std::to_string(i), *host, 1));
    Ato(*clients.back());
  }
  DaemonProcess& c = *clients.back();
  json::object p = Product(c);
  ASSERT_EQ(p.at("license_status").as_int64(), 1);
  const std::int64_t first_validity = p.at("validity_end").as_int64();
  const std::int64_t first_activation = p.at("last_activation").as_int64();
  EXPECT_EQ(p.at("next_attempt").as_int64() - first_activation, 7 * kDay);  // renewal interval

  // Seven days later the client renews by itself and the window slides.
  Advance(*host, 7 * kDay + 60);
  Advance(c, 7 * kDay + 60);
  p = WaitFor(c, [&](const json::object& q) {
    return q.at("last_activation").as_int64() > first_activation;
  });
  EXPECT_EQ(p.at("license_status").as_int64(), 1);
  EXPECT_GE(p.at("validity_end").as_int64() - first_validity, 7 * kDay);

  // Without its host, the activation runs out after 180 days: then 30 days
  // of out-of-tolerance grace, then notification.
  host->Stop();
  Advance(c, 181 * kDay);
  // It tries its (gone) host at once: the renewal is long overdue.
  WaitFor(c, [](const json::object& q) {
    return q.at("license_status").as_int64() == 3 &&
           q.at("last_result").to_number<std::uint32_t>() == 0xC004F074u;
  });
  Advance(c, 30 * kDay);
  WaitFor(c, [](const json::object& q) { return q.at("license_status").as_int64() == 5; });

  // On the host, clients unheard of for 30 days leave the count.
  host->Start();
  Advance(*host, 7 * kDay + 60);  // the clock offset was lost with the restart
  EXPECT_EQ(Count(*host), 5);
  Advance(*host, 31 * kDay);
  EXPECT_EQ(Count(*host), 0);
}

TEST_F(ActivationTest, RearmThreeTimesThenC004D307) {
  auto host = ActivatedHost("host");
  auto client = Client("pc1", *host);
  for (int i = 0; i < 3; ++i) {
    json::object r = client->Call({{"op", "rearm"}});
    EXPECT_EQ(Ok(r), 0u);
    EXPECT_EQ(r.at("rearms_left").as_int64(), 2 - i);
  }
  EXPECT_EQ(Ok(client->Call({{"op", "rearm"}})), 0xC004D307u);
}

TEST_F(ActivationTest, GeneralizeGivesANewCmidThatCountsAsANewClient) {
  auto host = ActivatedHost("host");
  auto client = Client("pc1", *host, 1);
  Ato(*client);
  EXPECT_EQ(Count(*host), 1);
  json::object g = client->Call({{"op", "generalize"}});
  ASSERT_EQ(Ok(g), 0u);
  EXPECT_NE(g.at("cmid"), g.at("previous_cmid"));
  Ato(*client);
  EXPECT_EQ(Count(*host), 2);
}

// The clock attack on a running daemon: twenty days into its grace, the
// client's clock is set back 30 days. Before, the client judged its grace
// by its own clock alone, so it had forty days left and could keep them.
TEST_F(ActivationTest, ClockSetBackThirtyDaysExtendsNoGrace) {
  ACTIVA_REQUIRE_TEST_CONTROLS();
  auto host = ActivatedHost("host");
  auto client = Client("pc1", *host);  // 25 needed: the host refuses it
  const std::int64_t grace_end = Product(*client).at("grace_end").as_int64();
  constexpr std::int64_t kTenDays = 10 * 24 * 60;  // minutes
  // Twenty days pass.
  Advance(*host, 20 * kDay);
  Advance(*client, 20 * kDay);
  EXPECT_LE(Product(*client).at("minutes_left").as_int64(), kTenDays);

  Advance(*client, -30 * kDay);
  json::object p = Product(*client);
  EXPECT_EQ(p.at("license_status").as_int64(), 2);
  EXPECT_EQ(p.at("grace_end").as_int64(), grace_end);
  // Judged from the latest time seen: ten days left, not forty.
  EXPECT_LE(p.at("minutes_left").as_int64(), kTenDays);
  EXPECT_GE(p.at("minutes_left").as_int64(), kTenDays - 5);

  // Ten days on, the grace is over although the clock reads (about) the
  // day of the install; a restart (which loses the test clock's offset of
  // 60 seconds) does not forget it.
  Advance(*client, 10 * kDay + 60);
  EXPECT_EQ(Product(*client).at("license_status").as_int64(), 5);
  client->Stop();
  client->Start();
  p = Product(*client);
  EXPECT_EQ(p.at("license_status").as_int64(), 5);
  EXPECT_EQ(p.at("minutes_left").as_int64(), 0);
  EXPECT_EQ(p.at("grace_end").as_int64(), grace_end);

  client->Stop();
  Result<StateStore> store = StateStore::Open(client->state_dir() + "/activad.db");
  ASSERT_TRUE(store.ok());
  Result<std::vector<Event>> events = store->RecentEvents(100, 12289);
  ASSERT_TRUE(events.ok());
  std::string all;
  for (const Event& e : *events) all += e.message + "\n";
  EXPECT_NE(all.find("The system clock went back by 43200 minutes"), std::string::npos) << all;
}

TEST_F(ActivationTest, ResponseFromAHostWithAForgedCertificateChangesNothing) {
  // A rogue "vendor" with the same product definitions but its own key
  // activates its own host; the client trusts only the real catalog.
  ASSERT_TRUE(Vendor::Init(dir_ / "rogue", "Rogue").ok());
  std::string toml = *ReadFile(dir_ / "vendor/vendor.toml");
  ASSERT_TRUE(WriteFileAtomic(dir_ / "rogue/vendor.toml", toml, 0644, true).ok());
  Vendor rogue = std::move(Vendor::Open(dir_ / "rogue")).value();
  std::filesystem::create_directories(dir_ / "rogue-catalogs");
  ExportCatalog(dir_ / "rogue-catalogs", &rogue);
  auto host = ActivatedHost("rogue-host", "", &rogue, dir_ / "rogue-catalogs");
  // Five machines' worth of requests so the rogue host says "licensed".
  const Edition& server = vendor_->catalog().editions[1];
  for (int i = 0; i < 5; ++i) {
    ActivationRequest r;
    RandomBytes(r.cmid);
    r.application_id = server.application_id;
    r.sku_id = server.id;
    r.machine_name = "filler";
    r.license_state = LicenseState::kInitialGrace;
    r.required_count = 5;
    r.client_time = ::time(nullptr);
    ASSERT_TRUE(testing::SendActivation(host->port(), r).ok());
  }
  auto client = Client("srv1", *host, 1);
  EXPECT_EQ(Ato(*client), 0xC0AC0001u);
  json::object p = Product(*client);
  EXPECT_EQ(p.at("license_status").as_int64(), 2);
  EXPECT_EQ(p.at("validity_end").as_int64(), 0);
}

// The attack on the wire: a request for the client edition (threshold 25)
// that says "required 1", as a proxy rewriting one byte would send it. The
// host used to compare its count with the request's number and license the
// first machine; it decides from its catalog and refuses.
TEST_F(ActivationTest, RequestWithALoweredRequiredCountIsRefused) {
  auto host = ActivatedHost("host");
  const Edition& e = vendor_->catalog().editions[0];
  ASSERT_EQ(e.threshold, 25);
  ActivationRequest r;
  RandomBytes(r.cmid);
  RandomBytes(r.nonce);
  r.application_id = e.application_id;
  r.sku_id = e.id;
  r.machine_name = "rewritten";
  r.license_state = LicenseState::kInitialGrace;
  r.required_count = 1;
  r.client_time = ::time(nullptr);
  Result<Message> m = testing::SendActivation(host->port(), r);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(std::holds_alternative<ActivationResponse>(*m));
  const auto& refused = std::get<ActivationResponse>(*m);
  EXPECT_EQ(refused.result, ResultCode::kThresholdMismatch);
  EXPECT_EQ(refused.current_count, 1u);  // counted, as every request is
  EXPECT_EQ(refused.required_count, 25u);
  EXPECT_EQ(refused.validity_end, 0);
  // Signed by the certified host: an honest client, whose request said 25,
  // believes the refusal; the rewritten request's answer is refused outright.
  ActivationRequest honest = r;
  honest.required_count = 25;
  Result<HostCertificate> chain =
      VerifyResponseChain(refused, honest, vendor_->catalog(), ::time(nullptr));
  EXPECT_TRUE(chain.ok()) << chain.status().ToString();
  EXPECT_EQ(VerifyResponseChain(refused, r, vendor_->catalog(), ::time(nullptr)).status().code(),
            ResultCode::kThresholdMismatch);
  EXPECT_EQ(Count(*host), 1);

  // The same request in version 1's layout gets the version error, in an
  // error frame a version-1 client can read.
  Bytes v1 = EncodeRequest(honest);
  v1[4] = 1;
  Bytes answer = testing::SendRaw(host->port(), v1, 3000);
  ASSERT_GE(answer.size(), kFrameHeaderSize);
  EXPECT_EQ(answer[4], 1);
  m = DecodeFrame(answer);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(std::holds_alternative<ErrorMessage>(*m));
  EXPECT_EQ(std::get<ErrorMessage>(*m).result, ResultCode::kUnsupportedVersion);
}

// Version-2 clients are still answered, each response signed on its own
// (docs/protocol.md, "Versions"), and their responses verify.
TEST_F(ActivationTest, VersionTwoClientsAreAnsweredWithVersionTwoResponses) {
  auto host = ActivatedHost("host");
  const Edition& e = vendor_->catalog().editions[0];
  ActivationRequest r;
  RandomBytes(r.cmid);
  RandomBytes(r.nonce);
  r.application_id = e.application_id;
  r.sku_id = e.id;
  r.machine_name = "old-client";
  r.license_state = LicenseState::kInitialGrace;
  r.required_count = static_cast<std::uint16_t>(e.threshold);
  r.client_time = ::time(nullptr);
  r.version = kPerResponseSignatureVersion;
  Result<Message> m = testing::SendActivation(host->port(), r);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(std::holds_alternative<ActivationResponse>(*m));
  const auto& answer = std::get<ActivationResponse>(*m);
  EXPECT_EQ(answer.version, kPerResponseSignatureVersion);
  EXPECT_TRUE(answer.batch_path.siblings.empty());
  EXPECT_TRUE(VerifyResponseChain(answer, r, vendor_->catalog(), ::time(nullptr)).ok());
}

TEST_F(ActivationTest, KilledHostKeepsEveryClientItAnswered) {
  auto host = ActivatedHost("host");
  const std::uint16_t port = host->port();  // before the threads, and the kill
  const Edition& e = vendor_->catalog().editions[0];
  std::mutex mu;
  std::set<std::string> answered;
  std::atomic<int> responses{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&] {
      while (!stop) {
        ActivationRequest r;
        RandomBytes(r.cmid);
        RandomBytes(r.nonce);
        r.application_id = e.application_id;
        r.sku_id = e.id;
        r.machine_name = "burst";
        r.license_state = LicenseState::kInitialGrace;
        r.required_count = 25;
        r.client_time = ::time(nullptr);
        Result<Message> m = testing::SendActivation(port, r);
        if (!m.ok()) break;  // the host is gone
        // Only a signed answer means the host kept the record.
        if (!std::holds_alternative<ActivationResponse>(*m)) continue;
        std::lock_guard lock(mu);
        answered.insert(FormatUuid(r.cmid));
        ++responses;
      }
    });
  }
  while (responses < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  host->Kill();
  stop = true;
  for (auto& t : senders) t.join();
  host->Start();
  // A few hundred clients do not fit one management line: page through.
  std::set<std::string> stored;
  for (const json::object& c : AllClients(*host)) {
    stored.insert(std::string(c.at("cmid").as_string()));
  }
  for (const std::string& cmid : answered) {
    EXPECT_TRUE(stored.contains(cmid)) << cmid << " was answered but not kept";
  }
  EXPECT_GE(stored.size(), answered.size());
}

// The attack: requests for editions no trusted catalog knows used to be
// stored as clients of made-up applications, 300 of them enough to make
// `slmgr /dlc` fail with "response longer than 64 KiB". They are refused
// with 0xC004F042 and leave nothing behind.
TEST_F(ActivationTest, MadeUpEditionsLeaveNoRecord) {
  auto host = ActivatedHost("host");
  const Edition& e = vendor_->catalog().editions[0];
  for (int i = 0; i < 300; ++i) {
    ActivationRequest r = NewMachine(e);
    RandomBytes(r.sku_id);
    RandomBytes(r.application_id);
    r.machine_name = std::string(200, 'x');
    Result<Message> m = testing::SendActivation(host->port(), r);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(ResultOf(*m), ResultCode::kEditionNotCovered);
  }
  json::object dlc = host->Call({{"op", "dlc"}});
  ASSERT_EQ(Ok(dlc), 0u) << json::serialize(dlc);
  EXPECT_TRUE(dlc.at("clients").as_array().empty());
  EXPECT_EQ(dlc.at("total").as_int64(), 0);
  EXPECT_EQ(Count(*host), 0);
  // A real client still gets its record.
  auto client = Client("pc1", *host);
  EXPECT_EQ(Ato(*client), 0xC004F038u);
  EXPECT_EQ(AllClients(*host).size(), 1u);
}

// The attack: one address inventing machine IDs as fast as it can send,
// each a new client record. Past the limit per minute they are refused
// (0xC0AC000B) without a record, with one event for the whole burst, while
// machines the host already counts are still answered.
TEST_F(ActivationTest, OneAddressCannotIntroduceNewMachinesWithoutLimit) {
  host_config_ = "max_new_clients_per_minute = 20\n";
  auto host = ActivatedHost("host");
  const Edition& e = vendor_->catalog().editions[0];
  std::vector<ActivationRequest> admitted;
  int refused = 0;
  for (int i = 0; i < 60; ++i) {
    ActivationRequest r = NewMachine(e);
    Result<Message> m = testing::SendActivation(host->port(), r);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    if (ResultOf(*m) == ResultCode::kTooManyNewClients) {
      ++refused;
    } else {
      EXPECT_EQ(ResultOf(*m), ResultCode::kCountInsufficient);
      admitted.push_back(r);
    }
  }
  // All within one minute, or two when the test straddles a window.
  EXPECT_GE(admitted.size(), 20u);
  EXPECT_LE(admitted.size(), 40u);
  EXPECT_EQ(refused, 60 - static_cast<int>(admitted.size()));
  EXPECT_EQ(AllClients(*host).size(), admitted.size());
  // A machine already counted is not new: it is answered.
  ActivationRequest again = admitted.front();
  RandomBytes(again.nonce);
  Result<Message> m = testing::SendActivation(host->port(), again);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(ResultOf(*m), ResultCode::kCountInsufficient);
  host->Stop();
  Result<StateStore> store = StateStore::Open(host->state_dir() + "/activad.db");
  ASSERT_TRUE(store.ok());
  Result<std::vector<Event>> events = store->RecentEvents(1000, kEventHostRequest);
  ASSERT_TRUE(events.ok());
  int tripped = 0;
  for (const Event& ev : *events) {
    if (ev.message.find("new client machines in a minute") != std::string::npos) ++tripped;
  }
  EXPECT_GE(tripped, 1);
  EXPECT_LE(tripped, 2);  // once per window, not once per refusal
}

// The attack: one address holding every slot with connections that send
// nothing. Past its cap a new connection from it is closed at once, while
// the ones it holds, and everyone else, are still served.
TEST_F(ActivationTest, ConnectionsPerAddressAreCapped) {
  host_config_ = "max_connections_per_address = 3\nio_threads = 1\n";
  ExpectThreeConnectionsPerAddress();
}

// The same attack on a host with several event loops: the three held
// connections are on three loops, and the cap still counts them together.
TEST_F(ActivationTest, ConnectionsPerAddressAreCappedAcrossEventLoops) {
  host_config_ = "max_connections_per_address = 3\nio_threads = 3\n";
  ExpectThreeConnectionsPerAddress();
}

// Connections that never finish a request are closed at the idle timeout
// whichever loop holds them, and the host goes on serving.
TEST_F(ActivationTest, IdleConnectionsAreClosedOnEveryEventLoop) {
  host_config_ = "io_threads = 3\n";  // the idle timeout is the tests' 2 s
  auto host = ActivatedHost("host");
  const std::uint16_t port = host->port();
  const Bytes half = {'A', 'C', 'T', 'V', kProtocolVersion, 1};
  std::vector<int> slow;
  for (int i = 0; i < 6; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    ASSERT_EQ(::send(fd, half.data(), half.size(), 0), static_cast<ssize_t>(half.size()));
    timeval tv{30, 0};  // far past the timeout: only a hang fails
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    slow.push_back(fd);
  }
  for (int fd : slow) {
    char byte = 0;
    EXPECT_EQ(::recv(fd, &byte, 1, 0), 0) << "a connection outlived the idle timeout";
    ::close(fd);
  }
  Result<Message> m = testing::SendActivation(port, NewMachine(vendor_->catalog().editions[0]));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(ResultOf(*m), ResultCode::kCountInsufficient);
}

void ActivationTest::ExpectThreeConnectionsPerAddress() {
  auto host = ActivatedHost("host");
  const std::uint16_t port = host->port();
  auto connect = [port] {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    timeval tv{1, 500000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
  };
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) held.push_back(connect());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all accepted
  int extra = connect();
  char byte = 0;
  EXPECT_EQ(::recv(extra, &byte, 1, 0), 0) << "the fourth connection was not closed";
  ::close(extra);
  // A held connection still works: one request, one signed answer.
  const Edition& e = vendor_->catalog().editions[0];
  Bytes frame = EncodeRequest(NewMachine(e));
  ASSERT_EQ(::send(held[0], frame.data(), frame.size(), 0), static_cast<ssize_t>(frame.size()));
  std::vector<std::uint8_t> answer(kMaxFrameSize);
  std::size_t got = 0;
  for (;;) {
    ssize_t n = ::recv(held[0], answer.data() + got, answer.size() - got, 0);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
    Result<Message> m = DecodeFrame(Bytes(answer.begin(), answer.begin() + got));
    if (m.ok()) {
      EXPECT_EQ(ResultOf(*m), ResultCode::kCountInsufficient);
      break;
    }
  }
  EXPECT_GT(got, 0u);
  for (int fd : held) ::close(fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // Their slots are free again.
  Result<Message> m = testing::SendActivation(port, NewMachine(e));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(ResultOf(*m), ResultCode::kCountInsufficient);
}

// host_clients used to grow for ever. A record unseen for 30 days plus
// keep_clients_days goes with a later commit.
TEST_F(ActivationTest, ClientsLongUnseenAreDeleted) {
  ACTIVA_REQUIRE_TEST_CONTROLS();
  host_config_ = "keep_clients_days = 10\n";
  auto host = ActivatedHost("host");
  const Edition& e = vendor_->catalog().editions[0];
  ActivationRequest old_machine = NewMachine(e);
  ASSERT_TRUE(testing::SendActivation(host->port(), old_machine).ok());
  ASSERT_EQ(AllClients(*host).size(), 1u);
  Advance(*host, 41 * kDay);
  ActivationRequest new_machine = NewMachine(e);
  new_machine.client_time += 41 * kDay;
  Result<Message> m = testing::SendActivation(host->port(), new_machine);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(ResultOf(*m), ResultCode::kCountInsufficient);
  std::vector<json::object> left = AllClients(*host);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].at("cmid").as_string(), FormatUuid(new_machine.cmid));
}

TEST_F(ActivationTest, BadAndSlowConnectionsDoNotStopService) {
  auto host = ActivatedHost("host");
  const std::uint16_t port = host->port();  // before the threads
  // Slow senders: half a header, then nothing.
  std::vector<std::thread> slow;
  std::atomic<int> closed_by_host{0};
  for (int i = 0; i < 8; ++i) {
    slow.emplace_back([&] {
      Bytes partial = {'A', 'C', 'T'};
      // The host closes them after its idle timeout (2 s in tests).
      if (testing::SendRaw(port, partial, 6000).empty()) ++closed_by_host;
    });
  }
  // Garbage: not our magic, closed without a word.
  EXPECT_TRUE(testing::SendRaw(port, Bytes(64, 0x41), 3000).empty());
  // Oversized: an error frame with 0xC0AC0003.
  Bytes big = {'A', 'C', 'T', 'V', kProtocolVersion, 1, 0, 0, 0x00, 0x01, 0x10, 0x00};
  Result<Message> m = DecodeFrame(testing::SendRaw(port, big, 3000));
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(std::holds_alternative<ErrorMessage>(*m));
  EXPECT_EQ(std::get<ErrorMessage>(*m).result, ResultCode::kFrameTooLarge);
  // Wrong version: an error frame with 0xC0AC0002.
  Bytes v9 = {'A', 'C', 'T', 'V', 9, 1, 0, 0, 0, 0, 0, 0};
  m = DecodeFrame(testing::SendRaw(port, v9, 3000));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(std::get<ErrorMessage>(*m).result, ResultCode::kUnsupportedVersion);
  // Meanwhile a well-behaved client is served.
  auto client = Client("pc1", *host);
  EXPECT_EQ(Ato(*client), 0xC004F038u);
  for (auto& t : slow) t.join();
  EXPECT_EQ(closed_by_host, 8);
  EXPECT_EQ(Ato(*client), 0xC004F038u);
}

TEST_F(ActivationTest, SprtMovesTheListenerWhileRunning) {
  auto host = ActivatedHost("host");
  auto client = Client("pc1", *host);
  EXPECT_EQ(Ato(*client), 0xC004F038u);
  std::uint16_t moved = testing::FreePort();
  ASSERT_EQ(Ok(host->Call({{"op", "sprt"}, {"port", std::to_string(moved)}})), 0u);
  EXPECT_EQ(host->Call({{"op", "dli"}}).at("host").at("port").to_number<int>(), moved);
  EXPECT_EQ(Ato(*client), 0xC004F074u);  // the old port is closed
  ASSERT_EQ(Ok(client->Call({{"op", "skms"}, {"host", "127.0.0.1:" + std::to_string(moved)}})), 0u);
  EXPECT_EQ(Ato(*client), 0xC004F038u);
}

TEST_F(ActivationTest, PortZeroListensOnTheKernelsChoiceWithoutStoringIt) {
  auto host = ActivatedHost("host");  // the harness's config says port = 0
  const std::uint16_t port = host->port();
  EXPECT_NE(port, 0);
  json::object h = host->Call({{"op", "dli"}}).at("host").as_object();
  EXPECT_EQ(h.at("listening"), (json::array{json::string("127.0.0.1:" + std::to_string(port))}));
  auto client = Client("pc1", *host);
  EXPECT_EQ(Ato(*client), 0xC004F038u);
  host->Stop();
  {
    Result<StateStore> store = StateStore::Open(host->state_dir() + "/activad.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Result<std::optional<std::string>> stored = store->GetSetting("port");
    ASSERT_TRUE(stored.ok());
    EXPECT_FALSE(stored->has_value()) << "the kernel's port was stored as /sprt's: " << **stored;
  }
  host->Start();
  EXPECT_NE(host->port(), 0);
}

// The nice value of every thread of `pid` (field 19 of /proc/PID/task/TID/stat).
std::set<int> NiceValues(pid_t pid) {
  std::set<int> out;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream stat(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
      if (i == 19) out.insert(std::stoi(field));
    }
  }
  return out;
}

TEST_F(ActivationTest, CpriLowersTheWorkersPrioritySpriRestoresIt) {
  auto host = ActivatedHost("host");
  EXPECT_EQ(NiceValues(host->pid()), std::set<int>{0});
  ASSERT_EQ(Ok(host->Call({{"op", "cpri"}})), 0u);
  EXPECT_EQ(NiceValues(host->pid()), std::set<int>{10});
  EXPECT_EQ(std::string(host->Call({{"op", "dli"}}).at("host").at("priority").as_string()), "low");
  ASSERT_EQ(Ok(host->Call({{"op", "spri"}})), 0u);
  EXPECT_EQ(NiceValues(host->pid()), std::set<int>{0});
}

}  // namespace
}  // namespace activa
