// One activation attempt of the client role (DESIGN.md section 5, Client):
// the request to send and where to look for a host, and how to run it with
// failover.
//
// RunAttempt() is the whole failover rule, over injected parts, so tests
// drive it without a network: first the /skms host (or the host cached from
// the last success), then, with no /skms, SRV records asked in the lookup
// domain or the search list, tried lowest priority first and weighted at
// random within a priority (RFC 2782), dropping each host that fails and
// trying the next. The first host that answers at all (a signed response or
// an error frame) ends the attempt; what the answer means is the client
// role's to judge.
//
// Blocking: it waits on DNS and on each host in turn, each bounded by the
// connector's and resolver's timeouts. The daemon runs it on its worker
// thread, never on the event loop. Thread safety: none (one attempt at a
// time per resolver and connector).
#ifndef ACTIVA_CLIENT_ATTEMPT_H_
#define ACTIVA_CLIENT_ATTEMPT_H_

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/uuid.h"
#include "dns/srv_resolver.h"
#include "net/host_address.h"
#include "protocol/codec.h"

namespace activa {

struct Attempt {
  Uuid sku_id{};
  ActivationRequest request;
  // The host set with /skms, or the cached host (host caching on), to try
  // first; empty when there is none.
  std::vector<HostAddress> hosts;
  // No /skms: when `hosts` fails (or is empty), ask DNS for SRV records of
  // `service` in `lookup_domains` (empty: the resolver's search list).
  bool discover = false;
  std::string service;
  std::vector<std::string> lookup_domains;
};

// Sends one request to one host and returns its decoded answer.
class HostConnector {
 public:
  virtual ~HostConnector() = default;
  struct Reply {
    Message message;
    std::string address;  // the IP address the answer came from
  };
  // A failure (no address, refused, timed out, cut short, not our
  // protocol) is kNoHostReachable with a message saying which.
  virtual Result<Reply> Exchange(const HostAddress& host, const ActivationRequest& request) = 0;
};

// One thing an attempt did, in order: a DNS lookup or a host it tried.
struct AttemptStep {
  enum class Kind { kDns, kHost };
  Kind kind = Kind::kHost;
  // The SRV name asked ("_activa._tcp.corp.example"; empty when there was
  // no domain to look in), or the host as host:port.
  std::string name;
  // kOk for a lookup that found records or a host that answered (the client
  // role then puts the answer's result here), else what failed.
  ResultCode result = ResultCode::kNoHostReachable;
  std::string what;  // "connection refused", "no SRV records", "3 SRV records"
};

struct AttemptOutcome {
  std::optional<Message> answer;  // none: no host answered
  HostAddress host;               // the host that answered, or the last one tried
  std::string address;            // where the answer came from
  bool discovered = false;        // the attempt looked in DNS (no /skms)
  // DNS gave no host to try: `errors` names what was asked.
  bool discovery_failed = false;
  // Each host tried and what happened, in order ("host:port: why; ...").
  std::string errors;
  // The same, step by step, with the DNS lookups (slmgr prints them).
  std::vector<AttemptStep> steps;
};

AttemptOutcome RunAttempt(const Attempt& attempt, dns::SrvResolver& resolver,
                          HostConnector& connector, std::mt19937_64& rng);

}  // namespace activa

#endif  // ACTIVA_CLIENT_ATTEMPT_H_
