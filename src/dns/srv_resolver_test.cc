#include "dns/srv_resolver.h"

#include <gtest/gtest.h>

#include <fstream>

#include "dns/fake_srv_resolver.h"
#include "dns/ldns_srv_resolver.h"

namespace activa::dns {
namespace {

TEST(ParseServerAddressTest, Forms) {
  auto a = ParseServerAddress("127.0.0.1:5300");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 5300);
  auto b = ParseServerAddress("10.0.0.1", 5353);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port, 5353);
  auto c = ParseServerAddress("[::1]:54");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 54);
  auto d = ParseServerAddress("2001:db8::1");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->host, "2001:db8::1");
  EXPECT_EQ(d->port, 53);
}

TEST(ParseServerAddressTest, ErrorsNameTheProblem) {
  for (const char* bad : {"ns.example:53", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "[::1",
                          "[::1]x", "", "127.0.0.1:5x"}) {
    auto r = ParseServerAddress(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ResultCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("server address"), std::string::npos);
  }
}

TEST(LdnsSrvResolverTest, RejectsBadConfig) {
  ResolverConfig config;
  config.nameserver = "dns.example";
  EXPECT_FALSE(LdnsSrvResolver::Create(config).ok());
  config.nameserver = "127.0.0.1";
  config.timeout_ms = 0;
  EXPECT_FALSE(LdnsSrvResolver::Create(config).ok());
}

TEST(LdnsSrvResolverTest, SearchDomainsFromInjectedFiles) {
  std::string path = ::testing::TempDir() + "/resolv.conf";
  std::ofstream(path) << "nameserver 127.0.0.1\nsearch lab.example corp.example\n";
  ResolverConfig config;
  config.resolv_conf = path;
  config.host_name = "kms1.corp.example";
  auto r = LdnsSrvResolver::Create(config);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->SearchDomains(), (std::vector<std::string>{"corp.example", "lab.example"}));
}

TEST(LdnsSrvResolverTest, NoSystemNameserverIsUnreachable) {
  ResolverConfig config;
  config.resolv_conf = "/nonexistent/resolv.conf";
  auto r = LdnsSrvResolver::Create(config);
  ASSERT_TRUE(r.ok());
  auto records = (*r)->QuerySrv("_activa._tcp.corp.example");
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ResultCode::kNoHostReachable);
  EXPECT_NE(records.status().message().find("no nameserver"), std::string::npos);
}

TEST(FakeSrvResolverTest, AnswersFromMemory) {
  FakeSrvResolver fake;
  fake.SetSrv("_activa._tcp.corp.example", {{0, 0, 1688, "kms1.corp.example"}});
  fake.SetAddresses("kms1.corp.example", {"192.0.2.1"});
  fake.SetError("_activa._tcp.down.example", Status(ResultCode::kNoHostReachable, "timeout"));
  EXPECT_EQ(fake.QuerySrv("_activa._tcp.corp.example")->size(), 1u);
  EXPECT_TRUE(fake.QuerySrv("_activa._tcp.other.example")->empty());
  EXPECT_FALSE(fake.QuerySrv("_activa._tcp.down.example").ok());
  EXPECT_EQ(*fake.ResolveAddresses("kms1.corp.example"), std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(fake.queries().size(), 4u);
}

}  // namespace
}  // namespace activa::dns
