// The management listener's own routes (docs/remote.md), added to the
// daemon's http::Router:
//
//   POST /v1/login       {"user","password"} -> {"token", "csrf_token",
//                        "user", "admin", "idle_timeout_seconds"}
//   POST /v1/logout      Authorization: Bearer TOKEN
//   POST /v1/management  Authorization: Bearer TOKEN; the body is one
//                        management request line, exactly as on the Unix
//                        socket; the answer is the response line
//
// Requests run with the session's management::Peer (source: the remote
// address, user: the login name), so the operations table's permission
// check is the same as locally. Every operation that is not read-only,
// run by an administrator, is logged as event 12297 with user, source,
// operation and result.
//
// Pure: no sockets, no Beast; the handlers run on the daemon's event loop.
#ifndef ACTIVA_REMOTE_MANAGEMENT_ROUTES_H_
#define ACTIVA_REMOTE_MANAGEMENT_ROUTES_H_

#include <functional>
#include <string>
#include <string_view>

#include "http/router.h"
#include "http/session.h"
#include "management/service.h"

namespace activa::remote {

// Hands one request line to the management service (as the Unix socket
// does, with what the daemon does after a change) and calls `reply` once
// with the response line.
using LineHandler = std::function<void(std::string_view line, const management::Peer& peer,
                                       std::function<void(std::string)> reply)>;
using EventLog = std::function<void(int event_id, const std::string& message)>;

struct RoutesOptions {
  int idle_timeout_seconds = 900;  // reported by /v1/login
};

// `sessions` must outlive `router`'s use.
void AddManagementRoutes(http::Router& router, http::SessionStore& sessions,
                         LineHandler handle_line, EventLog log, RoutesOptions options);

// The session named by the request's "Authorization: Bearer TOKEN", or
// nullopt (for the other routes on the listener that take bearer tokens).
std::optional<http::Session> BearerSession(const http::Request& request,
                                           http::SessionStore& sessions);

}  // namespace activa::remote

#endif  // ACTIVA_REMOTE_MANAGEMENT_ROUTES_H_
