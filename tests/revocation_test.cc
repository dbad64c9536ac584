// Revocation and certificate expiry played against real activad hosts and
// clients on loopback (docs/revocation.md): the vendor withdraws a host, the
// list reaches the host or its clients, and an old list cannot undo a newer
// one; a host certificate ends on its not-after date.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/file_util.h"
#include "crypto/signing.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::DaemonProcess;
using testing::TempDir;

constexpr std::int64_t kDay = 86400;
constexpr std::uint32_t kRevoked = 0xC0AC0004u;
constexpr std::uint32_t kExpired = 0xC0AC000Au;
constexpr std::uint32_t kInvalidArgument = 0x80070057u;

class RevocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    Result<Vendor> v = Vendor::Open(dir_ / "vendor");
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vendor_.emplace(std::move(v).value());
    catalogs_ = Catalogs("catalogs");
  }

  // A new catalog folder holding the vendor's signed catalog.
  std::string Catalogs(const std::string& name) {
    std::string folder = dir_ / name;
    std::filesystem::create_directories(folder);
    EXPECT_TRUE(WriteFileAtomic(folder + "/catalog-example.json",
                                *vendor_->SignedCatalog(::time(nullptr)), 0644, true)
                    .ok());
    return folder;
  }

  std::unique_ptr<DaemonProcess> Daemon(const std::string& name, const std::string& catalogs) {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = catalogs;
    o.machine_name = name;
    return std::make_unique<DaemonProcess>(o);
  }

  // A host with a new key of the template's group, activated offline
  // through the vendor. Keeps the key and the installation ID.
  std::unique_ptr<DaemonProcess> ActivatedHost(int certificate_days = kDefaultCertificateDays,
                                               const std::string& catalogs = "") {
    auto host = Daemon("host", catalogs.empty() ? catalogs_ : catalogs);
    Result<MintedKey> key = vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10,
                                                 ::time(nullptr), certificate_days);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    host_key_ = key->text;
    EXPECT_EQ(Ok(host->Call({{"op", "ipk"}, {"key", host_key_}})), 0u);
    json::object dti = host->Call({{"op", "dti"}});
    if (!dti.contains("installation_id")) {
      throw std::runtime_error("dti failed: " + json::serialize(dti));
    }
    installation_id_ = std::string(dti.at("installation_id").as_string());
    confirmed_at_ = ::time(nullptr);
    Result<std::string> cid = vendor_->Confirm(installation_id_, confirmed_at_);
    EXPECT_TRUE(cid.ok()) << cid.status().ToString();
    json::object atp = host->Call({{"op", "atp"}, {"confirmation_id", *cid}});
    EXPECT_EQ(Ok(atp), 0u) << json::serialize(atp);
    return host;
  }

  // A client of the server edition (threshold 5) pointed at `host`.
  std::unique_ptr<DaemonProcess> Client(const std::string& name, DaemonProcess& host,
                                        const std::string& catalogs = "") {
    auto c = Daemon(name, catalogs.empty() ? catalogs_ : catalogs);
    EXPECT_EQ(Ok(c->Call({{"op", "ipk"}, {"key", Server().setup_key}})), 0u);
    EXPECT_EQ(Ok(c->Call({{"op", "skms"}, {"host", "127.0.0.1:" + std::to_string(host.port())}})),
              0u);
    return c;
  }

  const Edition& Server() const { return vendor_->catalog().editions[1]; }

  // A request of the server edition from a new machine.
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

  // Four other machines, so the next server client makes the count of 5.
  void FillCount(DaemonProcess& host) {
    for (int i = 0; i < Server().threshold - 1; ++i) {
      Result<Message> m = testing::SendActivation(host.port(), NewMachine());
      ASSERT_TRUE(m.ok()) << m.status().ToString();
    }
  }

  std::string RevocationList() {
    Result<std::string> list = vendor_->SignedRevocations(::time(nullptr));
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? *list : "";
  }

  static std::uint32_t Ok(const json::object& r) { return DaemonProcess::ResultOf(r); }
  static std::uint32_t Ato(DaemonProcess& d) { return Ok(d.Call({{"op", "ato"}})); }
  static json::object Product(DaemonProcess& d) {
    return d.Call({{"op", "dli"}}).at("products").as_array().at(0).as_object();
  }
  static json::object HostInfo(DaemonProcess& d) {
    return d.Call({{"op", "dli"}}).at("host").as_object();
  }
  static void Advance(DaemonProcess& d, std::int64_t seconds) {
    ASSERT_EQ(Ok(d.Call({{"op", "test_advance_clock"}, {"seconds", seconds}})), 0u);
  }
  static ResultCode ResultOf(const Message& m) {
    if (const auto* r = std::get_if<ActivationResponse>(&m)) return r->result;
    return std::get<ErrorMessage>(m).result;
  }

  TempDir dir_;
  std::optional<Vendor> vendor_;
  std::string catalogs_;
  std::string host_key_;
  std::string installation_id_;
  std::int64_t confirmed_at_ = 0;
};

// (a) The vendor revokes the host key; once the host imports the list it
// answers every request with the unsigned error 0xC0AC0004 and licenses
// nobody new.
TEST_F(RevocationTest, HostThatImportsTheListStopsAnswering) {
  auto host = ActivatedHost();
  FillCount(*host);
  auto client = Client("srv1", *host);
  ASSERT_EQ(Ato(*client), 0u);
  ASSERT_EQ(Product(*client).at("license_status").as_int64(), 1);

  ASSERT_TRUE(vendor_->Revoke(host_key_).ok());
  // The vendor confirms nothing more for the key.
  EXPECT_FALSE(vendor_->Confirm(installation_id_, ::time(nullptr)).ok());
  json::object ilc = host->Call({{"op", "ilc"}, {"revocation_list", RevocationList()}});
  ASSERT_EQ(Ok(ilc), 0u) << json::serialize(ilc);
  EXPECT_EQ(ilc.at("serial").to_number<int>(), 1);
  EXPECT_TRUE(ilc.at("replaced").as_bool());

  // The client it licensed hears the revoked code.
  EXPECT_EQ(Ato(*client), kRevoked);
  // A new machine gets an unsigned error, not a signed response.
  Result<Message> m = testing::SendActivation(host->port(), NewMachine());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(std::holds_alternative<ErrorMessage>(*m));
  EXPECT_EQ(static_cast<std::uint32_t>(ResultOf(*m)), kRevoked);
  // A new client stays in its grace.
  auto newcomer = Client("srv2", *host);
  EXPECT_EQ(Ato(*newcomer), kRevoked);
  json::object p = Product(*newcomer);
  EXPECT_EQ(p.at("license_status").as_int64(), 2);
  EXPECT_EQ(p.at("validity_end").as_int64(), 0);

  // The imported list is verified again at start and still applies.
  host->Stop();
  host->Start();
  m = testing::SendActivation(host->port(), NewMachine());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(static_cast<std::uint32_t>(ResultOf(*m)), kRevoked);
}

// (b) The host does not have the list (or ignores it); a client whose
// catalog folder ships it refuses the host's signed responses.
TEST_F(RevocationTest, ClientWithTheListInItsCatalogFolderRefusesTheHost) {
  auto host = ActivatedHost();
  FillCount(*host);
  ASSERT_TRUE(vendor_->RevokeHost(installation_id_, ::time(nullptr)).ok());
  EXPECT_FALSE(vendor_->Confirm(installation_id_, ::time(nullptr)).ok());
  std::string client_catalogs = Catalogs("client-catalogs");
  ASSERT_TRUE(
      WriteFileAtomic(client_catalogs + "/example.revocations", RevocationList(), 0644, true).ok());

  // The host still answers with signed responses: it has no list.
  Result<Message> m = testing::SendActivation(host->port(), NewMachine());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(std::holds_alternative<ActivationResponse>(*m));

  auto client = Client("srv1", *host, client_catalogs);
  EXPECT_EQ(Ato(*client), kRevoked);
  json::object p = Product(*client);
  EXPECT_EQ(p.at("license_status").as_int64(), 2);
  EXPECT_EQ(p.at("validity_end").as_int64(), 0);
  // A client without the list is still served by the same host.
  auto unaware = Client("srv2", *host);
  EXPECT_EQ(Ato(*unaware), 0u);
}

// (b) The same list imported with `ilc` on a client that the host licensed.
TEST_F(RevocationTest, ClientThatImportsTheListRefusesTheHost) {
  auto host = ActivatedHost();
  FillCount(*host);
  auto client = Client("srv1", *host);
  ASSERT_EQ(Ato(*client), 0u);
  const std::int64_t validity = Product(*client).at("validity_end").as_int64();

  ASSERT_TRUE(vendor_->Revoke(host_key_).ok());
  json::object ilc = client->Call({{"op", "ilc"}, {"revocation_list", RevocationList()}});
  ASSERT_EQ(Ok(ilc), 0u) << json::serialize(ilc);
  EXPECT_EQ(Ato(*client), kRevoked);
  // The refused response changed nothing.
  EXPECT_EQ(Product(*client).at("validity_end").as_int64(), validity);
}

// (c) An older list is refused and the newer one stays in force, through a
// restart too.
TEST_F(RevocationTest, ListWithALowerSerialDoesNotReplaceAHigherOne) {
  auto host = ActivatedHost();
  const std::string first = RevocationList();  // serial 1: nothing revoked
  ASSERT_TRUE(vendor_->Revoke(host_key_).ok());
  const std::string second = RevocationList();  // serial 2: the host key

  json::object ilc = host->Call({{"op", "ilc"}, {"revocation_list", second}});
  ASSERT_EQ(Ok(ilc), 0u) << json::serialize(ilc);
  EXPECT_EQ(ilc.at("serial").to_number<int>(), 2);
  EXPECT_TRUE(ilc.at("replaced").as_bool());

  json::object older = host->Call({{"op", "ilc"}, {"revocation_list", first}});
  EXPECT_EQ(Ok(older), kInvalidArgument) << json::serialize(older);
  // The same serial again changes nothing.
  json::object same = host->Call({{"op", "ilc"}, {"revocation_list", second}});
  EXPECT_EQ(Ok(same), 0u) << json::serialize(same);
  EXPECT_FALSE(same.at("replaced").as_bool());

  Result<Message> m = testing::SendActivation(host->port(), NewMachine());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(static_cast<std::uint32_t>(ResultOf(*m)), kRevoked);
  host->Stop();
  host->Start();
  m = testing::SendActivation(host->port(), NewMachine());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(static_cast<std::uint32_t>(ResultOf(*m)), kRevoked);
}

// (c) An older list in the catalog folder does not undo a newer imported one.
TEST_F(RevocationTest, OlderListInTheCatalogFolderIsIgnored) {
  std::string host_catalogs = Catalogs("host-catalogs");
  auto host = ActivatedHost(kDefaultCertificateDays, host_catalogs);
  const std::string first = RevocationList();
  ASSERT_TRUE(vendor_->Revoke(host_key_).ok());
  ASSERT_EQ(Ok(host->Call({{"op", "ilc"}, {"revocation_list", RevocationList()}})), 0u);
  ASSERT_TRUE(WriteFileAtomic(host_catalogs + "/example.revocations", first, 0644, true).ok());
  host->Stop();
  host->Start();
  Result<Message> m = testing::SendActivation(host->port(), NewMachine());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(static_cast<std::uint32_t>(ResultOf(*m)), kRevoked);
}

// A host certificate of one day activates clients today; two days on, by
// the client's clock, the client refuses the host's response.
TEST_F(RevocationTest, ClientRefusesAResponseUnderAnExpiredCertificate) {
  ACTIVA_REQUIRE_TEST_CONTROLS();
  auto host = ActivatedHost(/*certificate_days=*/1);
  // Dated on the UTC day of issue, the last second before the next day.
  const std::int64_t not_after = (confirmed_at_ / kDay + 1) * kDay - 1;
  json::object h = HostInfo(*host);
  ASSERT_FALSE(h.at("certificate_expires").is_null()) << json::serialize(h);
  EXPECT_EQ(h.at("certificate_expires").to_number<std::int64_t>(), not_after);

  FillCount(*host);
  auto client = Client("srv1", *host);
  ASSERT_EQ(Ato(*client), 0u);
  const std::int64_t validity = Product(*client).at("validity_end").as_int64();

  // Both clocks move, so the host's time stays within 4 hours of the client's.
  Advance(*host, 2 * kDay);
  Advance(*client, 2 * kDay);
  EXPECT_EQ(Ato(*client), kExpired);
  EXPECT_EQ(Product(*client).at("validity_end").as_int64(), validity);
  EXPECT_EQ(HostInfo(*host).at("certificate_expires").to_number<std::int64_t>(), not_after);
}

}  // namespace
}  // namespace activa
