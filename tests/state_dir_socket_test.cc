// A daemon started with only --state-dir, as docs/activad.md describes it
// for running several daemons on one machine: a standard user's slmgr
// reaches its default socket (STATE_DIR/run/activad.sock) and may read, but
// cannot list or read the state.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/file_util.h"
#include "daemon/daemon.h"
#include "testing/daemon_process.h"
#include "testing/process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

using testing::DaemonProcess;
using testing::ProcessResult;
using testing::TempDir;

constexpr uid_t kNobody = 65534;

TEST(StateDirSocketTest, StandardUsersReachTheDefaultSocketButNotTheState) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to act as another user";
  TempDir dir;
  ::chmod(dir.path().c_str(), 0755);
  for (std::filesystem::path p = dir.path(); p != p.root_path(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.parent_path().c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) {
      GTEST_SKIP() << "other users cannot enter " << p.parent_path()
                   << ", which holds the temporary folder; set TMPDIR to an open folder";
    }
  }
  // The standard user runs a copy of slmgr from an open folder (the build
  // folder may be private).
  ::mkdir((dir / "bin").c_str(), 0755);
  const std::string slmgr = dir / "bin/slmgr";
  std::filesystem::copy_file(SLMGR_BIN, slmgr);
  ::chmod(slmgr.c_str(), 0755);
  ASSERT_TRUE(Vendor::Init(dir / "vendor", "Example").ok());
  Result<Vendor> vendor = Vendor::Open(dir / "vendor");
  ASSERT_TRUE(vendor.ok());
  ::mkdir((dir / "catalogs").c_str(), 0755);
  ASSERT_TRUE(
      WriteFileAtomic(dir / "catalogs/example.json", *vendor->SignedCatalog(0), 0644, true).ok());

  DaemonProcess::Options o;
  o.state_dir = dir / "state";
  o.catalog_dir = dir / "catalogs";
  // No socket_path: the harness passes activad's own default for --state-dir.
  DaemonPaths paths;
  paths.state_dir = o.state_dir;
  ASSERT_EQ(SocketPathFor(paths, /*state_dir_given=*/true), o.state_dir + "/run/activad.sock");
  DaemonProcess daemon(o);
  ASSERT_EQ(daemon.socket_path(), o.state_dir + "/run/activad.sock");
  ProcessResult ipk = testing::RunProcess(
      {slmgr, "--socket", daemon.socket_path(), "/ipk", vendor->catalog().editions[0].setup_key});
  ASSERT_EQ(ipk.exit_code, 0) << ipk.err;

  ProcessResult dli = testing::RunProcessAs(kNobody, kNobody, {},
                                            {slmgr, "--socket", daemon.socket_path(), "/dli"});
  EXPECT_EQ(dli.exit_code, 0) << dli.err;
  EXPECT_NE(dli.out.find("Initial grace period"), std::string::npos) << dli.out;

  // The state stays the daemon's: the folder cannot be listed, its files
  // not read, the product key not changed.
  ProcessResult ls = testing::RunProcessAs(kNobody, kNobody, {}, {"/bin/ls", o.state_dir});
  EXPECT_NE(ls.exit_code, 0) << ls.out;
  ProcessResult cat =
      testing::RunProcessAs(kNobody, kNobody, {}, {"/bin/cat", o.state_dir + "/activad.db"});
  EXPECT_NE(cat.exit_code, 0);
  EXPECT_EQ(cat.out, "");
  ProcessResult upk = testing::RunProcessAs(kNobody, kNobody, {},
                                            {slmgr, "--socket", daemon.socket_path(), "/upk"});
  EXPECT_EQ(upk.exit_code, 1);
  EXPECT_NE(upk.err.find("0x80070005"), std::string::npos) << upk.err;
}

}  // namespace
}  // namespace activa
