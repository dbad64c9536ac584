#include "daemon/network.h"

#include <arpa/inet.h>

#include <gtest/gtest.h>

#include "daemon/daemon_core.h"

namespace activa {
namespace {

std::array<std::uint8_t, 16> Addr(const char* text) {
  return ParseNetwork(text)->address;
}

TEST(NetworkTest, DefaultsAllowLoopbackAndPrivateOnly) {
  auto nets = DefaultAllowedNetworks();
  EXPECT_TRUE(ContainsAny(nets, Addr("127.0.0.1")));
  EXPECT_TRUE(ContainsAny(nets, Addr("10.1.2.3")));
  EXPECT_TRUE(ContainsAny(nets, Addr("172.31.255.255")));
  EXPECT_FALSE(ContainsAny(nets, Addr("172.32.0.1")));
  EXPECT_TRUE(ContainsAny(nets, Addr("192.168.7.1")));
  EXPECT_TRUE(ContainsAny(nets, Addr("::1")));
  EXPECT_TRUE(ContainsAny(nets, Addr("fd00::5")));
  EXPECT_FALSE(ContainsAny(nets, Addr("8.8.8.8")));
  EXPECT_FALSE(ContainsAny(nets, Addr("2001:db8::1")));
}

TEST(NetworkTest, ParsesAndRejects) {
  EXPECT_TRUE(ParseNetwork("0.0.0.0/0").has_value());
  EXPECT_TRUE(Contains(*ParseNetwork("0.0.0.0/0"), Addr("1.2.3.4")));
  EXPECT_FALSE(ParseNetwork("10.0.0.0/33").has_value());
  EXPECT_FALSE(ParseNetwork("10.0.0/8").has_value());
  EXPECT_FALSE(ParseNetwork("::/129").has_value());
  EXPECT_FALSE(ParseNetwork("10.0.0.0/8x").has_value());
}

TEST(HostAddressTest, SlmgrSkmsForms) {
  EXPECT_EQ(ParseHostAddress("kms1.corp.example")->ToString(), "kms1.corp.example:1688");
  EXPECT_EQ(ParseHostAddress("kms1:1700")->port, 1700);
  EXPECT_EQ(ParseHostAddress("10.0.0.5:1689")->host, "10.0.0.5");
  EXPECT_EQ(ParseHostAddress("[::1]:1690")->ToString(), "[::1]:1690");
  EXPECT_EQ(ParseHostAddress("[fe80::1]")->port, 1688);
  EXPECT_FALSE(ParseHostAddress("::1").ok());  // IPv6 needs brackets
  EXPECT_FALSE(ParseHostAddress("kms1:0").ok());
  EXPECT_FALSE(ParseHostAddress("kms1:70000").ok());
  EXPECT_FALSE(ParseHostAddress("kms1:").ok());
  EXPECT_FALSE(ParseHostAddress("[::1").ok());
  EXPECT_FALSE(ParseHostAddress("").ok());
  EXPECT_FALSE(ParseHostAddress("bad host").ok());
}

}  // namespace
}  // namespace activa
