#include "dns/publish_reconciler.h"

#include <gtest/gtest.h>

#include <chrono>

#include "dns/fake_dns_publisher.h"

namespace activa::dns {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using Clock = PublishReconciler::Clock;

PublishTarget Target(std::string domain) {
  PublishTarget t;
  t.domain = std::move(domain);
  return t;
}

PublishPlan Plan(std::vector<PublishTarget> targets, std::uint16_t port = 1688) {
  PublishPlan plan;
  plan.publish = true;
  plan.registration.target = "kms1.corp.example";
  plan.registration.port = port;
  plan.targets = std::move(targets);
  return plan;
}

PublishPlan Off(PublishPlan plan) {
  plan.publish = false;
  plan.withdraw_all = true;
  plan.why_not = "publishing is off (slmgr /cdns)";
  return plan;
}

// What the daemon's DNS loop does, with a fake publisher and a fake clock.
class ReconcilerTest : public ::testing::Test {
 protected:
  // One pass: run what is due, report each result.
  void Pass() {
    for (const PublishAction& a : reconciler_.Due(now_)) {
      reconciler_.Report(a, RunPublishAction(dns_, a), now_);
    }
  }
  // Sleeps until the reconciler's next run, then passes; returns the sleep.
  Clock::duration SleepAndPass() {
    Clock::time_point next = reconciler_.NextRun(now_);
    Clock::duration slept = next - now_;
    now_ = next;
    Pass();
    return slept;
  }
  std::string Calls() {
    std::string out;
    for (const FakeDnsPublisher::Call& c : dns_.history()) {
      if (!out.empty()) out += " ";
      out += (c.publish ? "publish " : "withdraw ") + c.target.domain + ":" +
             std::to_string(c.registration.port);
    }
    dns_.ClearHistory();
    return out;
  }
  const std::vector<SrvRecord>& Records(const std::string& domain) {
    return dns_.records("_activa._tcp." + domain);
  }

  FakeDnsPublisher dns_;
  PublishReconciler reconciler_;
  Clock::time_point now_ = Clock::time_point() + hours(1000);
};

TEST_F(ReconcilerTest, PublishesAtOnceThenRefreshesDaily) {
  reconciler_.SetPlan(Plan({Target("corp.example"), Target("lab.example")}), true);
  Pass();
  EXPECT_EQ(Calls(), "publish corp.example:1688 publish lab.example:1688");
  ASSERT_EQ(Records("corp.example").size(), 1u);
  EXPECT_EQ(Records("corp.example")[0], (SrvRecord{0, 0, 1688, "kms1.corp.example"}));
  EXPECT_EQ(reconciler_.NextRun(now_), now_ + hours(24));

  // The same plan again (a pass woken early) changes nothing.
  reconciler_.SetPlan(Plan({Target("corp.example"), Target("lab.example")}), false);
  now_ += hours(23);
  Pass();
  EXPECT_EQ(Calls(), "");

  EXPECT_EQ(SleepAndPass(), hours(1));
  EXPECT_EQ(Calls(), "publish corp.example:1688 publish lab.example:1688");
  EXPECT_EQ(Records("corp.example").size(), 1u);
  EXPECT_EQ(reconciler_.NextRun(now_), now_ + hours(24));
}

TEST_F(ReconcilerTest, FailureBacksOffDoublingToAnHourAndSuccessResets) {
  dns_.SetError("corp.example", Status(ResultCode::kDnsUpdateFailed, "REFUSED"));
  reconciler_.SetPlan(Plan({Target("corp.example"), Target("lab.example")}), true);
  Pass();
  EXPECT_EQ(Calls(), "publish corp.example:1688 publish lab.example:1688");
  std::vector<Clock::duration> waits;
  for (int i = 0; i < 8; ++i) {
    waits.push_back(SleepAndPass());
    EXPECT_EQ(Calls(), "publish corp.example:1688") << i;  // lab.example is not due
  }
  EXPECT_EQ(waits, (std::vector<Clock::duration>{minutes(1), minutes(2), minutes(4), minutes(8),
                                                 minutes(16), minutes(32), hours(1), hours(1)}));
  EXPECT_TRUE(Records("corp.example").empty());

  dns_.ClearError("corp.example");
  EXPECT_EQ(SleepAndPass(), hours(1));
  EXPECT_EQ(Calls(), "publish corp.example:1688");
  EXPECT_EQ(Records("corp.example").size(), 1u);

  // The next failure starts again at a minute.
  dns_.SetError("corp.example", Status(ResultCode::kDnsUpdateFailed, "SERVFAIL"));
  SleepAndPass();
  EXPECT_EQ(Calls(), "publish lab.example:1688");  // its daily refresh
  EXPECT_EQ(SleepAndPass(), hours(4) + minutes(3));
  EXPECT_EQ(Calls(), "publish corp.example:1688");
  EXPECT_EQ(SleepAndPass(), minutes(1));
  // The failed refresh left the earlier record in place.
  EXPECT_EQ(Records("corp.example").size(), 1u);
}

TEST_F(ReconcilerTest, PublishingTurnedOffWithdraws) {
  reconciler_.SetPlan(Plan({Target("corp.example")}), true);
  Pass();
  Calls();
  reconciler_.SetPlan(Off(Plan({Target("corp.example")})), true);
  Pass();
  EXPECT_EQ(Calls(), "withdraw corp.example:1688");
  EXPECT_TRUE(Records("corp.example").empty());
  EXPECT_EQ(reconciler_.NextRun(now_), now_ + hours(24));
  SleepAndPass();
  EXPECT_EQ(Calls(), "");
}

TEST_F(ReconcilerTest, WithdrawAllReachesDomainsThisRunNeverPublished) {
  // An earlier run of the daemon left its records; this one starts with
  // publishing off.
  ASSERT_TRUE(dns_.Publish(Target("corp.example"), Plan({}).registration).ok());
  ASSERT_TRUE(dns_.Publish(Target("lab.example"), Plan({}).registration).ok());
  Calls();
  PublishPlan off = Off(Plan({Target("corp.example"), Target("lab.example")}));
  reconciler_.SetPlan(off, /*changed=*/false);
  Pass();
  EXPECT_EQ(Calls(), "");  // only a change acts on withdraw_all
  dns_.SetError("lab.example", Status(ResultCode::kDnsUpdateFailed, "REFUSED"));
  reconciler_.SetPlan(off, /*changed=*/true);
  Pass();
  EXPECT_EQ(Calls(), "withdraw corp.example:1688 withdraw lab.example:1688");
  EXPECT_TRUE(Records("corp.example").empty());
  // Tried once: a network without dynamic DNS would log a failure hourly.
  EXPECT_EQ(SleepAndPass(), hours(24));
  EXPECT_EQ(Calls(), "");
}

TEST_F(ReconcilerTest, ChangedPortWithdrawsTheOldRecordBeforePublishingTheNew) {
  reconciler_.SetPlan(Plan({Target("corp.example")}, 1688), true);
  Pass();
  Calls();
  reconciler_.SetPlan(Plan({Target("corp.example")}, 1700), true);
  Pass();
  EXPECT_EQ(Calls(), "withdraw corp.example:1688 publish corp.example:1700");
  ASSERT_EQ(Records("corp.example").size(), 1u);
  EXPECT_EQ(Records("corp.example")[0].port, 1700);
}

TEST_F(ReconcilerTest, ChangedPriorityWeightServerOrKeyRepublishes) {
  PublishTarget t = Target("corp.example");
  reconciler_.SetPlan(Plan({t}), true);
  Pass();
  Calls();
  auto expect_republish = [&](const char* what) {
    reconciler_.SetPlan(Plan({t}), true);
    Pass();
    EXPECT_EQ(Calls(), "withdraw corp.example:1688 publish corp.example:1688") << what;
  };
  t.priority = 10;
  expect_republish("priority");
  t.weight = 5;
  expect_republish("weight");
  t.server = "127.0.0.1";
  expect_republish("server");
  t.server_port = 5300;
  expect_republish("server port");
  t.tsig = TsigKey{"activa-host", "hmac-sha256", "c2VjcmV0"};
  expect_republish("new key");
  t.tsig->secret_base64 = "b3RoZXI=";
  expect_republish("new secret");
  ASSERT_EQ(Records("corp.example").size(), 1u);
  EXPECT_EQ(Records("corp.example")[0], (SrvRecord{10, 5, 1688, "kms1.corp.example"}));
}

TEST_F(ReconcilerTest, TheWithdrawalUsesTheOldKeyAndThePublishTheNew) {
  PublishTarget t = Target("corp.example");
  t.tsig = TsigKey{"old", "hmac-sha256", "b2xk"};
  reconciler_.SetPlan(Plan({t}), true);
  Pass();
  dns_.ClearHistory();
  t.tsig = TsigKey{"new", "hmac-sha256", "bmV3"};
  reconciler_.SetPlan(Plan({t}), true);
  Pass();
  ASSERT_EQ(dns_.history().size(), 2u);
  EXPECT_FALSE(dns_.history()[0].publish);
  EXPECT_EQ(dns_.history()[0].target.tsig->name, "old");
  EXPECT_TRUE(dns_.history()[1].publish);
  EXPECT_EQ(dns_.history()[1].target.tsig->name, "new");
}

TEST_F(ReconcilerTest, RemovedDomainIsWithdrawn) {
  reconciler_.SetPlan(Plan({Target("corp.example"), Target("lab.example")}), true);
  Pass();
  Calls();
  reconciler_.SetPlan(Plan({Target("corp.example")}), true);
  Pass();
  EXPECT_EQ(Calls(), "withdraw lab.example:1688");
  EXPECT_TRUE(Records("lab.example").empty());
  EXPECT_EQ(Records("corp.example").size(), 1u);
}

TEST_F(ReconcilerTest, OnlyWhatWasPublishedIsWithdrawn) {
  dns_.SetError("lab.example", Status(ResultCode::kDnsUpdateFailed, "REFUSED"));
  reconciler_.SetPlan(Plan({Target("corp.example"), Target("lab.example")}), true);
  Pass();
  Calls();
  reconciler_.SetPlan(Plan({Target("corp.example")}), true);
  Pass();
  EXPECT_EQ(Calls(), "");
  EXPECT_EQ(SleepAndPass(), hours(24));  // no retry left for lab.example
  EXPECT_EQ(Calls(), "publish corp.example:1688");
}

TEST_F(ReconcilerTest, FailedWithdrawalIsRetriedUntilTheRecordIsPublishedAgain) {
  reconciler_.SetPlan(Plan({Target("corp.example")}), true);
  Pass();
  Calls();
  dns_.SetError("corp.example", Status(ResultCode::kDnsUpdateFailed, "timeout after 3000 ms"));
  reconciler_.SetPlan(Off(Plan({Target("corp.example")})), true);
  Pass();
  EXPECT_EQ(Calls(), "withdraw corp.example:1688");
  EXPECT_EQ(SleepAndPass(), minutes(1));
  EXPECT_EQ(SleepAndPass(), minutes(2));
  EXPECT_EQ(Calls(), "withdraw corp.example:1688 withdraw corp.example:1688");

  // slmgr /sdns: the publish replaces the record, and the old withdrawal
  // must not delete it afterwards.
  dns_.ClearError("corp.example");
  reconciler_.SetPlan(Plan({Target("corp.example")}), true);
  Pass();
  EXPECT_EQ(Calls(), "publish corp.example:1688");
  EXPECT_EQ(SleepAndPass(), hours(24));
  EXPECT_EQ(Calls(), "publish corp.example:1688");
  EXPECT_EQ(Records("corp.example").size(), 1u);
}

TEST_F(ReconcilerTest, NothingToPublishDoesNothing) {
  PublishPlanInput in;
  in.host_key_installed = true;
  in.activated = true;
  in.machine_host_name = "kms1";  // no domain, no search list
  PublishPlan plan = PlanPublishing(in);
  EXPECT_EQ(plan.why_not,
            "no domain to publish in: this machine's name (kms1) has no domain and the resolver "
            "has no search list; set [dns] host_name to this host's FQDN or name the domains in "
            "[[dns.publish]]");
  EXPECT_TRUE(plan.no_domain);
  reconciler_.SetPlan(plan, true);
  EXPECT_TRUE(reconciler_.Due(now_).empty());
  EXPECT_EQ(reconciler_.NextRun(now_), now_ + hours(24));
}

TEST_F(ReconcilerTest, PublishThatOutlivedItsPlanIsWithdrawn) {
  reconciler_.SetPlan(Plan({Target("corp.example")}), true);
  std::vector<PublishAction> due = reconciler_.Due(now_);
  ASSERT_EQ(due.size(), 1u);
  Status s = RunPublishAction(dns_, due[0]);
  reconciler_.SetPlan(Plan({Target("corp.example")}, 1700), true);  // /sprt meanwhile
  reconciler_.Report(due[0], s, now_);
  Pass();
  EXPECT_EQ(Calls(),
            "publish corp.example:1688 withdraw corp.example:1688 publish corp.example:1700");
  ASSERT_EQ(Records("corp.example").size(), 1u);
  EXPECT_EQ(Records("corp.example")[0].port, 1700);
}

}  // namespace
}  // namespace activa::dns
