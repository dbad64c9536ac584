// The DNS library against a real BIND named on loopback: publishing by
// RFC 2136 update (TSIG-signed or by address), discovery by SRV query.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "dns/ldns_dns_publisher.h"
#include "dns/ldns_srv_resolver.h"
#include "testing/named_process.h"

namespace activa::dns {
namespace {

using ::activa::testing::NamedProcess;
using ::activa::testing::NamedZone;

SrvRegistration Host(const std::string& fqdn, std::uint16_t port = 1688) {
  SrvRegistration r;
  r.target = fqdn;
  r.port = port;
  return r;
}

class DnsBindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ACTIVA_REQUIRE_NAMED();
    NamedZone corp{"corp.example",
                   true,
                   false,
                   {"kms1 IN A 127.0.0.1", "kms2 IN A 127.0.0.2", "kms2 IN AAAA ::1"}};
    NamedZone lab{"lab.example", true, false, {}};
    NamedZone open{"open.example", /*update_by_key=*/false, /*update_by_address=*/true, {}};
    NamedZone closed{"closed.example", /*update_by_key=*/false, /*update_by_address=*/false, {}};
    named_ = std::make_unique<NamedProcess>(std::vector<NamedZone>{corp, lab, open, closed});
  }

  // A target that sends the update straight to named, signed with its key.
  PublishTarget Direct(const std::string& domain, std::uint16_t priority = 0,
                       std::uint16_t weight = 0) const {
    PublishTarget t;
    t.domain = domain;
    t.priority = priority;
    t.weight = weight;
    t.server = "127.0.0.1";
    t.server_port = named_->port();
    t.tsig = named_->key();
    return t;
  }

  LdnsDnsPublisher Publisher() const { return LdnsDnsPublisher(named_->resolver_config()); }

  std::unique_ptr<NamedProcess> named_;
};

TEST_F(DnsBindTest, TwoHostsPublishIntoTheSameNameAndBothStay) {
  LdnsDnsPublisher publisher = Publisher();
  ASSERT_TRUE(publisher.Publish(Direct("corp.example"), Host("kms1.corp.example")).ok());
  Status second = publisher.Publish(Direct("corp.example", 0, 10), Host("kms2.corp.example"));
  ASSERT_TRUE(second.ok()) << second.ToString();
  EXPECT_EQ(named_->Srv("_activa._tcp.corp.example"),
            (std::vector<SrvRecord>{{0, 0, 1688, "kms1.corp.example"},
                                    {0, 10, 1688, "kms2.corp.example"}}));
}

TEST_F(DnsBindTest, RepublishingReplacesOnlyOwnRecord) {
  LdnsDnsPublisher publisher = Publisher();
  ASSERT_TRUE(publisher.Publish(Direct("corp.example", 0, 0), Host("kms1.corp.example")).ok());
  ASSERT_TRUE(publisher.Publish(Direct("corp.example", 0, 0), Host("kms2.corp.example")).ok());
  // Another port is another service instance of the same host: kept.
  ASSERT_TRUE(publisher.Publish(Direct("corp.example"), Host("kms1.corp.example", 1700)).ok());
  Status again = publisher.Publish(Direct("corp.example", 10, 60), Host("kms1.corp.example"));
  ASSERT_TRUE(again.ok()) << again.ToString();
  auto records = named_->Srv("_activa._tcp.corp.example");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_NE(std::find(records.begin(), records.end(), SrvRecord{10, 60, 1688, "kms1.corp.example"}),
            records.end());
  EXPECT_NE(std::find(records.begin(), records.end(), SrvRecord{0, 0, 1700, "kms1.corp.example"}),
            records.end());
  EXPECT_NE(std::find(records.begin(), records.end(), SrvRecord{0, 0, 1688, "kms2.corp.example"}),
            records.end());
}

TEST_F(DnsBindTest, OneHostPublishesIntoTwoDomainsWithTheirPriorities) {
  LdnsDnsPublisher publisher = Publisher();
  ASSERT_TRUE(publisher.Publish(Direct("corp.example", 10, 50), Host("kms1.corp.example")).ok());
  ASSERT_TRUE(publisher.Publish(Direct("lab.example", 20, 5), Host("kms1.corp.example")).ok());
  EXPECT_EQ(named_->Srv("_activa._tcp.corp.example"),
            (std::vector<SrvRecord>{{10, 50, 1688, "kms1.corp.example"}}));
  EXPECT_EQ(named_->Srv("_activa._tcp.lab.example"),
            (std::vector<SrvRecord>{{20, 5, 1688, "kms1.corp.example"}}));
}

TEST_F(DnsBindTest, ServiceLabelIsConfigurable) {
  LdnsDnsPublisher publisher = Publisher();
  SrvRegistration r = Host("kms1.corp.example");
  r.service = "_activa-test._tcp";
  ASSERT_TRUE(publisher.Publish(Direct("corp.example"), r).ok());
  EXPECT_EQ(named_->Srv("_activa-test._tcp.corp.example").size(), 1u);
  EXPECT_TRUE(named_->Srv("_activa._tcp.corp.example").empty());
}

TEST_F(DnsBindTest, WrongTsigKeyIsRefusedWithTheDnsErrorAndAddsNothing) {
  LdnsDnsPublisher publisher = Publisher();
  PublishTarget t = Direct("corp.example");
  t.tsig->secret_base64 = "d3Jvbmcgc2VjcmV0IHdyb25nIHNlY3JldCB3cm9uZyE=";
  Status s = publisher.Publish(t, Host("kms1.corp.example"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ResultCode::kDnsUpdateFailed);
  EXPECT_NE(s.message().find("NOTAUTH"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("BADSIG"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(named_->port())), std::string::npos);
  EXPECT_EQ(s.message().find(t.tsig->secret_base64), std::string::npos);
  EXPECT_TRUE(named_->Srv("_activa._tcp.corp.example").empty());

  t.tsig->name = "unknown-key";
  s = publisher.Publish(t, Host("kms1.corp.example"));
  EXPECT_NE(s.message().find("BADKEY"), std::string::npos) << s.message();
}

TEST_F(DnsBindTest, UnsignedUpdateToAKeyOnlyZoneIsRefused) {
  LdnsDnsPublisher publisher = Publisher();
  PublishTarget t = Direct("corp.example");
  t.tsig.reset();
  Status s = publisher.Publish(t, Host("kms1.corp.example"));
  EXPECT_EQ(s.code(), ResultCode::kDnsUpdateFailed);
  EXPECT_NE(s.message().find("REFUSED"), std::string::npos) << s.message();
  EXPECT_TRUE(named_->Srv("_activa._tcp.corp.example").empty());
}

TEST_F(DnsBindTest, ZoneAllowingUpdatesByAddressNeedsNoKey) {
  LdnsDnsPublisher publisher = Publisher();
  PublishTarget t = Direct("open.example", 5, 5);
  t.tsig.reset();
  Status s = publisher.Publish(t, Host("kms1.corp.example"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(named_->Srv("_activa._tcp.open.example"),
            (std::vector<SrvRecord>{{5, 5, 1688, "kms1.corp.example"}}));
}

TEST_F(DnsBindTest, WithdrawRemovesOnlyThisHostsRecord) {
  LdnsDnsPublisher publisher = Publisher();
  ASSERT_TRUE(publisher.Publish(Direct("corp.example", 0, 0), Host("kms1.corp.example")).ok());
  ASSERT_TRUE(publisher.Publish(Direct("corp.example", 0, 0), Host("kms2.corp.example")).ok());
  Status s = publisher.Withdraw(Direct("corp.example"), Host("kms1.corp.example"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(named_->Srv("_activa._tcp.corp.example"),
            (std::vector<SrvRecord>{{0, 0, 1688, "kms2.corp.example"}}));
  // Nothing left to withdraw is not an error.
  EXPECT_TRUE(publisher.Withdraw(Direct("corp.example"), Host("kms1.corp.example")).ok());
}

// No server configured: the zone and its primary (MNAME ns.corp.example,
// 127.0.0.1) come from the SOA; the update goes to server_port there.
TEST_F(DnsBindTest, FindsZoneAndPrimaryThroughSoa) {
  LdnsDnsPublisher publisher = Publisher();
  PublishTarget t = Direct("corp.example", 3, 7);
  t.server.clear();
  Status s = publisher.Publish(t, Host("kms1.corp.example"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(named_->Srv("_activa._tcp.corp.example"),
            (std::vector<SrvRecord>{{3, 7, 1688, "kms1.corp.example"}}));
}

TEST_F(DnsBindTest, ZoneNotServedIsAnError) {
  LdnsDnsPublisher publisher = Publisher();
  Status s = publisher.Publish(Direct("elsewhere.example"), Host("kms1.corp.example"));
  EXPECT_EQ(s.code(), ResultCode::kDnsUpdateFailed);
  EXPECT_NE(s.message().find("REFUSED"), std::string::npos) << s.message();
}

TEST_F(DnsBindTest, QuerySrvAndResolveAddresses) {
  LdnsDnsPublisher publisher = Publisher();
  ASSERT_TRUE(publisher.Publish(Direct("corp.example", 0, 10), Host("kms1.corp.example")).ok());
  ASSERT_TRUE(
      publisher.Publish(Direct("corp.example", 5, 20), Host("kms2.corp.example", 1700)).ok());
  auto resolver = LdnsSrvResolver::Create(named_->resolver_config());
  ASSERT_TRUE(resolver.ok());
  auto records = (*resolver)->QuerySrv("_activa._tcp.corp.example.");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  std::sort(records->begin(), records->end(),
            [](const SrvRecord& a, const SrvRecord& b) { return a.target < b.target; });
  EXPECT_EQ(*records, (std::vector<SrvRecord>{{0, 10, 1688, "kms1.corp.example"},
                                              {5, 20, 1700, "kms2.corp.example"}}));
  auto addresses = (*resolver)->ResolveAddresses("kms2.corp.example");
  ASSERT_TRUE(addresses.ok()) << addresses.status().ToString();
  EXPECT_EQ(*addresses, (std::vector<std::string>{"127.0.0.2", "::1"}));
}

TEST_F(DnsBindTest, NoRecordsIsEmpty) {
  auto resolver = LdnsSrvResolver::Create(named_->resolver_config());
  ASSERT_TRUE(resolver.ok());
  auto nxdomain = (*resolver)->QuerySrv("_activa._tcp.corp.example");
  ASSERT_TRUE(nxdomain.ok()) << nxdomain.status().ToString();
  EXPECT_TRUE(nxdomain->empty());
  auto nodata = (*resolver)->QuerySrv("kms1.corp.example");
  ASSERT_TRUE(nodata.ok());
  EXPECT_TRUE(nodata->empty());
  auto no_address = (*resolver)->ResolveAddresses("missing.corp.example");
  ASSERT_TRUE(no_address.ok());
  EXPECT_TRUE(no_address->empty());
}

TEST_F(DnsBindTest, ServerThatRefusesIsUnreachable) {
  auto resolver = LdnsSrvResolver::Create(named_->resolver_config());
  ASSERT_TRUE(resolver.ok());
  // named is authoritative only, with recursion off: REFUSED for other names.
  auto r = (*resolver)->QuerySrv("_activa._tcp.elsewhere.example");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kNoHostReachable);
  EXPECT_NE(r.status().message().find("REFUSED"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("_activa._tcp.elsewhere.example"), std::string::npos);
}

// A port nobody listens on, for UDP: the query fails quickly, naming the
// name and the server.
TEST(DnsNoServerTest, ClosedPortIsUnreachable) {
  const std::uint16_t port = activa::testing::FreeDnsPort();
  ResolverConfig config;
  config.nameserver = "127.0.0.1";
  config.port = port;
  config.timeout_ms = 300;
  auto resolver = LdnsSrvResolver::Create(config);
  ASSERT_TRUE(resolver.ok());
  auto start = std::chrono::steady_clock::now();
  auto r = (*resolver)->QuerySrv("_activa._tcp.corp.example");
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kNoHostReachable);
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("_activa._tcp.corp.example"), std::string::npos) << m;
  EXPECT_NE(m.find("127.0.0.1:" + std::to_string(config.port)), std::string::npos) << m;
  // Loopback reports the closed port at once; elsewhere the timeout ends it.
  EXPECT_TRUE(m.find("connection refused") != std::string::npos ||
              m.find("timeout after 300 ms") != std::string::npos)
      << m;
  EXPECT_LT(took, std::chrono::seconds(2));

  LdnsDnsPublisher publisher(config);
  PublishTarget t;
  t.domain = "corp.example";
  t.server = "127.0.0.1";
  t.server_port = config.port;
  Status s = publisher.Publish(t, Host("kms1.corp.example"));
  EXPECT_EQ(s.code(), ResultCode::kDnsUpdateFailed);
}

}  // namespace
}  // namespace activa::dns
