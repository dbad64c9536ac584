#include "net/network.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace activa {
namespace {

std::array<std::uint8_t, 16> Addr(const char* text) { return ParseNetwork(text)->address; }

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

}  // namespace
}  // namespace activa
