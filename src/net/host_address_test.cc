#include "net/host_address.h"

#include <gtest/gtest.h>

#include "net/dns_name.h"

namespace activa {
namespace {

TEST(HostAddressTest, SlmgrSkmsForms) {
  EXPECT_EQ(ParseHostAddress("kms1.corp.example")->ToString(), "kms1.corp.example:1688");
  EXPECT_EQ(ParseHostAddress("kms1:1700")->port, 1700);
  EXPECT_EQ(ParseHostAddress("10.0.0.5:1689")->host, "10.0.0.5");
  EXPECT_EQ(ParseHostAddress("[::1]:1690")->ToString(), "[::1]:1690");
  EXPECT_EQ(ParseHostAddress("[fe80::1]")->port, 1688);
  EXPECT_EQ(ParseHostAddress("[fe80::1%eth0]:1700")->host, "fe80::1%eth0");
  EXPECT_EQ(ParseHostAddress("ns1", 53)->port, 53);
  EXPECT_TRUE(ParseHostAddress("kms_1.corp.example.").ok());
}

TEST(HostAddressTest, ErrorsSayWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"::1", "in brackets"},
      {"kms1:0", "from 1 to 65535"},
      {"kms1:70000", "from 1 to 65535"},
      {"kms1:", "from 1 to 65535"},
      {"kms1:+5", "from 1 to 65535"},
      {"[::1", "no closing ]"},
      {"[::1]1688", "expected :Port"},
      {"[kms.example]", "is not an IPv6 address"},
      {"[fe80::1%]", "is not an IPv6 address"},
      {":1688", "a port alone"},
      {"", "no host name"},
      {"bad host", "not a valid host name"},
      {"10.0.0.300", "not a valid host name or IPv4"},
      {"kms..example", "not a valid host name"},
      {"-kms", "not a valid host name"},
  };
  for (const auto& [text, why] : cases) {
    Result<HostAddress> r = ParseHostAddress(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), ResultCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  }
}

TEST(HostAddressTest, Format) {
  EXPECT_EQ(FormatHostPort("kms", 1688), "kms:1688");
  EXPECT_EQ(FormatHostPort("::1", 53), "[::1]:53");
  EXPECT_EQ((HostAddress{"0.0.0.0", 1688}.ToString()), "0.0.0.0:1688");
}

TEST(DnsNameTest, Rule) {
  EXPECT_TRUE(IsValidDnsName("corp.example.com"));
  EXPECT_TRUE(IsValidDnsName("corp.example.com."));
  EXPECT_TRUE(IsValidDnsName("_vlmcs._tcp.example"));
  EXPECT_TRUE(IsValidDnsName(std::string(63, 'a') + ".example"));
  EXPECT_FALSE(IsValidDnsName(std::string(64, 'a') + ".example"));
  std::string long_name;
  while (long_name.size() < 250) long_name += "abcdefghi.";
  EXPECT_FALSE(IsValidDnsName(long_name + "abcd"));
  for (const char* bad : {"", ".", "a..b", "-a.example", "a-.example", "bad domain", "a/b"}) {
    EXPECT_FALSE(IsValidDnsName(bad)) << bad;
  }
  EXPECT_TRUE(IsValidHostName("10.0.0.1"));
  EXPECT_FALSE(IsValidHostName("10.0.0.300"));
  EXPECT_FALSE(IsValidHostName("10.0.0"));
}

}  // namespace
}  // namespace activa
