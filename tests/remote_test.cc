// Remote management end to end (docs/remote.md): the real slmgr against a
// real activad's TLS management listener, with real PAM logins of users
// this test creates (and removes) with known passwords.
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "base/file_util.h"
#include "testing/daemon_process.h"
#include "testing/process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

using testing::DaemonProcess;
using testing::ProcessResult;
using testing::TempDir;

constexpr char kPamFile[] = "/etc/pam.d/activa";
constexpr char kAdminPassword[] = "Adm1n-remote-pw";
constexpr char kUserPassword[] = "Us3r-remote-pw";

// What this test created on the machine, and only that, is removed again.
struct Machine {
  std::string admin;  // in activa-admin
  std::string user;   // in no group of ours
  bool made_pam = false;
  bool made_group = false;
  bool ready = false;
};
Machine* machine = nullptr;

bool Shell(const std::string& command) { return std::system(command.c_str()) == 0; }

class RemoteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    machine = new Machine();
    ::unsetenv("XDG_CONFIG_HOME");
    if (::getuid() != 0) return;
    // Names of our own (the pid), so no existing user is touched.
    const std::string suffix = std::to_string(::getpid());
    machine->admin = "actr-a" + suffix;
    machine->user = "actr-s" + suffix;
    if (!std::filesystem::exists(kPamFile)) {
      std::filesystem::copy_file(ACTIVA_SOURCE_DIR "/packaging/pam.d/activa", kPamFile);
      machine->made_pam = true;
    }
    if (::getgrnam("activa-admin") == nullptr) {
      if (!Shell("groupadd --system activa-admin")) return;
      machine->made_group = true;
    }
    if (!Shell(
            "useradd --system --no-create-home --shell /usr/sbin/nologin --groups activa-admin " +
            machine->admin) ||
        !Shell("useradd --system --no-create-home --shell /usr/sbin/nologin " + machine->user) ||
        !Shell("printf '%s:%s\\n%s:%s\\n' " + machine->admin + " " + kAdminPassword + " " +
               machine->user + " " + kUserPassword + " | chpasswd")) {
      return;
    }
    machine->ready = true;
  }

  static void TearDownTestSuite() {
    if (machine == nullptr) return;
    if (!machine->admin.empty() && ::getpwnam(machine->admin.c_str()) != nullptr) {
      Shell("userdel " + machine->admin);
    }
    if (!machine->user.empty() && ::getpwnam(machine->user.c_str()) != nullptr) {
      Shell("userdel " + machine->user);
    }
    if (machine->made_group) Shell("groupdel activa-admin");
    if (machine->made_pam) std::filesystem::remove(kPamFile);
    delete machine;
    machine = nullptr;
  }

  void SetUp() override {
    if (::getuid() != 0) GTEST_SKIP() << "needs root to create users with known passwords";
    ASSERT_TRUE(machine->ready) << "could not create the test users (useradd, chpasswd)";
    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    vendor_.emplace(std::move(Vendor::Open(dir_ / "vendor")).value());
    std::filesystem::create_directories(dir_ / "catalogs");
    ASSERT_TRUE(
        WriteFileAtomic(dir_ / "catalogs/example.json", *vendor_->SignedCatalog(0), 0644, true)
            .ok());
    port_ = testing::FreePort();
    target_ = "127.0.0.1:" + std::to_string(port_);
    DaemonProcess::Options o;
    o.state_dir = dir_ / "state";
    o.catalog_dir = dir_ / "catalogs";
    o.extra_config = "[management]\nlisten = [\"" + target_ + "\"]\n";
    daemon_ = std::make_unique<DaemonProcess>(o);
    ProcessResult ipk = Local({"/ipk", vendor_->catalog().editions[0].setup_key});
    ASSERT_EQ(ipk.exit_code, 0) << ipk.err;
  }

  // slmgr here, over the Unix socket.
  ProcessResult Local(std::vector<std::string> args) {
    args.insert(args.begin(), {SLMGR_BIN, "--socket", daemon_->socket_path()});
    return testing::RunProcess(args, Env());
  }
  // slmgr TARGET ARGS... (user, password, options).
  ProcessResult Remote(std::vector<std::string> args) {
    args.insert(args.begin(), {SLMGR_BIN, target_});
    return testing::RunProcess(args, Env());
  }
  // slmgr's known_hosts in this test's folder. (Entries added here come
  // after the inherited ones, so HOME could not be overridden: the
  // variable is unset in this process, then set for slmgr.)
  std::vector<std::string> Env() { return {"XDG_CONFIG_HOME=" + (dir_ / "config")}; }
  std::string KnownHosts() { return dir_ / "config/activa/known_hosts"; }

  TempDir dir_;
  std::optional<Vendor> vendor_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::uint16_t port_ = 0;
  std::string target_;
};

TEST_F(RemoteTest, AnAdministratorChangesTheTarget) {
  ProcessResult sai = Remote({machine->admin, kAdminPassword, "/sai", "60"});
  ASSERT_EQ(sai.exit_code, 0) << sai.out << sai.err;
  EXPECT_NE(sai.out.find("Volume activation interval set to 60"), std::string::npos) << sai.out;
  // Pinned on first use, and said so with the fingerprint that /dlv shows
  // locally.
  EXPECT_NE(sai.err.find("first connection to " + target_), std::string::npos) << sai.err;
  ProcessResult dlv = Local({"/dlv"});
  ASSERT_EQ(dlv.exit_code, 0) << dlv.err;
  std::size_t at = dlv.out.find("SHA256:");
  ASSERT_NE(at, std::string::npos) << dlv.out;
  std::string fingerprint = dlv.out.substr(at, 7 + 43);
  EXPECT_NE(sai.err.find(fingerprint), std::string::npos) << sai.err << "\n" << dlv.out;
  EXPECT_EQ(*ReadFile(KnownHosts()), target_ + " " + fingerprint + "\n");

  ProcessResult dli = Local({"/dli", "--json"});
  EXPECT_NE(dli.out.find("\"activation_interval\":60"), std::string::npos) << dli.out;
  // The change is in the event log with the user and the source.
  ProcessResult events = Local({"/dle", "--id", "12297"});
  EXPECT_NE(events.out.find(machine->admin), std::string::npos) << events.out;
  EXPECT_NE(events.out.find("127.0.0.1"), std::string::npos) << events.out;
  EXPECT_NE(events.out.find("/sai"), std::string::npos) << events.out;
}

TEST_F(RemoteTest, AStandardUserReadsButMayNotChange) {
  ProcessResult dli = Remote({machine->user, kUserPassword, "/dli"});
  ASSERT_EQ(dli.exit_code, 0) << dli.out << dli.err;
  EXPECT_NE(dli.out.find("Initial grace period"), std::string::npos) << dli.out;
  // What slmgr prints is the same as locally.
  ProcessResult local = Local({"/dli"});
  EXPECT_EQ(dli.out.substr(0, dli.out.find("Remaining")),
            local.out.substr(0, local.out.find("Remaining")));
  ProcessResult sai = Remote({machine->user, kUserPassword, "/sai", "60"});
  EXPECT_EQ(sai.exit_code, 1);
  EXPECT_NE(sai.err.find("0x80070005"), std::string::npos) << sai.err;
  ProcessResult after = Local({"/dli", "--json"});
  EXPECT_EQ(after.out.find("\"activation_interval\":60"), std::string::npos) << after.out;
}

TEST_F(RemoteTest, WrongPasswordsAreRefusedSlowedAndLogged) {
  std::vector<double> seconds;
  for (int i = 0; i < 5; ++i) {
    auto start = std::chrono::steady_clock::now();
    ProcessResult r = Remote({machine->admin, "not-the-password", "/sai", "60"});
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("0x8007052E"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("not-the-password"), std::string::npos) << r.err;
  }
  EXPECT_GT(seconds[4], seconds[0]) << "the fifth attempt waited no longer than the first";
  ProcessResult events = Local({"/dle", "--id", "12296"});
  EXPECT_NE(events.out.find(machine->admin), std::string::npos) << events.out;
  EXPECT_NE(events.out.find("127.0.0.1"), std::string::npos) << events.out;
  EXPECT_EQ(events.out.find("not-the-password"), std::string::npos) << events.out;
  ProcessResult dli = Local({"/dli", "--json"});
  EXPECT_EQ(dli.out.find("\"activation_interval\":60"), std::string::npos);
}

TEST_F(RemoteTest, AChangedCertificateIsRefusedUntilAccepted) {
  ProcessResult first = Remote({machine->admin, kAdminPassword, "/dli"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::string pinned = *ReadFile(KnownHosts());
  // The target gets another certificate: an attacker's, as far as slmgr
  // can tell.
  daemon_->Stop();
  std::filesystem::remove(dir_ / "state/management.crt");
  std::filesystem::remove(dir_ / "state/management.key");
  daemon_->Start();
  ProcessResult refused = Remote({machine->admin, kAdminPassword, "/sai", "60"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("CHANGED"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find(pinned.substr(pinned.find(' ') + 1, 50)), std::string::npos)
      << refused.err;
  ProcessResult dlv = Local({"/dlv"});
  std::string now = dlv.out.substr(dlv.out.find("SHA256:"), 50);
  EXPECT_NE(refused.err.find(now), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("slmgr --forget-host " + target_), std::string::npos) << refused.err;
  // Nothing reached the target: no login, no change.
  EXPECT_EQ(Local({"/dli", "--json"}).out.find("\"activation_interval\":60"), std::string::npos);
  EXPECT_EQ(*ReadFile(KnownHosts()), pinned);

  ProcessResult forget = testing::RunProcess({SLMGR_BIN, "--forget-host", target_}, Env());
  ASSERT_EQ(forget.exit_code, 0) << forget.err;
  ProcessResult accepted = Remote({machine->admin, kAdminPassword, "/sai", "60"});
  EXPECT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_NE(accepted.err.find(now), std::string::npos) << accepted.err;
  EXPECT_NE(Local({"/dli", "--json"}).out.find("\"activation_interval\":60"), std::string::npos);
}

TEST_F(RemoteTest, NoPasswordIsReadFromAPipeUnasked) {
  // No terminal, standard input a pipe holding the password.
  ProcessResult r =
      testing::RunProcessWithoutTerminal({SLMGR_BIN, target_, machine->admin, "/sai", "60"}, Env(),
                                         std::string(kAdminPassword) + "\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no terminal"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--password-stdin"), std::string::npos) << r.err;
  EXPECT_EQ(Local({"/dli", "--json"}).out.find("\"activation_interval\":60"), std::string::npos);
  // Told to, it reads the line.
  ProcessResult told = testing::RunProcessWithoutTerminal(
      {SLMGR_BIN, target_, machine->admin, "/sai", "60", "--password-stdin"}, Env(),
      std::string(kAdminPassword) + "\n");
  EXPECT_EQ(told.exit_code, 0) << told.err;
  EXPECT_NE(Local({"/dli", "--json"}).out.find("\"activation_interval\":60"), std::string::npos);
}

}  // namespace
}  // namespace activa
