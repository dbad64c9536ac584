// activad started as root with `[daemon] user` set becomes that user,
// keeping only CAP_NET_BIND_SERVICE (docs/activad.md, "[daemon] user").
// It creates a system user of its own and removes it after; CTest runs it
// under RESOURCE_LOCK system_config.
#include <arpa/inet.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/file_util.h"
#include "testing/daemon_process.h"
#include "testing/process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::DaemonProcess;
using testing::RunProcess;
using testing::TempDir;

// The field `name` of /proc/PID/status, e.g. "Uid".
std::string StatusField(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + ":", 0) == 0) {
      std::string v = line.substr(name.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  }
  return "";
}

constexpr char kPamFile[] = "/etc/pam.d/activa";
constexpr char kLoginPassword[] = "L0gin-nnp-pw";

// A free TCP port below 1024 on 127.0.0.1, or 0.
std::uint16_t FreeLowPort() {
  for (std::uint16_t port = 990; port > 700; --port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (ok) return port;
  }
  return 0;
}

class PrivilegeDropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::getuid() != 0) GTEST_SKIP() << "needs root";
    if (::access("/usr/sbin/useradd", X_OK) != 0) GTEST_SKIP() << "no useradd";
    // The user must reach its state folder: every folder above it open.
    ::chmod(dir_.path().c_str(), 0755);
    for (std::filesystem::path p = dir_.path(); p != p.root_path(); p = p.parent_path()) {
      struct stat st {};
      if (::stat(p.parent_path().c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) {
        GTEST_SKIP() << "other users cannot enter " << p.parent_path();
      }
    }
    user_ = "activa-t" + std::to_string(::getpid() % 100000);
    ASSERT_EQ(::getpwnam(user_.c_str()), nullptr) << user_ << " exists already";
    testing::ProcessResult add =
        RunProcess({"/usr/sbin/useradd", "--system", "--user-group", "--no-create-home", "--shell",
                    "/usr/sbin/nologin", "--home-dir", "/nonexistent", user_});
    ASSERT_EQ(add.exit_code, 0) << add.err;
    created_ = true;
    passwd* pw = ::getpwnam(user_.c_str());
    ASSERT_NE(pw, nullptr);
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;

    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    Result<Vendor> v = Vendor::Open(dir_ / "vendor");
    ASSERT_TRUE(v.ok());
    vendor_.emplace(std::move(v).value());
    ::mkdir((dir_ / "catalogs").c_str(), 0755);
    ASSERT_TRUE(WriteFileAtomic(dir_ / "catalogs/example.json",
                                *vendor_->SignedCatalog(::time(nullptr)), 0644, true)
                    .ok());
  }
  void TearDown() override {
    if (created_) {
      // Only what this test made: its user and the group of the same name.
      RunProcess({"/usr/sbin/userdel", user_});
      if (::getgrnam(user_.c_str()) != nullptr) RunProcess({"/usr/sbin/groupdel", user_});
    }
    if (!login_user_.empty() && ::getpwnam(login_user_.c_str()) != nullptr) {
      RunProcess({"/usr/sbin/userdel", login_user_});
      if (::getgrnam(login_user_.c_str()) != nullptr) {
        RunProcess({"/usr/sbin/groupdel", login_user_});
      }
    }
    if (made_pam_file_) std::filesystem::remove(kPamFile);
  }

  DaemonProcess::Options Options() {
    DaemonProcess::Options o;
    o.state_dir = dir_ / "state";
    o.catalog_dir = dir_ / "catalogs";
    o.daemon_config = "user = \"" + user_ + "\"\n";
    return o;
  }

  TempDir dir_;
  std::string user_;
  bool created_ = false;
  std::string login_user_;  // a user with a password, for remote logins
  bool made_pam_file_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  std::optional<Vendor> vendor_;
};

TEST_F(PrivilegeDropTest, RunsAsTheUserWithOnlyNetBindService) {
  DaemonProcess::Options o = Options();
  ::mkdir(o.state_dir.c_str(), 0700);
  ASSERT_EQ(::chown(o.state_dir.c_str(), uid_, gid_), 0);
  DaemonProcess daemon(o);
  const std::string uid = std::to_string(uid_);
  const std::string gid = std::to_string(gid_);
  EXPECT_EQ(StatusField(daemon.pid(), "Uid"), uid + "\t" + uid + "\t" + uid + "\t" + uid);
  EXPECT_EQ(StatusField(daemon.pid(), "Gid"), gid + "\t" + gid + "\t" + gid + "\t" + gid);
  // Its own group, and shadow where there is one: nothing of root's.
  std::set<std::string> groups;
  std::istringstream listed(StatusField(daemon.pid(), "Groups"));
  for (std::string g; listed >> g;) groups.insert(g);
  std::set<std::string> expected = {gid};
  if (group* shadow = ::getgrnam("shadow")) expected.insert(std::to_string(shadow->gr_gid));
  EXPECT_EQ(groups, expected);
  // Bit 10, CAP_NET_BIND_SERVICE, alone.
  EXPECT_EQ(StatusField(daemon.pid(), "CapEff"), "0000000000000400");
  EXPECT_EQ(StatusField(daemon.pid(), "CapPrm"), "0000000000000400");
  EXPECT_EQ(StatusField(daemon.pid(), "CapBnd"), "0000000000000400");
  EXPECT_EQ(StatusField(daemon.pid(), "CapInh"), "0000000000000000");
  EXPECT_EQ(StatusField(daemon.pid(), "CapAmb"), "0000000000000000");
  // Every thread alike (capabilities are per thread).
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(daemon.pid()) + "/task")) {
    std::ifstream in(task.path() / "status");
    std::string all((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(all.find("CapEff:\t0000000000000400"), std::string::npos) << task.path();
  }

  // What it created in its state is the user's.
  struct stat st {};
  ASSERT_EQ(::stat((o.state_dir + "/activad.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, uid_);

  // The capability it kept: a host moved to a port below 1024 still binds.
  Result<MintedKey> key =
      vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, ::time(nullptr));
  ASSERT_TRUE(key.ok());
  ASSERT_EQ(DaemonProcess::ResultOf(daemon.Call({{"op", "ipk"}, {"key", key->text}})), 0u);
  std::uint16_t low = FreeLowPort();
  ASSERT_NE(low, 0);
  json::object sprt = daemon.Call({{"op", "sprt"}, {"port", low}});
  EXPECT_EQ(DaemonProcess::ResultOf(sprt), 0u) << json::serialize(sprt);
  EXPECT_EQ(daemon.port(), low);
}

// As systemd runs the daemon (NoNewPrivileges=yes in activad.service): no
// setuid or setgid program gains anything, so pam_unix's unix_chkpwd helper
// cannot read /etc/shadow for it, and a daemon without the group shadow
// refuses every remote login (0xC0AC0055). With the group it gets from
// `[daemon] user`, pam_unix reads the file itself: a good password logs in,
// a bad one is a bad password, not an unreadable file.
TEST_F(PrivilegeDropTest, RemoteLoginsCheckPasswordsUnderNoNewPrivileges) {
  if (::getgrnam("shadow") == nullptr) GTEST_SKIP() << "no group shadow on this machine";
  if (::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "no setpriv";
  login_user_ = "activa-l" + std::to_string(::getpid() % 100000);
  ASSERT_EQ(::getpwnam(login_user_.c_str()), nullptr) << login_user_ << " exists already";
  ASSERT_EQ(RunProcess({"/usr/sbin/useradd", "--system", "--user-group", "--no-create-home",
                        "--shell", "/usr/sbin/nologin", login_user_})
                .exit_code,
            0);
  ASSERT_EQ(std::system(("printf '%s:%s\\n' " + login_user_ + " " + kLoginPassword +
                         " | /usr/sbin/chpasswd")
                            .c_str()),
            0);
  if (!std::filesystem::exists(kPamFile)) {
    std::filesystem::copy_file(ACTIVA_SOURCE_DIR "/packaging/pam.d/activa", kPamFile);
    made_pam_file_ = true;
  }
  DaemonProcess::Options o = Options();
  ::mkdir(o.state_dir.c_str(), 0700);
  ASSERT_EQ(::chown(o.state_dir.c_str(), uid_, gid_), 0);
  const std::string target = "127.0.0.1:" + std::to_string(testing::FreePort());
  o.extra_config = "[management]\nlisten = [\"" + target + "\"]\n";
  o.command_prefix = {"/usr/bin/setpriv", "--no-new-privs"};
  DaemonProcess daemon(o);
  ASSERT_EQ(StatusField(daemon.pid(), "NoNewPrivs"), "1");
  ASSERT_EQ(StatusField(daemon.pid(), "Uid").substr(0, std::to_string(uid_).size()),
            std::to_string(uid_));

  const std::vector<std::string> env = {"XDG_CONFIG_HOME=" + (dir_ / "config")};
  testing::ProcessResult good =
      RunProcess({SLMGR_BIN, target, login_user_, kLoginPassword, "/dli"}, env);
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_FALSE(good.out.empty());
  testing::ProcessResult bad =
      RunProcess({SLMGR_BIN, target, login_user_, "not-the-password", "/dli"}, env);
  EXPECT_NE(bad.exit_code, 0);
  const std::string said = bad.out + bad.err;
  EXPECT_NE(said.find("0x8007052E"), std::string::npos) << said;
  EXPECT_EQ(said.find("0xC0AC0055"), std::string::npos) << said;
}

TEST_F(PrivilegeDropTest, RefusesAStateFolderOfAnotherOwnerAndSaysHowToFixIt) {
  DaemonProcess::Options o = Options();
  ::mkdir(o.state_dir.c_str(), 0700);  // root's
  EXPECT_THROW(DaemonProcess daemon(o), std::runtime_error);
  Result<std::string> log = ReadFile(o.state_dir + "/activad.log");
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->find("chown -R " + user_ + ":" + user_ + " " + o.state_dir), std::string::npos)
      << *log;
  EXPECT_FALSE(std::filesystem::exists(o.state_dir + "/activad.db"));
}

TEST_F(PrivilegeDropTest, AnUnknownUserIsRefused) {
  DaemonProcess::Options o = Options();
  o.daemon_config = "user = \"activa-no-such-user\"\n";
  EXPECT_THROW(DaemonProcess daemon(o), std::runtime_error);
  Result<std::string> log = ReadFile(o.state_dir + "/activad.log");
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->find("no user \"activa-no-such-user\""), std::string::npos) << *log;
}

}  // namespace
}  // namespace activa
