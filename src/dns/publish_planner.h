// What this host should have in DNS: the pure decision behind publishing
// (docs/dns.md, "Disabling publishing" and "Publishing into several
// domains"). No clock, no socket, no host-name lookup: every fact is an
// input, so a test states them all.
#ifndef ACTIVA_DNS_PUBLISH_PLANNER_H_
#define ACTIVA_DNS_PUBLISH_PLANNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "dns/dns_publisher.h"

namespace activa::dns {

// The facts the plan is made from.
struct PublishPlanInput {
  bool host_key_installed = false;
  bool activated = false;            // the host holds its certificate
  bool disable_publishing = false;   // [dns] disable_publishing
  bool publishing_on = true;         // false after slmgr /cdns
  std::string configured_host_name;  // [dns] host_name; "" = the machine's
  std::string machine_host_name;     // gethostname(), maybe without a domain
  // The resolver's search list; its first entry completes a machine host
  // name without a domain and is the own domain of a name without one.
  std::vector<std::string> search_domains;
  std::string service = "_activa._tcp";
  std::uint16_t port = 0;  // the activation port
  // [[dns.publish]], already validated (TSIG keys parsed); empty = the
  // machine's own domain, priority 0, weight 0.
  std::vector<PublishTarget> targets;
};

struct PublishPlan {
  bool publish = false;  // false: withdraw whatever was published
  // Publishing was turned off (/cdns, disable_publishing) on an activated
  // host: withdraw this host's records in `targets` even where this run did
  // not publish them.
  bool withdraw_all = false;
  std::string why_not;  // when !publish, for a person
  // Publishing is wanted but has no domain to go to (no FQDN, no
  // [[dns.publish]]): the administrator must act, unlike the other reasons.
  bool no_domain = false;
  // service, target (this host's FQDN, no trailing dot) and port; the TTL
  // is SrvRegistration's default.
  SrvRegistration registration;
  // The domains to publish in (or, with withdraw_all, to withdraw from).
  // Filled also when !publish.
  std::vector<PublishTarget> targets;
};

// Decides in this order: no host key, not activated, disable_publishing,
// /cdns (the last two set withdraw_all), no domain to publish in. The
// target is the configured host name, else the machine's host name
// completed with the first search domain when it has no dot.
PublishPlan PlanPublishing(const PublishPlanInput& input);

}  // namespace activa::dns

#endif  // ACTIVA_DNS_PUBLISH_PLANNER_H_
