// One DNS exchange with one server: internal to activa_dns.
#ifndef ACTIVA_DNS_INTERNAL_TRANSPORT_H_
#define ACTIVA_DNS_INTERNAL_TRANSPORT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "dns/srv_resolver.h"

namespace activa::dns::internal {

// A DNS message ID from a cryptographic generator, for every query and
// update this library sends.
std::uint16_t NewQueryId();

// A query for `name` (absolute or not; a trailing dot is added) of RR type
// `type`, with a random ID, recursion desired. kInvalidArgument for a name
// that is not a domain name.
Result<Bytes> BuildQuery(const std::string& name, std::uint16_t type);

// Sends `query` (one question, as BuildQuery makes it, or an UPDATE with one
// zone) to host:port over UDP and returns the first datagram from that
// address and port that answers it (IsAnswerTo: same ID and question, QR
// set); when that answer is truncated, asks again over TCP. Anything else
// that arrives is dropped and the wait goes on, so a forged or stray
// datagram neither is taken nor ends the wait early. Both legs are bounded
// by `timeout_ms`. Errors are kNoHostReachable with a short
// message: "timeout after 2000 ms", "connection refused", "...".
Result<Bytes> Exchange(const std::string& host, std::uint16_t port, const Bytes& query,
                       int timeout_ms);

// Asks for `name`/`type` from the configured nameserver, or else from
// resolv.conf's nameservers in order, until `take` accepts an answer (returns
// OK). A server that fails or whose answer `take` rejects counts as failed
// and the next is asked. The error, kNoHostReachable, names the query, the
// last server and what went wrong there.
Status AskServers(const ResolverConfig& config, const std::string& name, std::uint16_t type,
                  const std::function<Status(ByteSpan)>& take);

}  // namespace activa::dns::internal

#endif  // ACTIVA_DNS_INTERNAL_TRANSPORT_H_
