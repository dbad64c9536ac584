#include "capi/peer_rule.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testing/temp_dir.h"

namespace activa::capi {
namespace {

TEST(PeerRuleTest, RootAndTheDaemonsUserOnly) {
  EXPECT_TRUE(CheckPeer(0, std::nullopt, "/s").ok());
  EXPECT_TRUE(CheckPeer(0, 990, "/s").ok());
  EXPECT_TRUE(CheckPeer(990, 990, "/s").ok());
  EXPECT_EQ(CheckPeer(65534, 990, "/s").code(), ResultCode::kUntrustedService);
  EXPECT_EQ(CheckPeer(65534, std::nullopt, "/s").code(), ResultCode::kUntrustedService);
  EXPECT_EQ(CheckPeer(-1, std::nullopt, "/s").code(), ResultCode::kUntrustedService);
  EXPECT_NE(CheckPeer(65534, 990, "/run/x.sock").message().find("65534"), std::string::npos);
}

TEST(PeerRuleTest, TheDaemonsUserOwnsAFolderOnlyRootCouldMake) {
  EXPECT_EQ(DaemonUser("/nonexistent/activa"), std::nullopt);
  // A folder in a folder others may write (as /tmp) vouches for nobody.
  testing::TempDir dir;
  ::mkdir((dir / "open").c_str(), 0777);
  ::chmod((dir / "open").c_str(), 0777);
  ::mkdir((dir / "open/activa").c_str(), 0755);
  EXPECT_EQ(DaemonUser(dir / "open/activa"), std::nullopt);
  if (::getuid() == 0) {
    ::mkdir((dir / "closed").c_str(), 0755);
    ::mkdir((dir / "closed/activa").c_str(), 0755);
    ASSERT_EQ(::chown((dir / "closed/activa").c_str(), 4242, 4242), 0);
    EXPECT_EQ(DaemonUser(dir / "closed/activa"), 4242);
    // A link is not the folder.
    ::symlink((dir / "closed/activa").c_str(), (dir / "closed/link").c_str());
    EXPECT_EQ(DaemonUser(dir / "closed/link"), std::nullopt);
  }
}

}  // namespace
}  // namespace activa::capi
