// The management service over a daemon core that lives in memory: catalogs
// and the host key through a FakeSystem, the state in an in-memory SQLite
// database, time from a fake clock. No socket, no file of the daemon's.
#include "daemon/management_service.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "base/fake_system.h"
#include "daemon/count_history.h"
#include "management/codec.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace m = management;
constexpr std::int64_t kStart = 1795000000;

class ManagementServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The vendor's side is the fixture: it writes its own folder.
    std::string tmpl = (std::filesystem::temp_directory_path() / "activa-ms-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    vendor_dir_ = tmpl;
    ASSERT_TRUE(Vendor::Init(vendor_dir_ + "/v", "Example").ok());
    Result<Vendor> v = Vendor::Open(vendor_dir_ + "/v");
    ASSERT_TRUE(v.ok());
    vendor_.emplace(std::move(v).value());
    system_.SetFile("/catalogs/example.json", *vendor_->SignedCatalog(kStart));
    system_.SetFile("/trusted/example.trust",
                    FormatTrustFile(vendor_->catalog().vendor_keys.front(), "Example"));
    system_.SetHostName("host1");
    Reopen();
  }
  void TearDown() override { std::filesystem::remove_all(vendor_dir_); }

  void Reopen() {
    service_.reset();
    core_.reset();
    Result<StateStore> store = StateStore::Open(":memory:");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    DaemonPaths paths;
    paths.state_dir = "/state";
    paths.catalog_dir = "/catalogs";
    paths.trust_dir = "/trusted";
    DaemonConfig config;
    config.journal = false;
    Result<std::unique_ptr<DaemonCore>> core =
        DaemonCore::OpenWithStore(paths, config, system_, std::move(store).value());
    ASSERT_TRUE(core.ok()) << core.status().ToString();
    core_ = std::move(core).value();
    service_ = std::make_unique<ManagementService>(
        *core_,
        [this](std::vector<Uuid> products, std::function<void(std::vector<AttemptReport>)> done) {
          attempted_ = products;
          AttemptStep refused{AttemptStep::Kind::kHost, "127.0.0.1:17688",
                              ResultCode::kNoHostReachable, "connection refused"};
          done(std::vector<AttemptReport>(
              products.size(),
              AttemptReport{
                  ResultCode::kNoHostReachable, "127.0.0.1:17688: connection refused", {refused}}));
        });
  }

  m::Response Call(const m::Request& request, bool admin = true) {
    m::Peer peer;
    peer.admin = admin;
    std::optional<m::Response> out;
    service_->Dispatch(request, peer, [&](m::Response r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return std::move(*out);
  }
  template <typename T>
  T Payload(const m::Response& r) {
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::get<T>(*r);
  }

  std::string vendor_dir_;
  FakeSystem system_{kStart};
  std::optional<Vendor> vendor_;
  std::unique_ptr<DaemonCore> core_;
  std::unique_ptr<ManagementService> service_;
  std::vector<Uuid> attempted_;
};

TEST_F(ManagementServiceTest, SetupKeyInstallsAProductInGrace) {
  const Edition& e = vendor_->catalog().editions[0];
  auto ipk = Payload<m::IpkResponse>(Call(m::IpkRequest{e.setup_key}));
  EXPECT_EQ(ipk.kind, "setup");
  EXPECT_EQ(ipk.name, e.name);
  auto dli = Payload<m::LicenseInfo>(Call(m::DliRequest{}, /*admin=*/false));
  ASSERT_EQ(dli.products.size(), 1u);
  EXPECT_EQ(dli.products[0].license_status, 2);
  EXPECT_EQ(dli.products[0].license_status_text, "Initial grace period");
  EXPECT_EQ(dli.products[0].required_count, e.threshold);
  EXPECT_EQ(dli.machine.name, "host1");
  EXPECT_FALSE(dli.host.has_value());
}

TEST_F(ManagementServiceTest, StandardUsersReadOnly) {
  const Edition& e = vendor_->catalog().editions[0];
  m::Response denied = Call(m::IpkRequest{e.setup_key}, /*admin=*/false);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), ResultCode::kAccessDenied);
  EXPECT_TRUE(Call(m::DlcRequest{}, false).ok());
  EXPECT_EQ(Call(m::SaiRequest{60}, false).status().code(), ResultCode::kAccessDenied);
}

TEST_F(ManagementServiceTest, HostActivatesOfflineWithoutTouchingTheDisk) {
  Result<MintedKey> key = vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, kStart);
  ASSERT_TRUE(key.ok());
  auto ipk = Payload<m::IpkResponse>(Call(m::IpkRequest{key->text}));
  EXPECT_TRUE(ipk.becomes_host);
  EXPECT_TRUE(system_.HasFile("/state/host.key"));  // the host's key, in the fake
  auto dti = Payload<m::DtiResponse>(Call(m::DtiRequest{}));
  Result<std::string> cid = vendor_->Confirm(dti.installation_id, kStart);
  ASSERT_TRUE(cid.ok()) << cid.status().ToString();
  auto atp = Payload<m::AtpResponse>(Call(m::AtpRequest{*cid, std::nullopt}));
  ASSERT_TRUE(atp.host.has_value());
  EXPECT_TRUE(atp.host->activated);
  EXPECT_EQ(atp.host->group, vendor_->catalog().groups[0].name);
  EXPECT_TRUE(core_->host().activated());
  EXPECT_TRUE(core_->TakeListenerChange());
  EXPECT_TRUE(core_->TakeDnsChange());
}

// /ilc: a revoked host learns of it from the list and stops answering; an
// older list never replaces a newer one.
TEST_F(ManagementServiceTest, ARevocationListStopsARevokedHostAndOlderOnesAreRefused) {
  Result<MintedKey> key = vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, kStart);
  ASSERT_TRUE(key.ok());
  Payload<m::IpkResponse>(Call(m::IpkRequest{key->text}));
  auto dti = Payload<m::DtiResponse>(Call(m::DtiRequest{}));
  Result<std::string> cid = vendor_->Confirm(dti.installation_id, kStart);
  ASSERT_TRUE(cid.ok());
  Payload<m::AtpResponse>(Call(m::AtpRequest{*cid, std::nullopt}));
  ASSERT_TRUE(core_->host().activated());

  Result<std::string> first = vendor_->SignedRevocations(kStart);  // serial 1: nothing
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(vendor_->RevokeHost(dti.installation_id, kStart).ok());
  Result<std::string> second = vendor_->SignedRevocations(kStart);  // serial 2: this host
  ASSERT_TRUE(second.ok());

  auto installed = Payload<m::IlcResponse>(Call(m::IlcRequest{*second}));
  EXPECT_EQ(installed.serial, 2u);
  EXPECT_TRUE(installed.replaced);
  EXPECT_TRUE(core_->host().revoked());
  m::Response older = Call(m::IlcRequest{*first});
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(older.status().code(), ResultCode::kInvalidArgument);
  EXPECT_TRUE(core_->host().revoked());
  auto again = Payload<m::IlcResponse>(Call(m::IlcRequest{*second}));
  EXPECT_FALSE(again.replaced);
  // Altered, it is refused.
  std::string altered = *second;
  altered[altered.find("serial") + 9] ^= 1;
  EXPECT_FALSE(Call(m::IlcRequest{altered}).ok());
  EXPECT_EQ(Call(m::IlcRequest{*second}, /*admin=*/false).status().code(),
            ResultCode::kAccessDenied);
}

TEST_F(ManagementServiceTest, AHostKeyThatCannotBeStoredInstallsNothing) {
  system_.FailWrites("/state/host.key", Status(ResultCode::kStorage, "no space left"));
  Result<MintedKey> key = vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, kStart);
  m::Response r = Call(m::IpkRequest{key->text});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kStorage);
  EXPECT_FALSE(core_->host().key_installed());
  EXPECT_FALSE(Payload<m::LicenseInfo>(Call(m::DliRequest{})).host.has_value());
}

TEST_F(ManagementServiceTest, AtoRunsTheAttemptsAndReportsTheProducts) {
  const Edition& e = vendor_->catalog().editions[0];
  ASSERT_TRUE(Call(m::IpkRequest{e.setup_key}).ok());
  auto ato = Payload<m::AtoResponse>(Call(m::AtoRequest{}));
  EXPECT_EQ(attempted_, std::vector<Uuid>{e.id});
  EXPECT_EQ(ato.outcome.code(), ResultCode::kNoHostReachable);
  // The cause is the outcome's message, and each host tried is reported.
  EXPECT_EQ(ato.outcome.message(), "127.0.0.1:17688: connection refused");
  ASSERT_EQ(ato.attempts.size(), 1u);
  EXPECT_EQ(ato.attempts[0].activation_id, e.id);
  ASSERT_EQ(ato.attempts[0].tried.size(), 1u);
  EXPECT_EQ(ato.attempts[0].tried[0].kind, "host");
  EXPECT_EQ(ato.attempts[0].tried[0].name, "127.0.0.1:17688");
  EXPECT_EQ(ato.attempts[0].tried[0].message, "connection refused");
  ASSERT_EQ(ato.products.size(), 1u);
  // Nothing to activate: said before any attempt.
  ASSERT_TRUE(Call(m::UpkRequest{}).ok());
  attempted_.clear();
  EXPECT_EQ(Call(m::AtoRequest{}).status().code(), ResultCode::kNotFound);
  EXPECT_TRUE(attempted_.empty());
}

TEST_F(ManagementServiceTest, SettingsApplyAtOnce) {
  const Edition& e = vendor_->catalog().editions[0];
  ASSERT_TRUE(Call(m::IpkRequest{e.setup_key}).ok());
  ASSERT_TRUE(Call(m::SaiRequest{60}).ok());
  ASSERT_TRUE(Call(m::SkmsRequest{"kms.corp.example:1700"}).ok());
  EXPECT_EQ(Call(m::SkmsDomainRequest{"not a name"}).status().code(), ResultCode::kInvalidArgument);
  auto dli = Payload<m::LicenseInfo>(Call(m::DliRequest{}));
  EXPECT_EQ(dli.products[0].activation_interval, 60u);
  EXPECT_EQ(dli.products[0].kms.configured, "kms.corp.example:1700");
  ASSERT_TRUE(Call(m::SprtRequest{1700}).ok());
  EXPECT_EQ(core_->host().port, 1700);
}

// Machine names are the clients' own, up to 255 bytes: a page of 1000 of
// them would not fit the protocol's line, so it ends early, at a machine,
// and says where to go on. Every record is listed exactly once.
TEST_F(ManagementServiceTest, DlcPagesFitOneLineAndListEveryClientOnce) {
  std::vector<ClientEntry> clients;
  for (int i = 0; i < 1500; ++i) {
    ClientEntry c;
    c.application_id = vendor_->catalog().applications[0].id;
    c.cmid = Uuid{};
    c.cmid[0] = 0xc0;
    c.cmid[14] = static_cast<std::uint8_t>(i >> 8);
    c.cmid[15] = static_cast<std::uint8_t>(i);
    c.machine_name = std::string(200, 'a' + i % 26) + "\"\"";  // escaped on the wire
    c.sku_id = vendor_->catalog().editions[0].id;
    c.last_seen = kStart;
    c.requests = 1;
    clients.push_back(std::move(c));
  }
  ASSERT_TRUE(core_->store().SaveHostBatch(clients, {}, {}).ok());

  auto first = Payload<m::DlcResponse>(Call(m::DlcRequest{}, false));
  EXPECT_EQ(first.clients.size(), 100u);
  EXPECT_EQ(first.total, 1500u);
  ASSERT_TRUE(first.next_after.has_value());
  EXPECT_EQ(*first.next_after, first.clients.back().cmid);

  std::optional<Uuid> after;
  std::size_t listed = 0, pages = 0;
  for (;;) {
    m::Response r = Call(m::DlcRequest{1000, after, std::nullopt, std::nullopt}, false);
    EXPECT_LE(m::EncodeResponse(r).size(), m::kMaxLineBytes);
    auto page = Payload<m::DlcResponse>(r);
    ASSERT_FALSE(page.clients.empty());
    EXPECT_LT(page.clients.size(), 1000u);  // ended by the line's limit
    for (const m::ClientRecord& c : page.clients) {
      EXPECT_EQ(c.cmid, clients[listed].cmid);
      ++listed;
    }
    ++pages;
    if (!page.next_after) break;
    after = page.next_after;
  }
  EXPECT_EQ(listed, clients.size());
  EXPECT_GT(pages, 2u);
  auto past = Payload<m::DlcResponse>(
      Call(m::DlcRequest{10, clients.back().cmid, std::nullopt, std::nullopt}, false));
  EXPECT_TRUE(past.clients.empty());
  EXPECT_FALSE(past.next_after.has_value());
}

// The console's plot: a sample at the first tick with a host key, one a
// day after that, and today's point is the count now.
TEST_F(ManagementServiceTest, DliCarriesTheDailyCountHistory) {
  Result<MintedKey> key = vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, kStart);
  ASSERT_TRUE(key.ok());
  Payload<m::IpkResponse>(Call(m::IpkRequest{key->text}));
  const Uuid app = vendor_->catalog().applications[0].id;
  CountSampler sampler;
  sampler.Tick(*core_);  // day 0: no clients yet
  system_.fake_clock().Advance(86400);
  ClientEntry c;
  c.application_id = app;
  c.cmid[0] = 0xc1;
  c.machine_name = "pc1";
  c.sku_id = vendor_->catalog().editions[0].id;
  c.last_seen = kStart + 86400;
  c.requests = 1;
  ASSERT_TRUE(core_->store().SaveHostBatch({c}, {}, {}).ok());
  core_->host().requests().Load(c);
  sampler.Tick(*core_);                 // day 1: one client
  sampler.Tick(*core_);                 // the same day again: nothing new
  system_.fake_clock().Advance(86400);  // day 2, not sampled yet

  auto info = Payload<m::LicenseInfo>(Call(m::DliRequest{}, false));
  ASSERT_TRUE(info.host.has_value());
  ASSERT_FALSE(info.host->counts.empty());
  const std::vector<m::DailyCount>& history = info.host->counts[0].history;
  ASSERT_EQ(history.size(), 3u);
  const std::int64_t day0 = DayOf(kStart);
  EXPECT_EQ(history[0], (m::DailyCount{day0, 0}));
  EXPECT_EQ(history[1], (m::DailyCount{day0 + 86400, 1}));
  EXPECT_EQ(history[2], (m::DailyCount{day0 + 2 * 86400, info.host->counts[0].count}));
  EXPECT_EQ(info.host->counts[0].count, 1u);
}

TEST_F(ManagementServiceTest, DlcSearchesAreChecked) {
  m::DlcRequest both;
  both.machine = "pc";
  both.cmid = "c0";
  EXPECT_EQ(Call(both, false).status().code(), ResultCode::kInvalidArgument);
  m::DlcRequest bad;
  bad.cmid = "pc1";
  m::Response r = Call(bad, false);
  EXPECT_EQ(r.status().code(), ResultCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("\"pc1\""), std::string::npos) << r.status().message();
  m::DlcRequest upper;
  upper.cmid = "C0";  // CMIDs are written in lower case; either is found
  EXPECT_TRUE(Call(upper, false).ok());
}

}  // namespace
}  // namespace activa
