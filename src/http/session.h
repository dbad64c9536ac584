// Logged-in sessions of the management listener. slmgr presents a session
// as a bearer token (Authorization: Bearer TOKEN); the web console as a
// cookie, with its CSRF token in a header on every change. Both are one
// session store, so a login, its idle timeout and its logout mean the same
// everywhere.
#ifndef ACTIVA_HTTP_SESSION_H_
#define ACTIVA_HTTP_SESSION_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "management/service.h"

namespace activa::http {

struct Session {
  std::string token;       // secret: the bearer token or cookie value
  std::string csrf_token;  // secret: sent back in X-CSRF-Token on changes
  management::Peer peer;   // who logged in (user, admin, source address)
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Checks `password` for `user` on this machine (PAM), slowed after
  // failures from the same source and user, and logs failures. `done` is
  // called once, from the daemon's event loop, with the new session or an
  // error (0x8007052E for a wrong user or password).
  virtual void Login(const std::string& user, const std::string& password,
                     const std::string& source, std::function<void(Result<Session>)> done) = 0;

  // The live session for `token`, refreshing its idle timeout; nullopt when
  // the token is unknown or the session has timed out.
  virtual std::optional<Session> Find(std::string_view token) = 0;

  virtual void Logout(std::string_view token) = 0;
};

}  // namespace activa::http

#endif  // ACTIVA_HTTP_SESSION_H_
