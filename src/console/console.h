// The web console (docs/remote.md, "The web console"): its pages, embedded
// in the binary, and a JSON API over management::Service, on the
// management listener's router.
//
// Every API call is one management operation run as the logged-in user
// (http::Session's peer), through the daemon's LineHandler: the console has no
// operation and no permission rule of its own, so a standard user is
// refused a change here exactly as by slmgr (0x80070005, answered 403).
// Answers are the management protocol's JSON (docs/management.md), so the
// page reads what `slmgr --json` prints.
//
// Routes (all under the management listener, which is TLS):
//   GET  /                     302 to /console/
//   GET  /console/...          the embedded files; /console/ is index.html
//   POST /console/api/login    {"user","password"}: sets the session cookie
//   POST /console/api/logout   ends the session                    (CSRF)
//   GET  /console/api/session  who is logged in, and the CSRF token
//   GET  /console/api/overview dli
//   GET  /console/api/clients  dlc: first, after, search
//   GET  /console/api/events   dle: event_id, since, machine, result, first, before
//   POST /console/api/settings one of sai sri sprt sdns cdns spri cpri (CSRF)
//
// Sessions: the cookie `activa_session` (HttpOnly; Secure; SameSite=Strict)
// names an http::SessionStore session, whose idle timeout logs the page out
// (the API then answers 401). Every POST but login must carry the session's
// CSRF token in X-CSRF-Token and a JSON body; otherwise 403 / 415.
//
// The Console keeps no state: the session store it refers to must outlive
// the routes it adds. Handlers run on the
// daemon's event loop, as the router calls them.
#ifndef ACTIVA_CONSOLE_CONSOLE_H_
#define ACTIVA_CONSOLE_CONSOLE_H_

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "http/http_types.h"
#include "http/router.h"
#include "http/session.h"
#include "management/service.h"

namespace activa::console {

inline constexpr std::string_view kSessionCookie = "activa_session";

// Hands one management request line to the daemon (Service::HandleLine,
// then what the daemon does after a change: rebinding a moved port,
// applying a priority, publishing) and calls `reply` once with the
// response line. The same function serves the remote listener's
// /v1/management, so a change means the same from either.
using LineHandler = std::function<void(std::string_view line, const management::Peer& peer,
                                       std::function<void(std::string)> reply)>;
// Logs a stored event (event ID, message).
using EventLog = std::function<void(int event_id, const std::string& message)>;

class Console {
 public:
  // Every change an administrator makes here is logged as event 12297
  // (kEventRemoteChange) with the user, the source address and the result.
  Console(LineHandler handle_line, http::SessionStore& sessions, EventLog log)
      : handle_line_(std::move(handle_line)), sessions_(sessions), log_(std::move(log)) {}

  // Adds the routes above to `router`.
  void AddRoutes(http::Router& router);

  // Each route's handler; public so that tests can call one directly.
  void ServeFile(const http::Request& request, http::Reply reply) const;
  void Login(const http::Request& request, http::Reply reply);
  void Logout(const http::Request& request, http::Reply reply);
  void SessionInfo(const http::Request& request, http::Reply reply);
  void Overview(const http::Request& request, http::Reply reply);
  void Clients(const http::Request& request, http::Reply reply);
  void Events(const http::Request& request, http::Reply reply);
  void Settings(const http::Request& request, http::Reply reply);

 private:
  // Runs the management request `line` as the session's user and answers
  // with its JSON; `changes` logs it (an administrator's) as event 12297.
  void Run(const http::Session& session, std::string line, bool changes, http::Reply reply);

  LineHandler handle_line_;
  http::SessionStore& sessions_;
  EventLog log_;
};

// The headers every console answer carries: a strict Content-Security-Policy
// (no inline script, nothing from elsewhere), no framing, no sniffing, no
// referrer. Added to `response`.
void AddSecurityHeaders(http::Response& response);

// The session token of the request's `activa_session` cookie, or "".
std::string_view SessionCookie(const http::Request& request);

}  // namespace activa::console

#endif  // ACTIVA_CONSOLE_CONSOLE_H_
