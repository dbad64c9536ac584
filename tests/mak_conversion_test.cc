// KMS client -> MAK client -> KMS client, with real daemons on loopback and
// the real activa-vendor: the deployment guide's conversion by installing a
// MAK, activated by phone (/dti, activa-vendor confirm, /atp), and back with
// the setup key. The host counts the machine once, by its CMID.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/file_util.h"
#include "capi/license_check.h"
#include "capi/status_message.h"
#include "testing/daemon_process.h"
#include "testing/process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::DaemonProcess;
using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

std::string Line(const std::string& out) { return out.substr(0, out.find('\n')); }
std::uint32_t Ok(const json::object& r) { return DaemonProcess::ResultOf(r); }
std::string Text(const json::value& v) { return std::string(v.as_string()); }

class MakConversionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vdir_ = dir_ / "vendor";
    ASSERT_TRUE(Vendor::Init(vdir_, "Example").ok());
    // One machine is enough for the host to activate a client edition, so
    // a single client shows licensed through a host.
    std::string toml = *ReadFile(vdir_ + "/vendor.toml");
    std::size_t kind = toml.find("kind = \"client\"");
    ASSERT_NE(kind, std::string::npos);
    toml.insert(toml.find('\n', kind) + 1, "threshold = 1\n");
    ASSERT_TRUE(WriteFileAtomic(vdir_ + "/vendor.toml", toml, 0644, true).ok());
    Result<Vendor> v = Vendor::Open(vdir_);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vendor_.emplace(std::move(v).value());
    std::filesystem::create_directories(dir_ / "catalogs");
    ASSERT_TRUE(WriteFileAtomic(dir_ / "catalogs/example.json",
                                *vendor_->SignedCatalog(::time(nullptr)), 0644, true)
                    .ok());
    edition_ = vendor_->catalog().editions[0];

    // A host, activated offline.
    DaemonProcess::Options h;
    h.state_dir = dir_ / "host";
    h.catalog_dir = dir_ / "catalogs";
    h.machine_name = "host";
    host_ = std::make_unique<DaemonProcess>(h);
    Result<MintedKey> key =
        vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, ::time(nullptr));
    ASSERT_TRUE(key.ok());
    ASSERT_EQ(Ok(host_->Call({{"op", "ipk"}, {"key", key->text}})), 0u);
    json::object dti = host_->Call({{"op", "dti"}});
    Result<std::string> cid = vendor_->Confirm(Text(dti.at("installation_id")), ::time(nullptr));
    ASSERT_TRUE(cid.ok()) << cid.status().ToString();
    ASSERT_EQ(Ok(host_->Call({{"op", "atp"}, {"confirmation_id", *cid}})), 0u);

    DaemonProcess::Options c;
    c.state_dir = dir_ / "pc1";
    c.catalog_dir = dir_ / "catalogs";
    c.machine_name = "pc1";
    client_ = std::make_unique<DaemonProcess>(c);
    ASSERT_EQ(
        Ok(client_->Call({{"op", "skms"}, {"host", "127.0.0.1:" + std::to_string(host_->port())}})),
        0u);
  }

  json::object Product() {
    json::object dli = client_->Call({{"op", "dli"}});
    return dli.at("products").as_array().at(0).as_object();
  }
  // The host's client records.
  json::array Clients() { return host_->Call({{"op", "dlc"}}).at("clients").as_array(); }
  ProcessResult VendorCli(std::vector<std::string> args) {
    args.insert(args.begin(), ACTIVA_VENDOR_BIN);
    return RunProcess(args);
  }
  ProcessResult Slmgr(std::vector<std::string> args) {
    args.insert(args.begin(), {SLMGR_BIN, "--socket", client_->socket_path()});
    return RunProcess(args);
  }

  TempDir dir_;
  std::string vdir_;
  std::optional<Vendor> vendor_;
  Edition edition_;
  std::unique_ptr<DaemonProcess> host_, client_;
};

TEST_F(MakConversionTest, KmsClientToMakAndBackCountsOnce) {
  // A KMS client, activated by the host.
  ASSERT_EQ(Ok(client_->Call({{"op", "ipk"}, {"key", edition_.setup_key}})), 0u);
  ASSERT_EQ(Ok(client_->Call({{"op", "ato"}})), 0u);
  EXPECT_EQ(Product().at("license_status").to_number<int>(), 1);
  const std::string cmid = Text(client_->Call({{"op", "dli"}}).at("machine").at("cmid"));
  ASSERT_EQ(Clients().size(), 1u);
  EXPECT_EQ(Text(Clients()[0].at("cmid")), cmid);

  // The conversion: install a MAK. The product keeps its timers (still
  // licensed from the host's activation) and asks the vendor, not a host.
  Result<MintedKey> mak = vendor_->MintMak(edition_.name, 5, ::time(nullptr));
  ASSERT_TRUE(mak.ok());
  json::object ipk = client_->Call({{"op", "ipk"}, {"key", mak->text}});
  ASSERT_EQ(Ok(ipk), 0u) << json::serialize(ipk);
  EXPECT_EQ(Text(ipk.at("kind")), "mak");
  json::object p = Product();
  EXPECT_EQ(Text(p.at("key_kind")), "mak");
  EXPECT_EQ(p.at("license_status").to_number<int>(), 1);
  EXPECT_TRUE(p.at("mak_activated").is_null());
  EXPECT_EQ(p.at("next_attempt").to_number<std::int64_t>(), 0);

  // By phone: /dti, activa-vendor confirm, /atp.
  json::object dti = client_->Call({{"op", "dti"}});
  ASSERT_EQ(Ok(dti), 0u) << json::serialize(dti);
  const std::string iid = Text(dti.at("installation_id"));
  ProcessResult confirm = VendorCli({"confirm", vdir_, iid});
  ASSERT_EQ(confirm.exit_code, 0) << confirm.err;
  json::object atp = client_->Call({{"op", "atp"}, {"confirmation_id", Line(confirm.out)}});
  ASSERT_EQ(Ok(atp), 0u) << json::serialize(atp);
  // From here on the client asks the host nothing (a KMS attempt begun
  // before the MAK was installed has long landed: /dti and /atp went
  // through the same event loop).
  const auto requests_as_kms = Clients()[0].at("requests").to_number<std::int64_t>();
  p = Product();
  EXPECT_EQ(p.at("license_status").to_number<int>(), 1);
  EXPECT_FALSE(p.at("mak_activated").is_null());
  EXPECT_EQ(p.at("validity_end").to_number<std::int64_t>(), 0);
  ProcessResult dli = Slmgr({"/dli"});
  ASSERT_EQ(dli.exit_code, 0) << dli.err;
  EXPECT_NE(dli.out.find("VOLUME_MAK channel"), std::string::npos) << dli.out;
  EXPECT_NE(dli.out.find("does not expire"), std::string::npos) << dli.out;
  ProcessResult xpr = Slmgr({"/xpr"});
  EXPECT_NE(xpr.out.find("permanently activated"), std::string::npos) << xpr.out;

  // The product's own check (libactiva) believes the proof activad hands it.
  json::object status = client_->Call({{"op", "status"},
                                       {"application_id", FormatUuid(edition_.application_id)},
                                       {"sku_id", FormatUuid(edition_.id)}});
  Result<capi::LicenseStatus> parsed = capi::ParseStatusReply(json::serialize(status));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  capi::JudgeStatus(*parsed, vendor_->catalog().vendor_keys.front(), edition_.application_id,
                    edition_.id, ::time(nullptr));
  EXPECT_EQ(parsed->verification, ResultCode::kOk) << parsed->verification_text;
  EXPECT_EQ(parsed->state, 1);

  // The same machine confirming again (a reinstall) uses no second
  // activation, and the MAK's count says one machine.
  ASSERT_EQ(VendorCli({"confirm", vdir_, iid}).exit_code, 0);
  ProcessResult keys = VendorCli({"keys", vdir_});
  EXPECT_NE(keys.out.find("1/5 machines"), std::string::npos) << keys.out;

  // While a MAK client, it asked the host nothing.
  ASSERT_EQ(Clients().size(), 1u);
  EXPECT_EQ(Clients()[0].at("requests").to_number<std::int64_t>(), requests_as_kms);

  // Back to a KMS client with the setup key: it activates through the host
  // again, as the same machine.
  ipk = client_->Call({{"op", "ipk"}, {"key", edition_.setup_key}});
  ASSERT_EQ(Ok(ipk), 0u) << json::serialize(ipk);
  p = Product();
  EXPECT_EQ(Text(p.at("key_kind")), "setup");
  EXPECT_TRUE(p.at("mak_activated").is_null());
  ASSERT_EQ(Ok(client_->Call({{"op", "ato"}})), 0u);
  EXPECT_EQ(Product().at("license_status").to_number<int>(), 1);
  json::array clients = Clients();
  ASSERT_EQ(clients.size(), 1u);  // counted once
  EXPECT_EQ(Text(clients[0].at("cmid")), cmid);
  // The /ato (and perhaps the attempt the setup key made due at once).
  EXPECT_GE(clients[0].at("requests").to_number<std::int64_t>(), requests_as_kms + 1);
  json::object host = host_->Call({{"op", "dli"}}).at("host").as_object();
  EXPECT_EQ(host.at("counts").as_array().at(0).at("count").to_number<int>(), 1);
  EXPECT_NE(Slmgr({"/dli"}).out.find("VOLUME_CLIENT channel"), std::string::npos);
}

// A confirmation ID for another machine is refused, and the product stays
// as it was.
TEST_F(MakConversionTest, AnotherMachinesConfirmationIsRefused) {
  Result<MintedKey> mak = vendor_->MintMak(edition_.name, 5, ::time(nullptr));
  ASSERT_TRUE(mak.ok());
  ASSERT_EQ(Ok(client_->Call({{"op", "ipk"}, {"key", mak->text}})), 0u);
  DaemonProcess::Options o;
  o.state_dir = dir_ / "pc2";
  o.catalog_dir = dir_ / "catalogs";
  o.machine_name = "pc2";
  DaemonProcess other(o);
  ASSERT_EQ(Ok(other.Call({{"op", "ipk"}, {"key", mak->text}})), 0u);
  json::object dti = other.Call({{"op", "dti"}});
  ProcessResult confirm = VendorCli({"confirm", vdir_, Text(dti.at("installation_id"))});
  ASSERT_EQ(confirm.exit_code, 0) << confirm.err;
  json::object atp = client_->Call({{"op", "atp"}, {"confirmation_id", Line(confirm.out)}});
  EXPECT_EQ(Ok(atp), static_cast<std::uint32_t>(ResultCode::kBadSignature)) << json::serialize(atp);
  EXPECT_TRUE(Product().at("mak_activated").is_null());
  // The machine it was issued for takes it.
  EXPECT_EQ(Ok(other.Call({{"op", "atp"}, {"confirmation_id", Line(confirm.out)}})), 0u);
}

}  // namespace
}  // namespace activa
