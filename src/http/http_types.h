// One HTTP exchange in plain types, as the daemon's listeners hand it to
// handlers and take the answer back. The listener (Beast) parses, bounds
// and converts; handlers never see a socket.
#ifndef ACTIVA_HTTP_HTTP_TYPES_H_
#define ACTIVA_HTTP_HTTP_TYPES_H_

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace activa::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/v1/login": the target up to '?', not decoded
  std::string query;   // after '?', not decoded; "" when none
  // Header names in lower case, in the order received.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The peer's address as the socket reports it ("192.0.2.7", "::1"),
  // never a header's claim.
  std::string source;
  bool tls = false;  // arrived over TLS

  // The first header of that (lower-case) name, or "" when absent.
  std::string_view Header(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  // Extra headers (Set-Cookie, Retry-After, Cache-Control, ...).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// A JSON error body {"error": {"status": N, "message": "..."}} with that
// status; the message names what was wrong.
Response JsonError(unsigned status, std::string_view message);

// Handlers answer exactly once, possibly after returning (a PAM login, an
// `ato`), from the daemon's event loop.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Reply)>;

}  // namespace activa::http

#endif  // ACTIVA_HTTP_HTTP_TYPES_H_
