// activad's [management] side (docs/remote.md), wired from daemon.cc: the
// TLS identity (the configured files, or a self-signed certificate made in
// the state folder on first start), the PAM session store, the routes
// /v1/login, /v1/logout and /v1/management on the daemon's router, and the
// listener that serves that router.
//
// Two steps, so other parts of the daemon add their routes in between:
// Create() binds and adds the login and management routes; Start() begins
// accepting, after which the router must not change.
#ifndef ACTIVA_DAEMON_REMOTE_MANAGEMENT_H_
#define ACTIVA_DAEMON_REMOTE_MANAGEMENT_H_

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "daemon/daemon_config.h"
#include "http/router.h"
#include "http/session.h"
#include "remote/management_routes.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace activa {
namespace remote {
class ManagementListener;
class PamSessionStore;
}  // namespace remote

// STATE_DIR/management.crt and STATE_DIR/management.key.
std::string ManagementCertificatePath(const std::string& state_dir);
std::string ManagementKeyPath(const std::string& state_dir);

class RemoteManagement {
 public:
  // Errors name the file or address ([management] tls_cert, listen).
  static Result<std::unique_ptr<RemoteManagement>> Create(
      boost::asio::io_context& io, const ManagementConfig& config, const std::string& state_dir,
      http::Router& router, remote::LineHandler handle_line, remote::EventLog log);
  ~RemoteManagement();

  void Start(std::function<void(std::exception_ptr)> fatal);

  // The certificate's "SHA256:..." fingerprint (tls/tls_identity.h).
  const std::string& fingerprint() const { return fingerprint_; }
  // The addresses bound, "ADDR:PORT".
  std::vector<std::string> listening() const;
  // The sessions, for other routes on the listener (the web console).
  http::SessionStore& sessions();

 private:
  RemoteManagement() = default;
  std::string fingerprint_;
  std::unique_ptr<remote::PamSessionStore> sessions_;
  std::unique_ptr<remote::ManagementListener> listener_;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_REMOTE_MANAGEMENT_H_
