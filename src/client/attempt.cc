#include "client/attempt.h"

#include <set>

#include "dns/srv_selection.h"

namespace activa {
namespace {

// Asks for SRV records in the lookup domains (or the search list), in
// order, and returns the first non-empty answer; `what` says what was asked
// when there is none.
std::vector<dns::SrvRecord> Discover(const Attempt& attempt, dns::SrvResolver& resolver,
                                     std::string& what) {
  std::vector<std::string> domains = attempt.lookup_domains;
  if (domains.empty()) domains = resolver.SearchDomains();
  if (domains.empty()) {
    what = "no DNS domain to look in: set one with slmgr /skms-domain or a host with /skms";
    return {};
  }
  std::string asked;
  for (const std::string& domain : domains) {
    std::string name = attempt.service + "." + domain;
    asked += (asked.empty() ? "" : ", ") + name;
    Result<std::vector<dns::SrvRecord>> r = resolver.QuerySrv(name);
    if (!r.ok()) {
      asked += " (" + r.status().message() + ")";
      continue;
    }
    if (!r->empty()) return *r;
  }
  what = "no SRV records for an activation host at " + asked;
  return {};
}

}  // namespace

AttemptOutcome RunAttempt(const Attempt& attempt, dns::SrvResolver& resolver,
                          HostConnector& connector, std::mt19937_64& rng) {
  AttemptOutcome out;
  out.discovered = attempt.discover;
  std::set<std::string> tried;
  auto try_host = [&](const HostAddress& host) {
    out.host = host;
    Result<HostConnector::Reply> reply = connector.Exchange(host, attempt.request);
    if (reply.ok()) {
      out.answer = std::move(reply->message);
      out.address = std::move(reply->address);
      return true;
    }
    out.errors +=
        (out.errors.empty() ? "" : "; ") + host.ToString() + ": " + reply.status().message();
    return false;
  };
  // The /skms host, or the cached one.
  for (const HostAddress& host : attempt.hosts) {
    tried.insert(host.ToString());
    if (try_host(host)) return out;
  }
  if (!attempt.discover) return out;
  std::string what;
  std::vector<dns::SrvRecord> records = Discover(attempt, resolver, what);
  if (records.empty()) {
    out.discovery_failed = true;
    out.errors = what + (out.errors.empty() ? "" : "; " + out.errors);
    return out;
  }
  for (const dns::SrvRecord& r : dns::OrderForSelection(std::move(records), rng)) {
    HostAddress host{r.target, r.port};
    if (!tried.insert(host.ToString()).second) continue;
    if (try_host(host)) return out;
  }
  return out;
}

}  // namespace activa
