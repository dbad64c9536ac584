// The clearinghouse's HTTP API as activad speaks it (docs/clearinghouse.md):
// where to go (the URL, the proxy), the request bodies and how to read the
// answers. Pure: text in, values out; no socket, no clock, no environment.
#ifndef ACTIVA_CLEARINGHOUSE_CLIENT_CLEARINGHOUSE_API_H_
#define ACTIVA_CLEARINGHOUSE_CLIENT_CLEARINGHOUSE_API_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "net/host_address.h"

namespace activa::clearinghouse {

// (Addresses are net/host_address.h's: "[::1]" loses its brackets.)

// The largest answer activad reads (a revocation list may be long).
inline constexpr std::size_t kMaxAnswerBytes = 4 * 1024 * 1024;

// "https://HOST[:PORT][/]", port 443 by default. Anything else (another
// scheme, a path, user information, a query) is kInvalidArgument naming
// `what` ("[client] clearinghouse", "the catalog's clearinghouse").
Result<HostAddress> ParseClearinghouseUrl(std::string_view url, std::string_view what);

// "http://HOST[:PORT][/]" (port 1080 by default, as curl's) or "HOST:PORT".
// User information is refused: activad sends no proxy credentials.
Result<HostAddress> ParseProxyUrl(std::string_view url, std::string_view what);

// The proxy to reach `host` through: `configured` ([client] proxy) when
// set, else `https_proxy` (the environment's), unless `no_proxy` (a comma-
// separated list: "*", host names matching themselves and their
// subdomains, with or without a leading dot, literal addresses) names
// `host`. nullopt: connect directly. A proxy URL that does not parse is
// kInvalidArgument.
Result<std::optional<HostAddress>> ChooseProxy(std::string_view configured,
                                               std::string_view https_proxy,
                                               std::string_view no_proxy, std::string_view host);

// True when `pin` is "sha256:" and 64 lower-case hexadecimal digits.
bool IsValidPin(std::string_view pin);

// The body of POST /v1/activations and /v1/renewals.
std::string InstallationRequestBody(std::string_view installation_id);

struct ActivationAnswer {
  std::string confirmation_id;
  std::string kind;  // "host" or "mak"
};
// 200 answers. A field missing or of the wrong type is
// kClearinghouseBadAnswer. Fields this version does not know are ignored:
// a newer server may add some, and the confirmation ID carries the
// vendor's signature, which activad checks itself.
Result<ActivationAnswer> ParseActivationAnswer(std::string_view body);
Result<std::string> ParseRenewalAnswer(std::string_view body);

// The Status for an answer that is not 200: the code and message of the
// body's {"error": {...}} (with its field), followed by "(from the
// clearinghouse at URL)". A body that is not such an object gives a code
// from the HTTP status (kClearinghouseBusy for 429,
// kClearinghouseUnreachable for 5xx, kClearinghouseBadAnswer otherwise)
// and quotes the status line.
Status ErrorFromAnswer(int http_status, std::string_view body, std::string_view url);

// Seconds from a Retry-After header (delta-seconds), clamped to 1..86400;
// an HTTP date or garbage gives 60.
std::int64_t ParseRetryAfter(std::string_view value);

}  // namespace activa::clearinghouse

#endif  // ACTIVA_CLEARINGHOUSE_CLIENT_CLEARINGHOUSE_API_H_
