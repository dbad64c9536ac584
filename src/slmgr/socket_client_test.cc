#include "slmgr/socket_client.h"

#include <gtest/gtest.h>

#include "slmgr/fake_daemon.h"

namespace activa::slmgr {
namespace {

using namespace std::chrono_literals;

TEST(SocketClientTest, SendsOneLineAndReadsOneLine) {
  FakeDaemon daemon([](const std::string& line) {
    return FakeDaemon::Reply{R"({"result":0,"message":"ok","echo":)" + line + "}\n"};
  });
  Result<std::string> r = CallDaemon(daemon.socket_path(), R"({"op":"dli"})", 5s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, R"({"result":0,"message":"ok","echo":{"op":"dli"}})");
  EXPECT_EQ(daemon.requests(), std::vector<std::string>{R"({"op":"dli"})"});
}

TEST(SocketClientTest, ResponseInPieces) {
  // Larger than one read, so the client must join several.
  std::string big(20000, 'x');
  FakeDaemon daemon([&](const std::string&) { return FakeDaemon::Reply{big + "\n"}; });
  Result<std::string> r = CallDaemon(daemon.socket_path(), "{}", 5s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, big);
}

TEST(SocketClientTest, MissingSocketSaysIsTheDaemonRunning) {
  Result<std::string> r = CallDaemon("/nonexistent/activad.sock", "{}", 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kFileNotFound);
  EXPECT_EQ(r.status().message(),
            "cannot reach activad at /nonexistent/activad.sock: No such file or directory; is "
            "the daemon running?");
}

TEST(SocketClientTest, PathTooLong) {
  Result<std::string> r = CallDaemon("/" + std::string(200, 'a'), "{}", 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kInvalidArgument);
}

TEST(SocketClientTest, TimesOut) {
  FakeDaemon daemon([](const std::string&) { return FakeDaemon::Reply{"", /*hang=*/true}; });
  Result<std::string> r = CallDaemon(daemon.socket_path(), "{}", 200ms);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("did not answer"), std::string::npos);
}

TEST(SocketClientTest, ClosedWithoutAnswer) {
  FakeDaemon daemon([](const std::string&) {
    return FakeDaemon::Reply{"{\"result\":0", /*hang=*/false, /*close=*/true};
  });
  Result<std::string> r = CallDaemon(daemon.socket_path(), "{}", 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kNoHostReachable);
  EXPECT_NE(r.status().message().find("closed the connection without answering"),
            std::string::npos);
}

TEST(SocketClientTest, RefusesOverlongResponse) {
  FakeDaemon daemon(
      [](const std::string&) { return FakeDaemon::Reply{std::string(kMaxLineBytes + 10, 'x')}; });
  Result<std::string> r = CallDaemon(daemon.socket_path(), "{}", 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kFrameTooLarge);
}

TEST(SocketClientTest, RefusesMultiLineRequest) {
  Result<std::string> r = CallDaemon("/tmp/x.sock", "{}\n{}", 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kInvalidArgument);
}

TEST(SocketClientTest, NobodyListening) {
  // A socket file left behind by a daemon that died: bound, not listening.
  char dir[] = "/tmp/slmgr_test_XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  std::string stale = std::string(dir) + "/stale.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, stale.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  Result<std::string> r = CallDaemon(stale, "{}", 1s);
  ::close(fd);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kNoHostReachable);
  EXPECT_NE(r.status().message().find("is the daemon running?"), std::string::npos);
}

}  // namespace
}  // namespace activa::slmgr
