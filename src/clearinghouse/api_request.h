// The clearinghouse's HTTP API as types (docs/clearinghouse.md): request
// bytes in, a typed request or the 4xx that names what was wrong out.
//
// Pure: no sockets, no clock, no database. The server (https_server.h) and
// the fuzz target both go through ParseApiRequest, so what the fuzzer
// reaches is what the network reaches.
#ifndef ACTIVA_CLEARINGHOUSE_API_REQUEST_H_
#define ACTIVA_CLEARINGHOUSE_API_REQUEST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result_code.h"
#include "keys/activation_codes.h"

namespace activa {

// No request of the API is larger; anything larger is refused with 413
// before it is parsed.
inline constexpr std::size_t kMaxApiBodyBytes = 16 * 1024;

enum class ApiRoute {
  kActivate,     // POST /v1/activations
  kRenew,        // POST /v1/renewals
  kRevocations,  // GET /v1/revocations
  kHealth,       // GET /healthz
  kReady,        // GET /readyz
  kMetrics,      // GET /metrics
};

struct ApiRequest {
  ApiRoute route = ApiRoute::kHealth;
  // kActivate and kRenew: the installation ID as sent and as parsed.
  std::string installation_id_text;
  InstallationId installation_id;
};

// An answer that is not a success: the HTTP status, the result code the
// JSON error carries, a message for a person and the one request field at
// fault ("" when not one field).
struct ApiError {
  int http_status = 400;
  ResultCode code = ResultCode::kInvalidArgument;
  std::string message;
  std::string field;
  std::string allow;  // 405: the methods the path accepts
};

struct ParsedApiRequest {
  std::optional<ApiRequest> request;
  ApiError error;  // meaningful when !request
};

// `target` is the request target (path, no query is accepted); `body` the
// whole body, at most kMaxApiBodyBytes (larger: 413). For the two POST
// routes the body must be a JSON object with exactly the one string field
// "installation_id" holding an installation ID that parses and carries a
// host key or a MAK (a renewal: a host key only).
ParsedApiRequest ParseApiRequest(std::string_view method, std::string_view target,
                                 std::string_view body);

// The HTTP status for a refusal by the vendor (Vendor::Confirm, Renew):
// 400 for a malformed or wrong-kind installation ID, 403 for a key that is
// refused, 503 for a database that is unavailable, 500 for anything else.
int HttpStatusForRefusal(ResultCode code);

// {"error": {"code": "0x...", "message": "...", "field": "..."}}; `field`
// only when the error names one.
std::string ApiErrorJson(const ApiError& error);

// The route's name in metrics and logs: "activations", "renewals", ...
std::string_view ApiRouteName(ApiRoute route);

}  // namespace activa

#endif  // ACTIVA_CLEARINGHOUSE_API_REQUEST_H_
