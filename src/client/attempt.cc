#include "client/attempt.h"

#include <set>

#include "dns/srv_selection.h"

namespace activa {
namespace {

// Asks for SRV records in the lookup domains (or the search list), in
// order, and returns the first non-empty answer; `what` says what was asked
// when there is none.
std::vector<dns::SrvRecord> Discover(const Attempt& attempt, dns::SrvResolver& resolver,
                                     std::string& what, std::vector<AttemptStep>& steps) {
  std::vector<std::string> domains = attempt.lookup_domains;
  if (domains.empty()) domains = resolver.SearchDomains();
  if (domains.empty()) {
    what = "no DNS domain to look in: set one with slmgr /skms-domain or a host with /skms";
    steps.push_back({AttemptStep::Kind::kDns, "", ResultCode::kNoHostReachable, what});
    return {};
  }
  std::string asked;
  for (const std::string& domain : domains) {
    std::string name = attempt.service + "." + domain;
    asked += (asked.empty() ? "" : ", ") + name;
    Result<std::vector<dns::SrvRecord>> r = resolver.QuerySrv(name);
    if (!r.ok()) {
      asked += " (" + r.status().message() + ")";
      steps.push_back({AttemptStep::Kind::kDns, name, r.status().code(), r.status().message()});
      continue;
    }
    if (!r->empty()) {
      std::string found;
      for (const dns::SrvRecord& record : *r) {
        found += (found.empty() ? "" : ", ") + HostAddress{record.target, record.port}.ToString();
      }
      steps.push_back({AttemptStep::Kind::kDns, name, ResultCode::kOk,
                       std::to_string(r->size()) + " SRV record(s): " + found});
      return *r;
    }
    // The resolver does not tell NXDOMAIN from a name without SRV records;
    // for the administrator both mean the record is not where it was asked.
    steps.push_back({AttemptStep::Kind::kDns, name, ResultCode::kNoHostReachable,
                     "no SRV records (NXDOMAIN or no data)"});
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
      out.steps.push_back({AttemptStep::Kind::kHost, host.ToString(), ResultCode::kOk,
                           out.address.empty() ? "answered" : "answered from " + out.address});
      return true;
    }
    out.steps.push_back({AttemptStep::Kind::kHost, host.ToString(), reply.status().code(),
                         reply.status().message()});
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
  std::vector<dns::SrvRecord> records = Discover(attempt, resolver, what, out.steps);
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
