// slmgr's pinned certificates of remote activad hosts (docs/remote.md),
// as OpenSSH keeps host keys: one line per target,
//
//   HOST:PORT SHA256:<base64 fingerprint of the DER certificate>
//
// HOST:PORT as FormatHostPort writes it ("kms1.corp.example:1689",
// "[2001:db8::1]:1689"); names in lower case. Blank lines and lines
// starting with '#' are kept as they are. The file is created 0600 in a
// folder created 0700, and is rewritten whole (atomically) on a change.
#ifndef ACTIVA_REMOTE_CLIENT_KNOWN_HOSTS_H_
#define ACTIVA_REMOTE_CLIENT_KNOWN_HOSTS_H_

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace activa::remote_client {

// $XDG_CONFIG_HOME/activa/known_hosts when that is set, else
// $HOME/.config/activa/known_hosts (HOME from the password database when
// unset).
std::string DefaultKnownHostsPath();

class KnownHosts {
 public:
  // A missing file is an empty list; a line that is not "HOST:PORT
  // SHA256:..." is kInvalidData naming the file and line.
  static Result<KnownHosts> Load(const std::string& path);

  const std::string& path() const { return path_; }
  // The fingerprint pinned for `host_port`, or nullopt.
  std::optional<std::string> Find(const std::string& host_port) const;
  // Pins `fingerprint` for `host_port` (replacing a line for it) and writes
  // the file.
  Status Pin(const std::string& host_port, const std::string& fingerprint);
  // Drops the line for `host_port` and writes the file; false when there
  // was none.
  Result<bool> Forget(const std::string& host_port);

 private:
  Status Save() const;
  std::string path_;
  std::vector<std::string> lines_;  // as read, comments included
};

}  // namespace activa::remote_client

#endif  // ACTIVA_REMOTE_CLIENT_KNOWN_HOSTS_H_
