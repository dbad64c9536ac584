// slmgr's RemoteConnector over HTTPS (Boost.Beast, OpenSSL 3, TLS 1.2 and
// later) to a remote activad's management listener (docs/remote.md):
//
//  1. connects to TARGET (default port 1689) and shakes hands;
//  2. checks the certificate before anything is sent: with --ca, its chain
//     against the CA file and its name against TARGET's host; otherwise
//     its fingerprint against known_hosts, pinning it on first use (a line
//     on stderr says so) and refusing a changed one
//     (kRemoteCertificateChanged, both fingerprints and the command that
//     accepts the new one in the message);
//  3. gets the password (the command line, the terminal, or
//     --password-stdin) and logs in once (POST /v1/login);
//  4. sends each request line to /v1/management with the bearer token on
//     the same connection, and logs out when the session is destroyed.
//
// Blocking, on the calling thread, each exchange bounded by the timeout.
#ifndef ACTIVA_REMOTE_CLIENT_TLS_REMOTE_CONNECTOR_H_
#define ACTIVA_REMOTE_CLIENT_TLS_REMOTE_CONNECTOR_H_

#include <string>

#include "slmgr/remote.h"

namespace activa::remote_client {

inline constexpr std::uint16_t kDefaultManagementPort = 1689;

class TlsRemoteConnector final : public slmgr::RemoteConnector {
 public:
  // `known_hosts` is the file's path (DefaultKnownHostsPath()).
  explicit TlsRemoteConnector(std::string known_hosts) : known_hosts_(std::move(known_hosts)) {}

  Result<std::unique_ptr<slmgr::RemoteSession>> Connect(const slmgr::RemoteOptions& options,
                                                        std::ostream& err) override;
  Status ForgetHost(const std::string& host_port, std::ostream& out) override;

 private:
  std::string known_hosts_;
};

}  // namespace activa::remote_client

#endif  // ACTIVA_REMOTE_CLIENT_TLS_REMOTE_CONNECTOR_H_
