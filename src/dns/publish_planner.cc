#include "dns/publish_planner.h"

namespace activa::dns {

PublishPlan PlanPublishing(const PublishPlanInput& input) {
  PublishPlan plan;
  plan.registration.service = input.service;
  plan.registration.port = input.port;
  // An unactivated host would only refuse its clients, so it does not
  // announce itself; and it has nothing to withdraw, since it never did.
  if (!input.host_key_installed) {
    plan.why_not = "no host key is installed";
  } else if (!input.activated) {
    plan.why_not = "the host is not activated";
  } else if (input.disable_publishing) {
    plan.why_not = "disable_publishing is set in the configuration";
    plan.withdraw_all = true;
  } else if (!input.publishing_on) {
    plan.why_not = "publishing is off (slmgr /cdns)";
    plan.withdraw_all = true;
  } else {
    plan.publish = true;
  }

  std::string& target = plan.registration.target;
  target = input.configured_host_name;
  if (target.empty()) {
    target = input.machine_host_name;
    if (target.find('.') == std::string::npos && !input.search_domains.empty()) {
      target += "." + input.search_domains.front();
    }
  }
  while (!target.empty() && target.back() == '.') target.pop_back();

  plan.targets = input.targets;
  if (plan.targets.empty()) {
    std::size_t dot = target.find('.');
    std::string own = dot != std::string::npos       ? target.substr(dot + 1)
                      : input.search_domains.empty() ? std::string()
                                                     : input.search_domains.front();
    if (own.empty()) {
      if (plan.publish) {
        plan.why_not =
            "no domain to publish in: this machine's name (" +
            (target.empty() ? std::string("unknown") : target) +
            ") has no domain and the resolver has no search list; set [dns] host_name to this "
            "host's FQDN or name the domains in [[dns.publish]]";
        plan.no_domain = true;
      }
      plan.publish = false;
    } else {
      PublishTarget t;
      t.domain = own;
      plan.targets.push_back(std::move(t));
    }
  }
  return plan;
}

}  // namespace activa::dns
