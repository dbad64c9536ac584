#include "net/unix_line_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>

#include "net/fake_line_server.h"

namespace activa::net {
namespace {

using namespace std::chrono_literals;

TEST(UnixLineClientTest, SendsOneLineAndReadsOneLine) {
  FakeLineServer daemon([](const std::string& line) {
    return FakeLineServer::Reply{R"({"result":0,"message":"ok","echo":)" + line + "}\n"};
  });
  Result<std::string> r = CallUnixSocket(daemon.socket_path(), R"({"op":"dli"})", 5s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, R"({"result":0,"message":"ok","echo":{"op":"dli"}})");
  EXPECT_EQ(daemon.requests(), std::vector<std::string>{R"({"op":"dli"})"});
}

TEST(UnixLineClientTest, ResponseInPieces) {
  // Larger than one read, so the client must join several.
  std::string big(20000, 'x');
  FakeLineServer daemon([&](const std::string&) { return FakeLineServer::Reply{big + "\n"}; });
  Result<std::string> r = CallUnixSocket(daemon.socket_path(), "{}", 5s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, big);
}

TEST(UnixLineClientTest, MissingSocketSaysIsTheDaemonRunning) {
  Result<std::string> r = CallUnixSocket("/nonexistent/activad.sock", "{}", 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kFileNotFound);
  EXPECT_EQ(r.status().message(),
            "activad is not running at /nonexistent/activad.sock (no such socket); start it with "
            "systemctl start activad, or give its socket with --socket");
}

TEST(UnixLineClientTest, PathTooLong) {
  Result<std::string> r = CallUnixSocket("/" + std::string(200, 'a'), "{}", 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kInvalidArgument);
}

TEST(UnixLineClientTest, TimesOut) {
  FakeLineServer daemon([](const std::string&) {
    return FakeLineServer::Reply{"", /*hang=*/true};
  });
  Result<std::string> r = CallUnixSocket(daemon.socket_path(), "{}", 200ms);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("did not answer"), std::string::npos);
}

TEST(UnixLineClientTest, ClosedWithoutAnswer) {
  FakeLineServer daemon([](const std::string&) {
    return FakeLineServer::Reply{"{\"result\":0", /*hang=*/false, /*close=*/true};
  });
  Result<std::string> r = CallUnixSocket(daemon.socket_path(), "{}", 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kInternal);
  EXPECT_NE(r.status().message().find("closed the connection without answering"),
            std::string::npos);
}

TEST(UnixLineClientTest, RefusesOverlongResponse) {
  FakeLineServer daemon([](const std::string&) {
    return FakeLineServer::Reply{std::string(kMaxLineBytes + 10, 'x')};
  });
  Result<std::string> r = CallUnixSocket(daemon.socket_path(), "{}", 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kInvalidData);
}

TEST(UnixLineClientTest, RefusesMultiLineRequest) {
  Result<std::string> r = CallUnixSocket("/tmp/x.sock", "{}\n{}", 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kInvalidArgument);
}

TEST(UnixLineClientTest, NobodyListening) {
  // A socket file left behind by a daemon that died: bound, not listening.
  char dir[] = "/tmp/activa_line_XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  std::string stale = std::string(dir) + "/stale.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, stale.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  Result<std::string> r = CallUnixSocket(stale, "{}", 1s);
  ::close(fd);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(r.ok());
  // The same code as a missing socket: either way, activad is not running.
  EXPECT_EQ(r.status().code(), ResultCode::kFileNotFound);
  EXPECT_NE(r.status().message().find("nothing listens on it"), std::string::npos);
}

TEST(UnixLineClientTest, ConnectionCarriesSeveralRequests) {
  FakeLineServer daemon([](const std::string& line) { return FakeLineServer::Reply{line + "\n"}; });
  Result<UnixLineConnection> c = UnixLineConnection::Open(daemon.socket_path(), 5s);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c->RoundTrip("one", 5s), "one");
  EXPECT_EQ(*c->RoundTrip("two", 5s), "two");
}

TEST(UnixLineClientTest, RefusesTwoReplyLines) {
  FakeLineServer daemon([](const std::string&) { return FakeLineServer::Reply{"a\nb\n"}; });
  Result<std::string> r = CallUnixSocket(daemon.socket_path(), "{}", 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kInvalidData);
}

}  // namespace
}  // namespace activa::net
