// The example product (examples/product/) against a real host and client:
// what a vendor's program prints when it asks activad for its license. The
// vendor key comes from `activa-vendor c-key`, as a vendor's build takes it.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "activa/activa.h"
#include "base/file_util.h"
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

// The 32 bytes of the kVendorKey array in a header `activa-vendor c-key`
// wrote, as the 64 hex digits example_product_test_bin takes.
std::string KeyHexFromHeader(const std::string& header) {
  const std::size_t open = header.find("kVendorKey[32] = {");
  if (open == std::string::npos) return "";
  const std::size_t close = header.find("};", open);
  const std::string body = header.substr(open, close - open);
  std::string hex;
  const std::regex byte("0x([0-9a-f]{2})");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), byte); it != std::sregex_iterator();
       ++it) {
    hex += (*it)[1].str();
  }
  return hex;
}

std::string HexOf(const PublicKey& key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (std::uint8_t b : key) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0xf];
  }
  return hex;
}

// The number on the product's "days left: N" line, or -1.
int DaysLeft(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("(^|\n)days left: (-?[0-9]+)\n"))) return -1;
  return std::stoi(m[2].str());
}

class ExampleProductTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::kDaemonHasTestControls) {
      GTEST_SKIP() << "the example finds the test's activad through $ACTIVA_SOCKET, which "
                      "libactiva honours only in builds with test controls";
    }
    // As in capi_daemon_test: the client edition activates from the first
    // machine, so one host and one client make a deployment.
    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    std::ifstream in(dir_ / "vendor/vendor.toml");
    std::stringstream toml;
    toml << in.rdbuf();
    std::string text = toml.str();
    std::size_t kind = text.find("kind = \"client\"");
    ASSERT_NE(kind, std::string::npos);
    text.insert(text.find('\n', kind) + 1, "threshold = 1\n");
    ASSERT_TRUE(WriteFileAtomic(dir_ / "vendor/vendor.toml", text, 0644, true).ok());
    Result<Vendor> v = Vendor::Open(dir_ / "vendor");
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vendor_.emplace(std::move(v).value());
    std::filesystem::create_directories(dir_ / "catalogs");
    ASSERT_TRUE(WriteFileAtomic(dir_ / "catalogs/example.json",
                                *vendor_->SignedCatalog(::time(nullptr)), 0644, true)
                    .ok());
    app_ = FormatUuid(edition().application_id);
    sku_ = FormatUuid(edition().id);
  }

  const Edition& edition() const { return vendor_->catalog().editions[0]; }

  std::unique_ptr<DaemonProcess> Daemon(const std::string& name) {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = dir_ / "catalogs";
    o.machine_name = name;
    return std::make_unique<DaemonProcess>(o);
  }

  // The vendor's key through `activa-vendor c-key`, as 64 hex digits.
  std::string CKeyHex(const std::string& vendor_dir) {
    const std::string header = dir_ / "vendor_key.h";
    ProcessResult r = RunProcess({ACTIVA_VENDOR_BIN, "c-key", vendor_dir, "-o", header});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(header);
    std::stringstream text;
    text << in.rdbuf();
    return KeyHexFromHeader(text.str());
  }

  ProcessResult RunProduct(const std::string& key_hex, const DaemonProcess& machine) {
    return RunProcess({EXAMPLE_PRODUCT_BIN, key_hex, app_, sku_},
                      {"ACTIVA_SOCKET=" + machine.socket_path()});
  }

  testing::TempDir dir_;
  std::optional<Vendor> vendor_;
  std::string app_, sku_;
};

TEST_F(ExampleProductTest, CKeyWritesTheVendorsPublicKey) {
  EXPECT_EQ(CKeyHex(dir_ / "vendor"), HexOf(vendor_->catalog().vendor_keys[0]));
}

TEST_F(ExampleProductTest, ReadsAVerifiedLicenseAndRefusesAnotherVendorsKey) {
  const std::string key = CKeyHex(dir_ / "vendor");
  ASSERT_EQ(key.size(), 64u);

  auto host = Daemon("host");
  Result<MintedKey> host_key =
      vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, ::time(nullptr));
  ASSERT_TRUE(host_key.ok()) << host_key.status().ToString();
  ASSERT_EQ(DaemonProcess::ResultOf(host->Call({{"op", "ipk"}, {"key", host_key->text}})), 0u);
  json::object dti = host->Call({{"op", "dti"}});
  Result<std::string> cid =
      vendor_->Confirm(std::string(dti.at("installation_id").as_string()), ::time(nullptr));
  ASSERT_TRUE(cid.ok()) << cid.status().ToString();
  ASSERT_EQ(DaemonProcess::ResultOf(host->Call({{"op", "atp"}, {"confirmation_id", *cid}})), 0u);

  auto pc = Daemon("pc");
  ASSERT_EQ(DaemonProcess::ResultOf(pc->Call({{"op", "ipk"}, {"key", edition().setup_key}})), 0u);

  // Installed, not yet activated: grace, which no proof signs.
  ProcessResult r = RunProduct(key, *pc);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\nstate: grace\n"), std::string::npos) << r.out;

  ASSERT_EQ(DaemonProcess::ResultOf(
                pc->Call({{"op", "skms"}, {"host", "127.0.0.1:" + std::to_string(host->port())}})),
            0u);
  ASSERT_EQ(DaemonProcess::ResultOf(pc->Call({{"op", "ato"}})), 0u);

  r = RunProduct(key, *pc);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("product: " + edition().name + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nstate: licensed\n"), std::string::npos) << r.out;
  // 180 days from the host's signed time, less the seconds since.
  EXPECT_GE(DaysLeft(r.out), 179) << r.out;
  EXPECT_LE(DaysLeft(r.out), 180) << r.out;
  EXPECT_NE(r.out.find("\nwhy: 0x00000000: "), std::string::npos) << r.out;

  // A product of another vendor believes none of it, and says why.
  ASSERT_TRUE(Vendor::Init(dir_ / "other", "Other").ok());
  r = RunProduct(CKeyHex(dir_ / "other"), *pc);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("\nstate: not licensed\n"), std::string::npos) << r.out;
  EXPECT_EQ(DaysLeft(r.out), 0) << r.out;
  char bad_signature[16];
  std::snprintf(bad_signature, sizeof bad_signature, "0x%08X", ACTIVA_E_BAD_SIGNATURE);
  EXPECT_NE(r.out.find(std::string("\nwhy: ") + bad_signature + ": "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace activa

namespace activa {
namespace {

// With no daemon, the example says where it looked, not "The file was not
// found.".
TEST_F(ExampleProductTest, SaysActivadIsNotRunningAtItsSocket) {
  const std::string key = CKeyHex(dir_ / "vendor");
  const std::string socket = dir_ / "nothing-here.sock";
  ProcessResult r = RunProcess({EXAMPLE_PRODUCT_BIN, key, app_, sku_}, {"ACTIVA_SOCKET=" + socket});
  EXPECT_NE(
      r.out.find("why: cannot reach activad (0x80070002): activad is not running at " + socket),
      std::string::npos)
      << r.out << r.err;
  EXPECT_EQ(r.out.find("The file was not found"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace activa
