// The real slmgr against a real activad: who may read, who may change.
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

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

constexpr char kTestUser[] = "activa-test";

class SlmgrCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::getuid() != 0) GTEST_SKIP() << "needs root to act as other users";
    // Other users must reach the socket and slmgr: an open folder for both.
    ::chmod(dir_.path().c_str(), 0755);
    for (std::filesystem::path p = dir_.path(); p != p.root_path(); p = p.parent_path()) {
      struct stat st {};
      if (::stat(p.parent_path().c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) {
        GTEST_SKIP() << "other users cannot enter " << p.parent_path()
                     << ", which holds the temporary folder; set TMPDIR to an open folder";
      }
    }
    ::mkdir((dir_ / "run").c_str(), 0755);
    // Nor may they enter the build folder when the checkout is in a private
    // one (under /root, mode 0700): they run a copy of slmgr from the open
    // folder. slmgr links only system libraries (see ldd), so the binary is
    // all it needs.
    ::mkdir((dir_ / "bin").c_str(), 0755);
    slmgr_ = dir_ / "bin/slmgr";
    std::filesystem::copy_file(SLMGR_BIN, slmgr_);
    ::chmod(slmgr_.c_str(), 0755);
    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    vendor_.emplace(std::move(Vendor::Open(dir_ / "vendor")).value());
    ::mkdir((dir_ / "catalogs").c_str(), 0755);
    ASSERT_TRUE(
        WriteFileAtomic(dir_ / "catalogs/example.json", *vendor_->SignedCatalog(0), 0644, true)
            .ok());
    DaemonProcess::Options o;
    o.state_dir = dir_ / "state";
    o.catalog_dir = dir_ / "catalogs";
    o.socket_path = dir_ / "run/activad.sock";
    daemon_ = std::make_unique<DaemonProcess>(o);
  }

  ProcessResult Slmgr(std::vector<std::string> args) {
    args.insert(args.begin(), {slmgr_, "--socket", daemon_->socket_path()});
    return testing::RunProcess(args);
  }
  ProcessResult SlmgrAs(uid_t uid, gid_t gid, const std::vector<gid_t>& groups,
                        std::vector<std::string> args) {
    args.insert(args.begin(), {slmgr_, "--socket", daemon_->socket_path()});
    return testing::RunProcessAs(uid, gid, groups, args);
  }

  // The group activa-admin and a user in it, created when missing
  // (loopback-only test machine; both are left for the next run).
  static passwd* AdminTestUser() {
    if (::getgrnam("activa-admin") == nullptr) {
      EXPECT_EQ(std::system("groupadd --system activa-admin"), 0);
    }
    if (::getpwnam(kTestUser) == nullptr) {
      EXPECT_EQ(std::system("useradd --system --no-create-home --shell /usr/sbin/nologin "
                            "--groups activa-admin activa-test"),
                0);
    }
    passwd* pw = ::getpwnam(kTestUser);
    EXPECT_NE(pw, nullptr);
    return pw;
  }

  TempDir dir_;
  std::string slmgr_;  // the copy in dir_
  std::optional<Vendor> vendor_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(SlmgrCliTest, StandardUserMayReadButNotChange) {
  ProcessResult ipk = Slmgr({"/ipk", vendor_->catalog().editions[0].setup_key});
  ASSERT_EQ(ipk.exit_code, 0) << ipk.err;
  EXPECT_NE(ipk.out.find("installed successfully"), std::string::npos) << ipk.out;

  const uid_t nobody = 65534;
  for (const char* read : {"/dli", "/dlv", "/xpr", "/dlc", "/dle"}) {
    ProcessResult r = SlmgrAs(nobody, nobody, {}, {read});
    EXPECT_EQ(r.exit_code, 0) << read << ": " << r.err;
  }
  ProcessResult dli = SlmgrAs(nobody, nobody, {}, {"/dli"});
  EXPECT_NE(dli.out.find("Initial grace period"), std::string::npos) << dli.out;
  // The events, as an administrator reads them: the client's own 12288.
  ProcessResult events = SlmgrAs(nobody, nobody, {}, {"/dle", "--id", "12288"});
  EXPECT_NE(events.out.find("Event 12288"), std::string::npos) << events.out << events.err;
  for (std::vector<std::string> change : {std::vector<std::string>{"/rearm"},
                                          {"/skms", "kms1:1688"},
                                          {"/cdns"},
                                          {"/sprt", "1700"},
                                          {"/upk"},
                                          {"/ato"}}) {
    ProcessResult r = SlmgrAs(nobody, nobody, {}, change);
    EXPECT_EQ(r.exit_code, 1) << change[0];
    EXPECT_NE(r.err.find("0x80070005"), std::string::npos) << change[0] << ": " << r.err;
  }
  // Nothing changed.
  ProcessResult dlv = Slmgr({"/dlv", "--json"});
  EXPECT_NE(dlv.out.find("\"rearms_left\":3"), std::string::npos) << dlv.out;
}

TEST_F(SlmgrCliTest, MembersOfActivaAdminMayChange) {
  passwd* pw = AdminTestUser();
  ASSERT_NE(pw, nullptr);
  gid_t admin_gid = ::getgrnam("activa-admin")->gr_gid;
  ProcessResult ipk = SlmgrAs(pw->pw_uid, pw->pw_gid, {pw->pw_gid, admin_gid},
                              {"/ipk", vendor_->catalog().editions[0].setup_key});
  EXPECT_EQ(ipk.exit_code, 0) << ipk.err;
  ProcessResult rearm = SlmgrAs(pw->pw_uid, pw->pw_gid, {pw->pw_gid, admin_gid}, {"/rearm"});
  EXPECT_EQ(rearm.exit_code, 0) << rearm.err;
}

// The daemon asks the kernel which groups the peer process holds
// (SO_PEERGROUPS). Before, it read /etc/group, so a process that had dropped
// the group (or a session from before the user was added) was an
// administrator all the same.
TEST_F(SlmgrCliTest, AGroupThePeerDoesNotHoldGivesNoRights) {
  passwd* pw = AdminTestUser();
  ASSERT_NE(pw, nullptr);
  // In activa-admin by /etc/group, but not holding it.
  ProcessResult r = SlmgrAs(pw->pw_uid, pw->pw_gid, {pw->pw_gid}, {"/sai", "60"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("0x80070005"), std::string::npos) << r.err;
}

TEST_F(SlmgrCliTest, SyntaxErrorsSayWhichOptionAndExitTwo) {
  ProcessResult r = Slmgr({"/sai", "5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/sai"), std::string::npos) << r.err;
  EXPECT_EQ(Slmgr({"/nosuch"}).exit_code, 2);
  ProcessResult help = Slmgr({});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("/skms"), std::string::npos);
  // The three prefixes and any case.
  EXPECT_EQ(Slmgr({"-DLI"}).exit_code, 0);
  EXPECT_EQ(Slmgr({"--dli"}).exit_code, 0);
}

TEST_F(SlmgrCliTest, MistypedKeyNamesTheGroup) {
  std::string key = vendor_->catalog().editions[0].setup_key;
  key[7] = key[7] == 'B' ? 'C' : 'B';  // group 2
  ProcessResult r = Slmgr({"/ipk", key});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("0xC004F050"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("group 2"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace activa
