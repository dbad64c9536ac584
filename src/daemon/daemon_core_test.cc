// DaemonCore without sockets: a vendor, a host core and client cores wired
// together by handing frames across, with a fake clock.
#include "daemon/daemon_core.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>

#include "base/file_util.h"
#include "daemon/management_service.h"
#include "vendor/vendor.h"

namespace activa {
namespace {
namespace json = boost::json;

constexpr std::int64_t kStart = 1795000000;

class DaemonCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "activa-core-XXXXXX").string();
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
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<DaemonCore> NewCore(const std::string& name) {
    DaemonPaths paths;
    paths.state_dir = dir_ + "/" + name;
    paths.catalog_dir = dir_ + "/catalogs";
    paths.trust_dir = dir_ + "/trusted";
    DaemonConfig config;
    config.machine_name = name;
    config.journal = false;
    Result<std::unique_ptr<DaemonCore>> core = DaemonCore::Open(paths, config, system_);
    EXPECT_TRUE(core.ok()) << core.status().ToString();
    return std::move(core).value();
  }

  static json::object Run(DaemonCore& core, const json::object& request, bool admin = true) {
    ManagementService service(core, nullptr);
    management::Peer peer;
    peer.admin = admin;
    return json::parse(service.HandleLine(json::serialize(request), peer)).as_object();
  }
  static std::uint32_t ResultOf(const json::object& o) {
    return static_cast<std::uint32_t>(o.at("result").to_number<std::uint64_t>());
  }

  // Installs and activates (offline) a host key of the template's group.
  std::unique_ptr<DaemonCore> ActivatedHost() {
    auto host = NewCore("host");
    Result<MintedKey> key = vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, kStart);
    json::object ipk = Run(*host, {{"op", "ipk"}, {"key", key->text}});
    EXPECT_EQ(ResultOf(ipk), 0u) << json::serialize(ipk);
    EXPECT_TRUE(ipk.at("becomes_host").as_bool());
    json::object dti = Run(*host, {{"op", "dti"}});
    Result<std::string> cid =
        vendor_->Confirm(std::string(dti.at("installation_id").as_string()), kStart);
    EXPECT_TRUE(cid.ok()) << cid.status().ToString();
    json::object atp = Run(*host, {{"op", "atp"}, {"confirmation_id", *cid}});
    EXPECT_EQ(ResultOf(atp), 0u) << json::serialize(atp);
    return host;
  }

  // One client machine with the client edition's setup key installed.
  std::unique_ptr<DaemonCore> Client(const std::string& name, std::size_t edition = 0) {
    auto c = NewCore(name);
    json::object r =
        Run(*c, {{"op", "ipk"}, {"key", vendor_->catalog().editions[edition].setup_key}});
    EXPECT_EQ(ResultOf(r), 0u) << json::serialize(r);
    EXPECT_EQ(ResultOf(Run(*c, {{"op", "skms"}, {"host", "127.0.0.1:1688"}})), 0u);
    return c;
  }

  // Runs the client's attempt for its one product against `host`.
  ResultCode Attempt(DaemonCore& client, DaemonCore& host) {
    std::vector<Uuid> due = client.client().DueProducts();
    EXPECT_EQ(due.size(), 1u);
    Result<::activa::Attempt> a = client.client().Prepare(due.at(0), client.machine());
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    // (Its record would be made durable here; see host/commit_queue.h.)
    RequestHandler::Answer answer = host.host().Respond(host.host().Admit(a->request));
    Result<Message> m = DecodeFrame(answer.frame);
    EXPECT_TRUE(m.ok());
    AttemptOutcome outcome;
    outcome.answer = *m;
    outcome.host = a->hosts[0];
    return client.client().Finish(*a, outcome);
  }

  std::string dir_;
  FakeClock clock_;
  RealSystem system_{clock_};
  std::optional<Vendor> vendor_;
};

TEST_F(DaemonCoreTest, TwentyFifthClientActivates) {
  auto host = ActivatedHost();
  std::vector<std::unique_ptr<DaemonCore>> clients;
  for (int i = 1; i <= 26; ++i) {
    clients.push_back(Client("pc" + std::to_string(i)));
    ResultCode r = Attempt(*clients.back(), *host);
    EXPECT_EQ(r, i < 25 ? ResultCode::kCountInsufficient : ResultCode::kOk) << "client " << i;
  }
  json::object dli = Run(*clients.back(), {{"op", "dli"}});
  const json::object& p = dli.at("products").as_array()[0].as_object();
  EXPECT_EQ(p.at("license_status").as_int64(), 1);
  EXPECT_EQ(p.at("last_count").to_number<int>(), 26);
  json::object host_dli = Run(*host, {{"op", "dli"}}, /*admin=*/false);
  const json::object& h = host_dli.at("host").as_object();
  EXPECT_EQ(h.at("counts").as_array()[0].at("count").to_number<int>(), 26);
  EXPECT_EQ(h.at("requests").at("total").to_number<int>(), 26);
  EXPECT_EQ(h.at("requests").at("failed").to_number<int>(), 24);
}

TEST_F(DaemonCoreTest, ServerEditionNeedsFive) {
  auto host = ActivatedHost();
  std::vector<std::unique_ptr<DaemonCore>> clients;
  for (int i = 1; i <= 5; ++i) {
    clients.push_back(Client("srv" + std::to_string(i), /*edition=*/1));
    EXPECT_EQ(Attempt(*clients.back(), *host),
              i < 5 ? ResultCode::kCountInsufficient : ResultCode::kOk);
  }
}

TEST_F(DaemonCoreTest, HostNotActivatedAnswersC004F041) {
  auto host = NewCore("host");
  Result<MintedKey> key = vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, kStart);
  Run(*host, {{"op", "ipk"}, {"key", key->text}});
  auto client = Client("pc1");
  EXPECT_EQ(Attempt(*client, *host), ResultCode::kHostNotActivated);
  // The unsigned refusal changed nothing but the last result.
  json::object dli = Run(*client, {{"op", "dli"}});
  EXPECT_EQ(dli.at("products").as_array()[0].at("license_status").as_int64(), 2);
}

TEST_F(DaemonCoreTest, WithoutSkmsTheAttemptAsksDns) {
  auto c = NewCore("pc1");
  Run(*c, {{"op", "ipk"}, {"key", vendor_->catalog().editions[0].setup_key}});
  Result<::activa::Attempt> a = c->client().Prepare(c->client().DueProducts().at(0), c->machine());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->discover);
  EXPECT_TRUE(a->hosts.empty());
  EXPECT_EQ(a->service, "_activa._tcp");
  EXPECT_TRUE(a->lookup_domains.empty());  // the resolver's search list
  Run(*c, {{"op", "skms_domain"}, {"domain", "corp.example"}});
  a = c->client().Prepare(c->client().DueProducts().at(0), c->machine());
  EXPECT_EQ(a->lookup_domains, std::vector<std::string>{"corp.example"});
  AttemptOutcome none;
  none.discovered = true;
  none.discovery_failed = true;
  none.errors = "no SRV records at _activa._tcp.corp.example";
  EXPECT_EQ(c->client().Finish(*a, none), ResultCode::kNoHostReachable);
  json::object p = Run(*c, {{"op", "dli"}}).at("products").as_array()[0].as_object();
  EXPECT_EQ(p.at("last_result").to_number<std::uint32_t>(), 0xC004F074u);
  // With /skms set, that host and no DNS.
  Run(*c, {{"op", "skms"}, {"host", "kms1.corp.example:1700"}});
  a = c->client().Prepare(
      c->client().DueProducts().empty() ? a->sku_id : c->client().DueProducts()[0], c->machine());
  EXPECT_FALSE(a->discover);
  ASSERT_EQ(a->hosts.size(), 1u);
  EXPECT_EQ(a->hosts[0].ToString(), "kms1.corp.example:1700");
}

TEST_F(DaemonCoreTest, NonAdminMayOnlyRead) {
  auto c = NewCore("pc1");
  EXPECT_EQ(ResultOf(Run(*c, {{"op", "dli"}}, false)), 0u);
  EXPECT_EQ(ResultOf(Run(*c, {{"op", "dlc"}}, false)), 0u);
  json::object denied =
      Run(*c, {{"op", "ipk"}, {"key", vendor_->catalog().editions[0].setup_key}}, false);
  EXPECT_EQ(ResultOf(denied), 0x80070005u);
  EXPECT_NE(std::string(denied.at("message").as_string()).find("activa-admin"), std::string::npos);
  EXPECT_EQ(ResultOf(Run(*c, {{"op", "sprt"}, {"port", "1700"}}, false)), 0x80070005u);
}

TEST_F(DaemonCoreTest, RearmThreeTimesThenNoRearmsLeft) {
  auto c = Client("pc1");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ResultOf(Run(*c, {{"op", "rearm"}})), 0u);
  EXPECT_EQ(ResultOf(Run(*c, {{"op", "rearm"}})), 0xC004D307u);
}

TEST_F(DaemonCoreTest, GeneralizeMakesANewCmidThatCountsAgain) {
  auto host = ActivatedHost();
  auto c = Client("pc1");
  Attempt(*c, *host);
  std::string before(Run(*c, {{"op", "dli"}}).at("machine").at("cmid").as_string());
  json::object g = Run(*c, {{"op", "generalize"}});
  EXPECT_EQ(std::string(g.at("previous_cmid").as_string()), before);
  EXPECT_NE(std::string(g.at("cmid").as_string()), before);
  Attempt(*c, *host);
  json::object dli = Run(*host, {{"op", "dli"}});
  EXPECT_EQ(dli.at("host").at("counts").as_array()[0].at("count").to_number<int>(), 2);
}

// sysprep /generalize uses a rearm; with none left it changes nothing, the
// CMID included.
TEST_F(DaemonCoreTest, GeneralizeAfterThreeRearmsAnswersNoRearmsLeftAndKeepsTheCmid) {
  auto c = Client("pc1");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ResultOf(Run(*c, {{"op", "rearm"}})), 0u);
  json::object before = Run(*c, {{"op", "dli"}});
  EXPECT_EQ(ResultOf(Run(*c, {{"op", "generalize"}})), 0xC004D307u);
  json::object after = Run(*c, {{"op", "dli"}});
  EXPECT_EQ(after.at("machine"), before.at("machine"));
  EXPECT_EQ(after.at("products").as_array()[0].at("grace_end"),
            before.at("products").as_array()[0].at("grace_end"));
}

// /upk + /ipk used to give back three rearms and a fresh grace period; the
// kept timers are in the state database, so a restart between changes
// nothing.
TEST_F(DaemonCoreTest, UpkThenIpkAcrossARestartRestoresNothing) {
  const std::string key = vendor_->catalog().editions[0].setup_key;
  json::object before;
  {
    auto c = Client("pc1");
    for (int i = 0; i < 3; ++i) EXPECT_EQ(ResultOf(Run(*c, {{"op", "rearm"}})), 0u);
    before = Run(*c, {{"op", "dli"}}).at("products").as_array()[0].as_object();
    EXPECT_EQ(ResultOf(Run(*c, {{"op", "upk"}})), 0u);
  }
  clock_.Advance(3600);
  auto c = NewCore("pc1");
  EXPECT_EQ(ResultOf(Run(*c, {{"op", "ipk"}, {"key", key}})), 0u);
  json::object after = Run(*c, {{"op", "dli"}}).at("products").as_array()[0].as_object();
  EXPECT_EQ(after.at("rearms_left").as_int64(), 0);
  EXPECT_EQ(after.at("grace_end"), before.at("grace_end"));
  EXPECT_EQ(ResultOf(Run(*c, {{"op", "rearm"}})), 0xC004D307u);
}

TEST_F(DaemonCoreTest, SettingsSurviveARestart) {
  {
    auto c = NewCore("pc1");
    EXPECT_EQ(ResultOf(Run(*c, {{"op", "sprt"}, {"port", "1700"}})), 0u);
    EXPECT_EQ(ResultOf(Run(*c, {{"op", "sai"}, {"minutes", "60"}})), 0u);
    EXPECT_EQ(ResultOf(Run(*c, {{"op", "sai"}, {"minutes", "14"}})), 0x80070057u);
    EXPECT_EQ(ResultOf(Run(*c, {{"op", "skms"}, {"host", "[::1]:1690"}})), 0u);
    EXPECT_EQ(ResultOf(Run(*c, {{"op", "skms"}, {"host", "::1"}})), 0x80070057u);
    EXPECT_EQ(ResultOf(Run(*c, {{"op", "cdns"}})), 0u);
  }
  auto c = NewCore("pc1");
  EXPECT_EQ(c->host().port, 1700);
  auto host = ActivatedHost();
  (void)host;
  Run(*c, {{"op", "ipk"}, {"key", vendor_->catalog().editions[0].setup_key}});
  json::object dli = Run(*c, {{"op", "dli"}});
  const json::object& p = dli.at("products").as_array()[0].as_object();
  EXPECT_EQ(p.at("activation_interval").to_number<int>(), 60);
  EXPECT_EQ(std::string(p.at("kms").at("configured").as_string()), "[::1]:1690");
}

// A stored identity that cannot be read is a start-up failure naming the
// database; before, it was silently replaced by a new CMID, so the machine
// counted twice on its host.
TEST_F(DaemonCoreTest, UnreadableIdentityStopsStartupAndKeepsTheCmid) {
  NewCore("pc1");
  const std::string db = dir_ + "/pc1/activad.db";
  {
    Result<StateStore> store = StateStore::Open(db);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(store->SetSetting("cmid", "not-a-uuid").ok());
  }
  DaemonPaths paths;
  paths.state_dir = dir_ + "/pc1";
  paths.catalog_dir = dir_ + "/catalogs";
  paths.trust_dir = dir_ + "/trusted";
  DaemonConfig config;
  config.journal = false;
  Result<std::unique_ptr<DaemonCore>> core = DaemonCore::Open(paths, config, system_);
  ASSERT_FALSE(core.ok());
  EXPECT_NE(core.status().message().find(db), std::string::npos) << core.status().ToString();
  EXPECT_NE(core.status().message().find("cmid"), std::string::npos);
  // Nothing was minted over it.
  Result<StateStore> store = StateStore::Open(db);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->GetSetting("cmid")->value_or(""), "not-a-uuid");
}

TEST_F(DaemonCoreTest, BadInputIsAnErrorNotACrash) {
  auto c = NewCore("pc1");
  ManagementService service(*c, nullptr);
  management::Peer admin;
  admin.admin = true;
  EXPECT_EQ(
      json::parse(service.HandleLine("not json", admin)).at("result").to_number<std::uint32_t>(),
      0x8007000Du);
  EXPECT_EQ(ResultOf(Run(*c, {{"op", "nope"}})), 0x80070057u);
  EXPECT_EQ(ResultOf(Run(*c, {{"op", "ipk"}, {"key", "BCDFG-BCDFG"}})), 0xC004F050u);
  // The confirmation ID is read first: whether it is a MAK's decides where
  // it goes.
  EXPECT_EQ(ResultOf(Run(*c, {{"op", "atp"}, {"confirmation_id", "x"}})), 0x8007000Du);
}

}  // namespace
}  // namespace activa
