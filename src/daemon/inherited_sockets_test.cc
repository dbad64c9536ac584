#include "daemon/inherited_sockets.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace activa {
namespace {

int ListenTcp(int family, const char* address, std::uint16_t* port) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    ::inet_pton(AF_INET, address, &a->sin_addr);
    len = sizeof *a;
  } else {
    int one = 1;
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    ::inet_pton(AF_INET6, address, &a->sin6_addr);
    len = sizeof *a;
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 4) != 0) {
    ::close(fd);
    return -1;
  }
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  *port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                  : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return fd;
}

InheritedSockets::Socket Described(int fd) {
  InheritedSockets::Socket s;
  EXPECT_TRUE(InheritedSockets::Describe(fd, &s));
  s.name = "activad";
  return s;
}

TEST(InheritedSocketsTest, MatchesTcpByAddressAndPort) {
  std::uint16_t port = 0;
  int fd = ListenTcp(AF_INET, "127.0.0.1", &port);
  ASSERT_GE(fd, 0);
  InheritedSockets sockets;
  sockets.Add(Described(fd));
  EXPECT_EQ(sockets.FindTcp("127.0.0.1", static_cast<std::uint16_t>(port + 1)), -1);
  EXPECT_EQ(sockets.FindTcp("0.0.0.0", port), -1);
  EXPECT_EQ(sockets.FindTcp("127.0.0.1", 0), -1) << "port 0 is the kernel's choice";
  EXPECT_EQ(sockets.Unused().size(), 1u);
  EXPECT_EQ(sockets.FindTcp("127.0.0.1", port), fd);
  EXPECT_TRUE(sockets.Unused().empty());
}

TEST(InheritedSocketsTest, Ipv6AddressesCompareInCanonicalForm) {
  std::uint16_t port = 0;
  int fd = ListenTcp(AF_INET6, "::1", &port);
  if (fd < 0) GTEST_SKIP() << "no IPv6 loopback";
  InheritedSockets sockets;
  sockets.Add(Described(fd));
  EXPECT_EQ(sockets.FindTcp("127.0.0.1", port), -1);
  EXPECT_EQ(sockets.FindTcp("0:0:0:0:0:0:0:1", port), fd);
}

TEST(InheritedSocketsTest, MatchesUnixByPathAndRefusesWhatDoesNotListen) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("activa-inherited-" + std::to_string(::getpid()) + ".sock"))
                         .string();
  ::unlink(path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  InheritedSockets::Socket s;
  EXPECT_FALSE(InheritedSockets::Describe(fd, &s)) << "bound but not listening";
  ASSERT_EQ(::listen(fd, 4), 0);
  InheritedSockets sockets;
  sockets.Add(Described(fd));
  EXPECT_EQ(sockets.FindUnix(path + "x"), -1);
  EXPECT_EQ(sockets.FindUnix(path), fd);
  int dgram = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  EXPECT_FALSE(InheritedSockets::Describe(dgram, &s));
  ::close(dgram);
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace activa
