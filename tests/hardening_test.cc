// Local attacks on a running activad's files and sockets, played against
// the real daemon: a state folder others may write, a link where the
// management socket goes, a flood of idle management connections.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/file_util.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"

namespace activa {
namespace {

using testing::DaemonProcess;
using testing::TempDir;

// A whole file, or "" when it cannot be read.
std::string Slurp(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  return text.ok() ? *text : std::string();
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class HardeningTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_ / "catalogs"); }
  DaemonProcess::Options Options(const std::string& name) {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = dir_ / "catalogs";
    o.machine_name = name;
    return o;
  }
  // Starts a daemon that is expected to refuse; its log.
  std::string Refused(const DaemonProcess::Options& o) {
    try {
      DaemonProcess d(o);
      ADD_FAILURE() << "activad started";
    } catch (const std::runtime_error&) {
    }
    return Slurp(o.state_dir + "/activad.log");
  }
  TempDir dir_;
};

TEST_F(HardeningTest, TheStateIsTheDaemonsAlone) {
  // The socket in the state folder (STATE_DIR/run/activad.sock, the default
  // with --state-dir): others may pass through to run/, and read nothing.
  DaemonProcess d(Options("pc1"));
  EXPECT_EQ(ModeOf(d.state_dir()), 0711u);
  EXPECT_EQ(ModeOf(d.state_dir() + "/run"), 0755u);
  EXPECT_EQ(ModeOf(d.state_dir() + "/activad.db"), 0600u);  // before: 0644
  EXPECT_EQ(ModeOf(d.state_dir() + "/activad.db-wal"), 0600u);
  // Everyone may connect to the socket; the credentials decide.
  EXPECT_EQ(ModeOf(d.socket_path()), 0666u);

  // With the socket elsewhere, no one else needs to enter at all.
  DaemonProcess::Options o = Options("pc4");
  o.socket_path = dir_ / "elsewhere/activad.sock";
  DaemonProcess e(o);
  EXPECT_EQ(ModeOf(e.state_dir()), 0700u);
  // A socket folder activad makes (as /run/activa, started by hand) lets
  // every user reach the socket.
  EXPECT_EQ(ModeOf(dir_ / "elsewhere"), 0755u);
}

TEST_F(HardeningTest, AStateFolderOthersMayWriteIsRefused) {
  DaemonProcess::Options o = Options("pc2");
  std::filesystem::create_directories(o.state_dir);
  ::chmod(o.state_dir.c_str(), 0777);
  // (The harness writes the daemon's config and log into the folder.)
  std::string log = Refused(o);
  EXPECT_NE(log.find("others may write in the state folder"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(o.state_dir + "/activad.db"));
}

// Before: whatever was at the socket's path was unlinked and, after the
// bind, chmod 0666 went through the path, following a link put there.
TEST_F(HardeningTest, ALinkWhereTheSocketGoesIsLeftAloneAndRefused) {
  DaemonProcess::Options o = Options("pc3");
  std::filesystem::create_directories(o.state_dir + "/run");
  const std::string target = dir_ / "secret";
  std::ofstream(target) << "private";
  ::chmod(target.c_str(), 0600);
  const std::string socket = o.state_dir + "/run/activad.sock";
  ASSERT_EQ(::symlink(target.c_str(), socket.c_str()), 0);
  std::string log = Refused(o);
  EXPECT_NE(log.find("is not a socket"), std::string::npos) << log;
  EXPECT_TRUE(std::filesystem::is_symlink(socket));
  EXPECT_EQ(ModeOf(target), 0600u);
  EXPECT_EQ(Slurp(target), "private");
}

// Any local user may connect. Before, there was no limit: enough idle
// connections exhausted the daemon's descriptors.
TEST_F(HardeningTest, IdleManagementConnectionsAreBounded) {
  DaemonProcess d(Options("pc4"));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, d.socket_path().c_str(), sizeof addr.sun_path - 1);
  std::vector<int> idle;
  for (int i = 0; i < 80; ++i) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    idle.push_back(fd);
  }
  // The ones past the limit are closed by the daemon at once.
  int closed = 0;
  for (int fd : idle) {
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  for (std::size_t i = 64; i < idle.size(); ++i) {
    char c;
    if (::recv(idle[i], &c, 1, 0) == 0) ++closed;
  }
  EXPECT_EQ(closed, 16);
  for (int fd : idle) ::close(fd);
  // And the daemon still answers once they are gone.
  for (int i = 0; i < 100; ++i) {
    try {
      if (DaemonProcess::ResultOf(d.Call({{"op", "dli"}})) == 0) return;
    } catch (const std::runtime_error&) {
    }
    ::usleep(20000);
  }
  ADD_FAILURE() << "the daemon no longer answers";
}

}  // namespace
}  // namespace activa
