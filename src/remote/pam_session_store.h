// http::SessionStore over PAM (service "activa", /etc/pam.d/activa): the
// management listener's logins, for slmgr's bearer tokens and the web
// console's cookie alike (docs/remote.md).
//
// A login runs pam_authenticate and pam_acct_mgmt on a small pool of
// worker threads (they block, and may sleep on a failure), never on the
// event loop, and posts its outcome back to it. Failures are slowed per
// (source, user) by a LoginThrottle and logged as event 12296 with source
// and user; the password is never logged nor kept. A session's token and
// CSRF token are 32 random bytes each (hex); tokens are found by their
// hash and compared in constant time; a session ends after
// `idle_seconds` without use, or at Logout.
//
// Thread safety: every method, and `done`, on the event loop of `io`.
#ifndef ACTIVA_REMOTE_PAM_SESSION_STORE_H_
#define ACTIVA_REMOTE_PAM_SESSION_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "http/session.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace activa::remote {

// The outcome of checking one password: the user's uid and whether it is
// an administrator (admin_rule.h), or kLogonFailure, or kLoginUnavailable
// when this machine cannot check passwords at all (the message says why).
struct Identity {
  std::uint32_t uid = 0;
  bool admin = false;
};
using Authenticator =
    std::function<Result<Identity>(const std::string& user, const std::string& password)>;

// PAM with `service`: authentication, then the account check.
Authenticator PamAuthenticator(std::string service);

class PamSessionStore final : public http::SessionStore {
 public:
  struct Options {
    int idle_seconds = 900;
    std::size_t max_sessions = 1024;  // beyond it the least recently used ends
  };
  using EventLog = std::function<void(int event_id, const std::string& message)>;
  // Seconds on a monotonic clock (injected so tests can move it).
  using Now = std::function<std::int64_t()>;

  PamSessionStore(boost::asio::io_context& io, Options options, Authenticator authenticate,
                  EventLog log, Now now = nullptr);
  ~PamSessionStore() override;
  PamSessionStore(const PamSessionStore&) = delete;
  PamSessionStore& operator=(const PamSessionStore&) = delete;

  void Login(const std::string& user, const std::string& password, const std::string& source,
             std::function<void(Result<http::Session>)> done) override;
  std::optional<http::Session> Find(std::string_view token) override;
  void Logout(std::string_view token) override;

  int idle_seconds() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace activa::remote

#endif  // ACTIVA_REMOTE_PAM_SESSION_STORE_H_
