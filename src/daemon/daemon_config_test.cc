#include "daemon/daemon_config.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

TEST(DaemonConfigTest, EmptyFileGivesDefaults) {
  Result<DaemonConfig> c = ParseDaemonConfig("", "activa.toml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 1688);
  EXPECT_EQ(c->listen, (std::vector<std::string>{"0.0.0.0", "::"}));
  EXPECT_EQ(c->idle_timeout_seconds, 30);
}

TEST(DaemonConfigTest, ReadsEverySection) {
  Result<DaemonConfig> c = ParseDaemonConfig(R"(
[daemon]
machine_name = "pc7"
journal = false

[host]
listen = ["127.0.0.1"]
port = 11688
allowed_networks = ["127.0.0.0/8"]
max_connections = 10
idle_timeout_seconds = 2

[client]
connect_timeout_seconds = 3

[dns]
)",
                                             "activa.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->machine_name, "pc7");
  EXPECT_FALSE(c->journal);
  EXPECT_EQ(c->port, 11688);
  EXPECT_EQ(c->max_connections, 10u);
  EXPECT_EQ(c->allowed_networks.size(), 1u);
  EXPECT_EQ(c->connect_timeout_seconds, 3);
}

TEST(DaemonConfigTest, ErrorsNameKeyAndLine) {
  auto error = [](const char* text) {
    Result<DaemonConfig> c = ParseDaemonConfig(text, "activa.toml");
    EXPECT_FALSE(c.ok()) << text;
    return c.status().message();
  };
  EXPECT_EQ(error("[host]\nprot = 1"), "activa.toml:2: [host]: unknown key \"prot\"");
  EXPECT_EQ(error("[host]\nport = 0"), "activa.toml:2: [host]: \"port\" must be 1 to 65535");
  EXPECT_NE(error("[host]\nlisten = [\"localhost\"]").find("not an IPv4 or IPv6 address"),
            std::string::npos);
  EXPECT_NE(error("[host]\nallowed_networks = [\"10/8\"]").find("not a network"),
            std::string::npos);
  EXPECT_NE(error("[hosts]\n").find("unknown key \"hosts\""), std::string::npos);
  EXPECT_NE(error("[host\n").find("activa.toml:1"), std::string::npos);
}

}  // namespace
}  // namespace activa
