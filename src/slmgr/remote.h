// slmgr's side of remote management (docs/remote.md), as an interface:
// RunSlmgr sends each request line through a RemoteSession instead of the
// Unix socket and prints the answer with the same output code. The TLS
// implementation (src/remote_client/) is linked by the slmgr binary only,
// so this library stays free of Beast and OpenSSL.
#ifndef ACTIVA_SLMGR_REMOTE_H_
#define ACTIVA_SLMGR_REMOTE_H_

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "base/status.h"

namespace activa::slmgr {

// One logged-in session with a remote activad; logs out when destroyed.
class RemoteSession {
 public:
  virtual ~RemoteSession() = default;
  // One management request line -> its response line.
  virtual Result<std::string> Call(const std::string& line) = 0;
};

struct RemoteOptions {
  std::string target;                   // as given: name, IPv4 or [IPv6], with :port or not
  std::string user;                     // "" = the local user's name
  std::optional<std::string> password;  // nullopt: ask (or --password-stdin)
  bool password_stdin = false;
  std::string ca_file;  // "" = pin in known_hosts
  std::chrono::milliseconds timeout{120000};
};

class RemoteConnector {
 public:
  virtual ~RemoteConnector() = default;
  // Connects, checks the certificate (pin or CA), gets the password and
  // logs in. Notes for the user (a certificate pinned on first use) go to
  // `err`. Errors carry the message to print.
  virtual Result<std::unique_ptr<RemoteSession>> Connect(const RemoteOptions& options,
                                                         std::ostream& err) = 0;
  // slmgr --forget-host HOST:PORT: drops that line of known_hosts; `out`
  // says what was done.
  virtual Status ForgetHost(const std::string& host_port, std::ostream& out) = 0;
};

}  // namespace activa::slmgr

#endif  // ACTIVA_SLMGR_REMOTE_H_
