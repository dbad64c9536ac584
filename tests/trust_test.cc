// Attacks on the trust a machine puts in catalogs, played with real
// daemons on loopback: another vendor that copies this vendor's editions,
// with a host of its own that its vendor really activated.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/file_util.h"
#include "catalog/trust_store.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::DaemonProcess;
using testing::TempDir;

// A whole file, or "" when it cannot be read.
std::string Slurp(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  return text.ok() ? *text : std::string();
}

class TrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Vendor::Init(dir_ / "victim", "Example").ok());
    ASSERT_TRUE(Vendor::Init(dir_ / "attacker", "Copycat").ok());
    // The attacker copies the victim's applications, editions and groups
    // (their IDs), keeps its own vendor identity and key, and asks for one
    // machine instead of 25.
    std::string theirs = Slurp(dir_ / "victim/vendor.toml");
    std::string mine = Slurp(dir_ / "attacker/vendor.toml");
    std::size_t vendor_end = mine.find("[[application]]");
    std::size_t copy_from = theirs.find("[[application]]");
    ASSERT_NE(vendor_end, std::string::npos);
    std::string forged = mine.substr(0, vendor_end) + theirs.substr(copy_from);
    std::size_t kind = forged.find("kind = \"client\"");
    ASSERT_NE(kind, std::string::npos);
    forged.insert(forged.find('\n', kind) + 1, "threshold = 1\n");
    ASSERT_TRUE(WriteFileAtomic(dir_ / "attacker/vendor.toml", forged, 0644, true).ok());
    victim_.emplace(std::move(Vendor::Open(dir_ / "victim")).value());
    Result<Vendor> a = Vendor::Open(dir_ / "attacker");
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    attacker_.emplace(std::move(a).value());
    ASSERT_EQ(attacker_->catalog().editions[0].id, victim_->catalog().editions[0].id);

    // The attacker's host, activated by the attacker's vendor.
    std::filesystem::create_directories(dir_ / "attacker-catalogs");
    Write(*attacker_, dir_ / "attacker-catalogs/0-copycat.json");
    DaemonProcess::Options o;
    o.state_dir = dir_ / "evil-host";
    o.catalog_dir = dir_ / "attacker-catalogs";
    o.machine_name = "evil-host";
    host_ = std::make_unique<DaemonProcess>(o);
    Result<MintedKey> key =
        attacker_->MintHostKey(attacker_->catalog().groups[0].name, 6, 10, ::time(nullptr));
    ASSERT_EQ(Ok(host_->Call({{"op", "ipk"}, {"key", key->text}})), 0u);
    json::object dti = host_->Call({{"op", "dti"}});
    Result<std::string> cid =
        attacker_->Confirm(std::string(dti.at("installation_id").as_string()), ::time(nullptr));
    ASSERT_TRUE(cid.ok());
    ASSERT_EQ(Ok(host_->Call({{"op", "atp"}, {"confirmation_id", *cid}})), 0u);

    // The victim's customers' machines hold both catalogs, the copycat's
    // first by name (before, the first catalog to list an edition won).
    std::filesystem::create_directories(dir_ / "catalogs");
    Write(*attacker_, dir_ / "catalogs/0-copycat.json");
    Write(*victim_, dir_ / "catalogs/example.json");
  }

  void Write(Vendor& v, const std::string& path) {
    ASSERT_TRUE(WriteFileAtomic(path, *v.SignedCatalog(::time(nullptr)), 0644, true).ok());
  }
  // A trust folder pinning `vendors`.
  std::string TrustFolder(const std::string& name, std::vector<Vendor*> vendors) {
    std::string folder = dir_ / name;
    std::filesystem::create_directories(folder);
    for (Vendor* v : vendors) {
      EXPECT_TRUE(WriteFileAtomic(
                      folder + "/" + v->catalog().vendor_name + ".trust",
                      FormatTrustFile(v->catalog().vendor_keys.front(), v->catalog().vendor_name),
                      0644, true)
                      .ok());
    }
    return folder;
  }
  std::unique_ptr<DaemonProcess> Client(const std::string& name, const std::string& trust) {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = dir_ / "catalogs";
    o.trust_dir = trust;
    o.machine_name = name;
    return std::make_unique<DaemonProcess>(o);
  }
  static std::uint32_t Ok(const json::object& r) { return DaemonProcess::ResultOf(r); }

  TempDir dir_;
  std::optional<Vendor> victim_, attacker_;
  std::unique_ptr<DaemonProcess> host_;
};

TEST_F(TrustTest, ACopycatVendorsHostLicensesNoClientOfThisVendor) {
  auto c = Client("pc1", TrustFolder("trust-victim", {&*victim_}));
  ASSERT_EQ(Ok(c->Call({{"op", "ipk"}, {"key", victim_->catalog().editions[0].setup_key}})), 0u);
  ASSERT_EQ(Ok(c->Call({{"op", "skms"}, {"host", "127.0.0.1:" + std::to_string(host_->port())}})),
            0u);
  json::object ato = c->Call({{"op", "ato"}});
  // The host's certificate is the copycat's, which this machine's catalog
  // of the edition does not accept.
  EXPECT_EQ(Ok(ato), 0xC0AC0001u) << json::serialize(ato);
  json::object p = c->Call({{"op", "dli"}}).at("products").as_array().at(0).as_object();
  EXPECT_EQ(p.at("license_status").to_number<int>(), 2);   // still in grace
  EXPECT_EQ(p.at("required_count").to_number<int>(), 25);  // the victim's threshold
}

TEST_F(TrustTest, TwoTrustedVendorsClaimingOneEditionAreTrustedInNeither) {
  auto c = Client("pc2", TrustFolder("trust-both", {&*victim_, &*attacker_}));
  json::object ipk = c->Call({{"op", "ipk"}, {"key", victim_->catalog().editions[0].setup_key}});
  EXPECT_EQ(Ok(ipk), 0xC004F050u) << json::serialize(ipk);
  std::string log = Slurp(c->state_dir() + "/activad.log");
  EXPECT_NE(log.find("0-copycat.json"), std::string::npos) << log;
  EXPECT_NE(log.find("example.json"), std::string::npos) << log;
}

TEST_F(TrustTest, AMachineThatTrustsNobodyLoadsNoCatalog) {
  auto c = Client("pc3", TrustFolder("trust-none", {}));
  EXPECT_EQ(Ok(c->Call({{"op", "ipk"}, {"key", victim_->catalog().editions[0].setup_key}})),
            0xC004F050u);
}

}  // namespace
}  // namespace activa
