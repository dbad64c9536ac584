// activad: the activation daemon (DESIGN.md sections 2, 4, 5, 7, 9, 10).
//
// One event loop runs the host's listeners, the client's attempts and the
// management socket; a second thread makes the host's client records durable
// in batches before their responses go out.
#ifndef ACTIVA_DAEMON_DAEMON_H_
#define ACTIVA_DAEMON_DAEMON_H_

#include <string>

#include "daemon/daemon_core.h"

namespace activa {

// Runs until SIGTERM or SIGINT; SIGHUP rereads the configuration file and
// the catalogs. Returns the process exit status; startup errors are printed
// to standard error.
int RunDaemon(const DaemonPaths& paths);

// The management socket path for these options.
std::string SocketPathFor(const DaemonPaths& paths, bool state_dir_given);

}  // namespace activa

#endif  // ACTIVA_DAEMON_DAEMON_H_
