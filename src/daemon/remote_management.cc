#include "daemon/remote_management.h"

#include <unistd.h>

#include "remote/management_listener.h"
#include "remote/pam_session_store.h"
#include "tls/tls_identity.h"

namespace activa {

// The PAM service, and so the file /etc/pam.d/activa.
constexpr char kPamService[] = "activa";

std::string ManagementCertificatePath(const std::string& state_dir) {
  return state_dir + "/management.crt";
}
std::string ManagementKeyPath(const std::string& state_dir) {
  return state_dir + "/management.key";
}

Result<std::unique_ptr<RemoteManagement>> RemoteManagement::Create(
    boost::asio::io_context& io, const ManagementConfig& config, const std::string& state_dir,
    http::Router& router, remote::LineHandler handle_line, remote::EventLog log) {
  std::string cert = config.tls_cert;
  std::string key = config.tls_key;
  if (cert.empty()) {
    cert = ManagementCertificatePath(state_dir);
    key = ManagementKeyPath(state_dir);
    tls::SelfSignedOptions o;
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    o.common_name = std::string("activad on ") + host;
    // slmgr pins the certificate itself; the names only help a browser.
    o.alt_names = {"DNS:localhost", "IP:127.0.0.1", "IP:::1"};
    if (host[0] != '\0') o.alt_names.push_back(std::string("DNS:") + host);
    o.remedy = "set [management] tls_cert and tls_key";
    Status s = tls::EnsureSelfSignedIdentity(cert, key, o);
    if (!s.ok()) return Status(s.code(), "[management]: " + s.message());
  }
  Result<std::string> fingerprint = tls::CertificateFingerprintOfFile(cert);
  if (!fingerprint.ok()) {
    return Status(fingerprint.status().code(),
                  "[management] tls_cert: " + fingerprint.status().message());
  }
  std::unique_ptr<RemoteManagement> m(new RemoteManagement());
  m->fingerprint_ = *fingerprint;
  remote::PamSessionStore::Options so;
  so.idle_seconds = config.session_idle_seconds;
  m->sessions_ =
      std::make_unique<remote::PamSessionStore>(io, so, remote::PamAuthenticator(kPamService), log);
  remote::RoutesOptions ro;
  ro.idle_timeout_seconds = config.session_idle_seconds;
  remote::AddManagementRoutes(router, *m->sessions_, std::move(handle_line), std::move(log), ro);
  remote::ManagementListener::Options lo;
  lo.listen = config.listen;
  lo.certificate_file = cert;
  lo.key_file = key;
  Result<std::unique_ptr<remote::ManagementListener>> listener =
      remote::ManagementListener::Create(io, lo, router);
  if (!listener.ok()) return listener.status();
  m->listener_ = std::move(listener).value();
  return m;
}

RemoteManagement::~RemoteManagement() = default;

void RemoteManagement::Start(std::function<void(std::exception_ptr)> fatal) {
  listener_->Start(std::move(fatal));
}

std::vector<std::string> RemoteManagement::listening() const { return listener_->listening(); }

http::SessionStore& RemoteManagement::sessions() { return *sessions_; }

}  // namespace activa
