// The web console in a real browser: Debian's chromium, headless, driven
// over WebDriver (chromium-driver) by tests/console_browser/drive.py,
// against a real activad whose management listener (TLS, loopback) serves
// the console, with real PAM logins of two users this test creates.
//
// Skips only when chromium or chromium-driver is missing and CI is not set;
// under CI=true a missing browser fails. With ACTIVA_SCREENSHOTS=DIR set it
// also saves the console's screenshots there (docs/images/ holds them).
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/file_util.h"
#include "crypto/signing.h"
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

constexpr const char* kAdminPassword = "Console-Admin-Pw-1";
constexpr const char* kStandardPassword = "Console-User-Pw-2";

bool Exists(const char* path) { return ::access(path, X_OK) == 0; }

// Creates a user with a known password, and removes only what it created.
class TestUser {
 public:
  TestUser(const std::string& name, const std::string& password, bool admin) : name_(name) {
    if (::getpwnam(name.c_str()) != nullptr) throw std::runtime_error(name + " exists already");
    ProcessResult r =
        RunProcess({"/usr/sbin/useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name});
    if (r.exit_code != 0) throw std::runtime_error("useradd " + name + ": " + r.err);
    created_ = true;
    r = RunProcess({"/bin/sh", "-c", "printf '%s:%s\\n' \"$0\" \"$1\" | chpasswd", name, password});
    if (r.exit_code != 0) throw std::runtime_error("chpasswd " + name + ": " + r.err);
    if (admin) {
      r = RunProcess({"/usr/sbin/usermod", "-aG", "activa-admin", name});
      if (r.exit_code != 0) throw std::runtime_error("usermod " + name + ": " + r.err);
    }
  }
  ~TestUser() {
    if (created_) (void)RunProcess({"/usr/sbin/userdel", name_});
  }

 private:
  std::string name_;
  bool created_ = false;
};

class ConsoleBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Exists("/usr/bin/chromium") || !Exists("/usr/bin/chromedriver")) {
      const char* ci = std::getenv("CI");
      if (ci != nullptr && std::string(ci) == "true") {
        FAIL() << "CI=true and chromium or chromium-driver is missing (scripts/install-deps)";
      }
      GTEST_SKIP() << "chromium and chromium-driver are not installed "
                      "(scripts/install-deps installs them); under CI=true this fails";
    }
    if (::geteuid() != 0) GTEST_SKIP() << "creating the test's users needs root";
    if (::getgrnam("activa-admin") == nullptr) {
      ASSERT_EQ(RunProcess({"/usr/sbin/groupadd", "--system", "activa-admin"}).exit_code, 0);
      created_group_ = true;
    }
    if (!std::filesystem::exists("/etc/pam.d/activa")) {
      std::filesystem::copy_file(std::string(ACTIVA_SOURCE_DIR) + "/packaging/pam.d/activa",
                                 "/etc/pam.d/activa");
      created_pam_ = true;
    }
    // Names of our own (the pid), so no existing user is touched.
    admin_name_ = "actc-a" + std::to_string(::getpid());
    standard_name_ = "actc-s" + std::to_string(::getpid());
    admin_.emplace(admin_name_, kAdminPassword, true);
    standard_.emplace(standard_name_, kStandardPassword, false);
  }
  void TearDown() override {
    admin_.reset();
    standard_.reset();
    if (created_pam_) std::filesystem::remove("/etc/pam.d/activa");
    if (created_group_) (void)RunProcess({"/usr/sbin/groupdel", "activa-admin"});
  }

  bool created_group_ = false;
  bool created_pam_ = false;
  std::string admin_name_, standard_name_;
  std::optional<TestUser> admin_, standard_;
  testing::TempDir dir_;
};

TEST_F(ConsoleBrowserTest, AdministratorChangesTheIntervalAndAStandardUserIsRefused) {
  ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
  Vendor vendor = std::move(Vendor::Open(dir_ / "vendor")).value();
  std::filesystem::create_directories(dir_ / "catalogs");
  ASSERT_TRUE(
      WriteFileAtomic(dir_ / "catalogs/example.json", *vendor.SignedCatalog(0), 0644, true).ok());
  const std::uint16_t management_port = testing::FreePort();
  DaemonProcess::Options o;
  o.state_dir = dir_ / "host";
  o.catalog_dir = dir_ / "catalogs";
  o.machine_name = "console-host";
  o.extra_config =
      "[management]\nlisten = [\"127.0.0.1:" + std::to_string(management_port) + "\"]\n";
  DaemonProcess host(o);
  Result<MintedKey> key = vendor.MintHostKey(vendor.catalog().groups[0].name, 6, 10, 0);
  ASSERT_TRUE(key.ok());
  ASSERT_EQ(DaemonProcess::ResultOf(host.Call({{"op", "ipk"}, {"key", key->text}})), 0u);
  json::object dti = host.Call({{"op", "dti"}});
  Result<std::string> cid =
      vendor.Confirm(std::string(dti.at("installation_id").as_string()), ::time(nullptr));
  ASSERT_TRUE(cid.ok());
  ASSERT_EQ(DaemonProcess::ResultOf(host.Call({{"op", "atp"}, {"confirmation_id", *cid}})), 0u);

  // Three machines counted.
  const Edition& e = vendor.catalog().editions[0];
  for (int i = 0; i < 3; ++i) {
    ActivationRequest r;
    RandomBytes(r.cmid);
    RandomBytes(r.nonce);
    r.application_id = e.application_id;
    r.sku_id = e.id;
    r.machine_name = "pc" + std::to_string(i + 1);
    r.license_state = LicenseState::kInitialGrace;
    r.required_count = static_cast<std::uint16_t>(e.threshold);
    r.client_time = ::time(nullptr);
    ASSERT_TRUE(testing::SendActivation(host.port(), r).ok());
  }

  std::vector<std::string> args = {
      "/usr/bin/python3",
      std::string(ACTIVA_SOURCE_DIR) + "/tests/console_browser/drive.py",
      "--url",
      "https://127.0.0.1:" + std::to_string(management_port) + "/",
      "--admin",
      admin_name_ + ":" + kAdminPassword,
      "--user",
      standard_name_ + ":" + kStandardPassword};
  if (const char* shots = std::getenv("ACTIVA_SCREENSHOTS")) {
    args.push_back("--screenshots");
    args.push_back(shots);
  }
  ProcessResult r = RunProcess(args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json::object seen = json::parse(r.out).as_object();
  EXPECT_EQ(seen.at("count").as_string(), "3") << r.out;
  EXPECT_NE(std::string(seen.at("saved").as_string()).find("/sai"), std::string::npos) << r.out;
  EXPECT_EQ(seen.at("no_csrf_status").to_number<int>(), 403) << r.out;
  EXPECT_TRUE(seen.at("standard_form_disabled").as_bool()) << r.out;
  EXPECT_EQ(seen.at("standard_status").at(0).to_number<int>(), 403) << r.out;
  EXPECT_EQ(seen.at("standard_status").at(1).to_number<std::uint64_t>(), 0x80070005u) << r.out;

  // The administrator's change is the daemon's: slmgr /dli shows it, and
  // neither refused change happened.
  ProcessResult dli = RunProcess({SLMGR_BIN, "--socket", host.socket_path(), "/dli", "--json"});
  ASSERT_EQ(dli.exit_code, 0) << dli.err;
  EXPECT_EQ(json::parse(dli.out).at("host").at("activation_interval").to_number<int>(), 60)
      << dli.out;
}

}  // namespace
}  // namespace activa
