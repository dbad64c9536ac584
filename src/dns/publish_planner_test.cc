#include "dns/publish_planner.h"

#include <gtest/gtest.h>

namespace activa::dns {
namespace {

PublishPlanInput ActivatedHost() {
  PublishPlanInput in;
  in.host_key_installed = true;
  in.activated = true;
  in.machine_host_name = "kms1.corp.example";
  in.port = 1688;
  return in;
}

TEST(PlanPublishingTest, ActivatedHostPublishesInItsOwnDomain) {
  PublishPlan plan = PlanPublishing(ActivatedHost());
  EXPECT_TRUE(plan.publish);
  EXPECT_FALSE(plan.withdraw_all);
  EXPECT_EQ(plan.why_not, "");
  EXPECT_EQ(plan.registration.service, "_activa._tcp");
  EXPECT_EQ(plan.registration.target, "kms1.corp.example");
  EXPECT_EQ(plan.registration.port, 1688);
  ASSERT_EQ(plan.targets.size(), 1u);
  EXPECT_EQ(plan.targets[0].domain, "corp.example");
  EXPECT_EQ(plan.targets[0].priority, 0);
  EXPECT_EQ(plan.targets[0].weight, 0);
}

TEST(PlanPublishingTest, ReasonsNotToPublishInOrder) {
  PublishPlanInput in = ActivatedHost();
  in.host_key_installed = false;
  in.activated = false;
  in.disable_publishing = true;
  PublishPlan plan = PlanPublishing(in);
  EXPECT_FALSE(plan.publish);
  EXPECT_FALSE(plan.withdraw_all);
  EXPECT_EQ(plan.why_not, "no host key is installed");

  in.host_key_installed = true;
  plan = PlanPublishing(in);
  EXPECT_EQ(plan.why_not, "the host is not activated");
  EXPECT_FALSE(plan.withdraw_all);

  in.activated = true;
  in.publishing_on = false;
  plan = PlanPublishing(in);
  EXPECT_FALSE(plan.publish);
  EXPECT_TRUE(plan.withdraw_all);
  EXPECT_EQ(plan.why_not, "disable_publishing is set in the configuration");
  // The domains stay in the plan, for withdraw_all.
  ASSERT_EQ(plan.targets.size(), 1u);

  in.disable_publishing = false;
  plan = PlanPublishing(in);
  EXPECT_FALSE(plan.publish);
  EXPECT_TRUE(plan.withdraw_all);
  EXPECT_EQ(plan.why_not, "publishing is off (slmgr /cdns)");
}

TEST(PlanPublishingTest, TargetFromConfigOrCompletedMachineName) {
  PublishPlanInput in = ActivatedHost();
  in.configured_host_name = "kms.lab.example.";
  in.search_domains = {"corp.example"};
  PublishPlan plan = PlanPublishing(in);
  EXPECT_EQ(plan.registration.target, "kms.lab.example");
  ASSERT_EQ(plan.targets.size(), 1u);
  EXPECT_EQ(plan.targets[0].domain, "lab.example");

  in.configured_host_name = "";
  in.machine_host_name = "kms1";
  plan = PlanPublishing(in);
  EXPECT_TRUE(plan.publish);
  EXPECT_EQ(plan.registration.target, "kms1.corp.example");
  EXPECT_EQ(plan.targets[0].domain, "corp.example");
}

TEST(PlanPublishingTest, NoDomainToPublishInSaysWhy) {
  PublishPlanInput in = ActivatedHost();
  in.machine_host_name = "kms1";
  PublishPlan plan = PlanPublishing(in);
  EXPECT_FALSE(plan.publish);
  EXPECT_FALSE(plan.withdraw_all);
  EXPECT_EQ(plan.why_not,
            "no domain to publish in: this machine's name (kms1) has no domain and the resolver "
            "has no search list; set [dns] host_name to this host's FQDN or name the domains in "
            "[[dns.publish]]");
  EXPECT_TRUE(plan.no_domain);
  EXPECT_TRUE(plan.targets.empty());
  EXPECT_EQ(plan.registration.target, "kms1");

  // An earlier reason stays the reason.
  in.publishing_on = false;
  plan = PlanPublishing(in);
  EXPECT_EQ(plan.why_not, "publishing is off (slmgr /cdns)");
  EXPECT_FALSE(plan.no_domain);  // nothing for the administrator to fix
}

TEST(PlanPublishingTest, ConfiguredTargetsReplaceTheOwnDomain) {
  PublishPlanInput in = ActivatedHost();
  in.service = "_test._tcp";
  in.port = 1700;
  PublishTarget a;
  a.domain = "branch.example";
  a.priority = 10;
  a.weight = 50;
  a.tsig = TsigKey{"activa-host", "hmac-sha256", "c2VjcmV0"};
  PublishTarget b;
  b.domain = "lab.example";
  in.targets = {a, b};
  PublishPlan plan = PlanPublishing(in);
  EXPECT_TRUE(plan.publish);
  EXPECT_EQ(plan.registration.service, "_test._tcp");
  EXPECT_EQ(plan.registration.port, 1700);
  ASSERT_EQ(plan.targets.size(), 2u);
  EXPECT_EQ(plan.targets[0].domain, "branch.example");
  EXPECT_EQ(plan.targets[0].priority, 10);
  ASSERT_TRUE(plan.targets[0].tsig.has_value());
  EXPECT_EQ(plan.targets[0].tsig->name, "activa-host");
  EXPECT_EQ(plan.targets[1].domain, "lab.example");
}

}  // namespace
}  // namespace activa::dns
