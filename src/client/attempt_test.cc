#include "client/attempt.h"

#include <gtest/gtest.h>

#include <map>

#include "dns/fake_srv_resolver.h"

namespace activa {
namespace {

// Hosts that answer, refuse or time out, by "host:port".
class FakeConnector : public HostConnector {
 public:
  void Answers(const std::string& host) { behaviour_[host] = "answer"; }
  void Fails(const std::string& host, const std::string& why) { behaviour_[host] = why; }

  Result<Reply> Exchange(const HostAddress& host, const ActivationRequest&) override {
    tried.push_back(host.ToString());
    auto it = behaviour_.find(host.ToString());
    if (it == behaviour_.end()) return Status(ResultCode::kNoHostReachable, "no such host");
    if (it->second != "answer") return Status(ResultCode::kNoHostReachable, it->second);
    ErrorMessage m;
    m.result = ResultCode::kCountInsufficient;
    return Reply{Message(m), "127.0.0.9"};
  }
  std::vector<std::string> tried;

 private:
  std::map<std::string, std::string> behaviour_;
};

dns::SrvRecord Srv(std::uint16_t priority, const std::string& target, std::uint16_t port) {
  dns::SrvRecord r;
  r.priority = priority;
  r.weight = 0;
  r.target = target;
  r.port = port;
  return r;
}

Attempt Discovering() {
  Attempt a;
  a.discover = true;
  a.service = "_activa._tcp";
  a.lookup_domains = {"corp.example"};
  return a;
}

// Three hosts in DNS: the first refuses, the second times out, the third
// answers; the attempt goes down the list in priority order and ends there.
TEST(AttemptTest, FailsOverAcrossThreeHosts) {
  dns::FakeSrvResolver dns;
  dns.SetSrv("_activa._tcp.corp.example",
             {Srv(30, "c.corp.example", 1688), Srv(10, "a.corp.example", 1688),
              Srv(20, "b.corp.example", 1688)});
  FakeConnector hosts;
  hosts.Fails("a.corp.example:1688", "connection failed: Connection refused");
  hosts.Fails("b.corp.example:1688", "no answer within 5 s");
  hosts.Answers("c.corp.example:1688");
  std::mt19937_64 rng(1);
  AttemptOutcome out = RunAttempt(Discovering(), dns, hosts, rng);
  ASSERT_TRUE(out.answer.has_value());
  EXPECT_EQ(out.host.ToString(), "c.corp.example:1688");
  EXPECT_EQ(out.address, "127.0.0.9");
  EXPECT_TRUE(out.discovered);
  EXPECT_EQ(hosts.tried, (std::vector<std::string>{"a.corp.example:1688", "b.corp.example:1688",
                                                   "c.corp.example:1688"}));
  EXPECT_EQ(out.errors,
            "a.corp.example:1688: connection failed: Connection refused; "
            "b.corp.example:1688: no answer within 5 s");
}

TEST(AttemptTest, TheConfiguredHostIsTriedFirstAndAloneWithSkms) {
  dns::FakeSrvResolver dns;
  dns.SetSrv("_activa._tcp.corp.example", {Srv(0, "other.corp.example", 1688)});
  FakeConnector hosts;
  hosts.Fails("kms.corp.example:1700", "connection timed out");
  hosts.Answers("other.corp.example:1688");
  Attempt a;
  a.hosts = {HostAddress{"kms.corp.example", 1700}};
  std::mt19937_64 rng(1);
  AttemptOutcome out = RunAttempt(a, dns, hosts, rng);
  EXPECT_FALSE(out.answer.has_value());
  EXPECT_FALSE(out.discovery_failed);
  EXPECT_TRUE(dns.queries().empty());  // /skms: DNS is not asked
  EXPECT_EQ(out.errors, "kms.corp.example:1700: connection timed out");
}

TEST(AttemptTest, ACachedHostThatFailsFallsBackToDnsWithoutTryingItTwice) {
  dns::FakeSrvResolver dns;
  dns.SetSrv("_activa._tcp.corp.example",
             {Srv(0, "a.corp.example", 1688), Srv(1, "b.corp.example", 1688)});
  FakeConnector hosts;
  hosts.Fails("a.corp.example:1688", "connection failed: Connection refused");
  hosts.Answers("b.corp.example:1688");
  Attempt a = Discovering();
  a.hosts = {HostAddress{"a.corp.example", 1688}};  // cached
  std::mt19937_64 rng(1);
  AttemptOutcome out = RunAttempt(a, dns, hosts, rng);
  ASSERT_TRUE(out.answer.has_value());
  EXPECT_EQ(hosts.tried, (std::vector<std::string>{"a.corp.example:1688", "b.corp.example:1688"}));
}

TEST(AttemptTest, NoRecordsSaysWhatWasAsked) {
  dns::FakeSrvResolver dns;
  dns.SetError("_activa._tcp.corp.example", Status(ResultCode::kNoHostReachable, "SERVFAIL"));
  FakeConnector hosts;
  Attempt a = Discovering();
  a.lookup_domains = {"corp.example", "lab.example"};
  std::mt19937_64 rng(1);
  AttemptOutcome out = RunAttempt(a, dns, hosts, rng);
  EXPECT_TRUE(out.discovery_failed);
  EXPECT_EQ(out.errors,
            "no SRV records for an activation host at _activa._tcp.corp.example (SERVFAIL), "
            "_activa._tcp.lab.example");
  EXPECT_TRUE(hosts.tried.empty());
}

TEST(AttemptTest, NoDomainAtAll) {
  dns::FakeSrvResolver dns;  // empty search list
  FakeConnector hosts;
  Attempt a = Discovering();
  a.lookup_domains.clear();
  std::mt19937_64 rng(1);
  AttemptOutcome out = RunAttempt(a, dns, hosts, rng);
  EXPECT_TRUE(out.discovery_failed);
  EXPECT_NE(out.errors.find("no DNS domain to look in"), std::string::npos);
}

TEST(AttemptTest, StepsListEveryLookupAndHostInOrder) {
  dns::FakeSrvResolver dns;
  dns.SetError("_activa._tcp.corp.example", Status(ResultCode::kNoHostReachable, "SERVFAIL"));
  dns.SetSrv("_activa._tcp.lab.example", {Srv(0, "a.lab.example", 1688)});
  FakeConnector hosts;
  hosts.Fails("cached.example:1688", "connection refused");
  hosts.Answers("a.lab.example:1688");
  Attempt a = Discovering();
  a.lookup_domains = {"corp.example", "empty.example", "lab.example"};
  a.hosts = {HostAddress{"cached.example", 1688}};
  std::mt19937_64 rng(1);
  AttemptOutcome out = RunAttempt(a, dns, hosts, rng);
  ASSERT_TRUE(out.answer.has_value());
  ASSERT_EQ(out.steps.size(), 5u);
  using K = AttemptStep::Kind;
  EXPECT_EQ(out.steps[0].kind, K::kHost);
  EXPECT_EQ(out.steps[0].name, "cached.example:1688");
  EXPECT_EQ(out.steps[0].what, "connection refused");
  EXPECT_EQ(out.steps[1].kind, K::kDns);
  EXPECT_EQ(out.steps[1].name, "_activa._tcp.corp.example");
  EXPECT_EQ(out.steps[1].what, "SERVFAIL");
  EXPECT_EQ(out.steps[2].name, "_activa._tcp.empty.example");
  EXPECT_EQ(out.steps[2].what, "no SRV records (NXDOMAIN or no data)");
  EXPECT_EQ(out.steps[3].name, "_activa._tcp.lab.example");
  EXPECT_EQ(out.steps[3].result, ResultCode::kOk);
  EXPECT_EQ(out.steps[3].what, "1 SRV record(s): a.lab.example:1688");
  EXPECT_EQ(out.steps[4].name, "a.lab.example:1688");
  EXPECT_EQ(out.steps[4].result, ResultCode::kOk);
  EXPECT_EQ(out.steps[4].what, "answered from 127.0.0.9");
}

TEST(AttemptTest, NoDomainIsAStepToo) {
  dns::FakeSrvResolver dns;
  FakeConnector hosts;
  Attempt a = Discovering();
  a.lookup_domains.clear();
  std::mt19937_64 rng(1);
  AttemptOutcome out = RunAttempt(a, dns, hosts, rng);
  ASSERT_EQ(out.steps.size(), 1u);
  EXPECT_EQ(out.steps[0].kind, AttemptStep::Kind::kDns);
  EXPECT_EQ(out.steps[0].name, "");
  EXPECT_EQ(out.steps[0].what.rfind("no DNS domain to look in", 0), 0u);
}

}  // namespace
}  // namespace activa
