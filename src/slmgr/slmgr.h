// slmgr: the administrator's command line for activad (DESIGN.md section 7).
//
// RunSlmgr is the whole program apart from reading argv and the environment:
// parse the command line (command_line.h), send one request over the Unix
// socket (net/unix_line_client.h), print the answer (output.h). It exists so the
// tests can run everything from parsing to printing in-process against a
// fake daemon.
//
// Exit status: 0 on success; 1 when the daemon reports an error or cannot be
// reached (locally or remotely: a refused login or certificate too), or
// when a remote TARGET is given and no RemoteConnector; 2 for a usage error
// (unknown option, bad or missing value).
#ifndef ACTIVA_SLMGR_SLMGR_H_
#define ACTIVA_SLMGR_SLMGR_H_

#include <chrono>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "slmgr/remote.h"

namespace activa::slmgr {

// /ato may wait on several activation hosts or the vendor's clearinghouse,
// each with its own timeout in the daemon; this bounds the whole wait.
inline constexpr std::chrono::milliseconds kDefaultTimeout = std::chrono::seconds(120);

// `args` are the words after argv[0]; `env_socket` is ACTIVA_SOCKET's value
// or empty. Writes results to `out` and errors to `err`, and returns the exit
// status. Blocks for at most `timeout` waiting for the daemon. A remote
// TARGET goes through `remote` (the binary passes the TLS one); without
// it, a TARGET is refused.
int RunSlmgr(const std::vector<std::string>& args, std::string_view env_socket, std::ostream& out,
             std::ostream& err, std::chrono::milliseconds timeout = kDefaultTimeout,
             RemoteConnector* remote = nullptr);

}  // namespace activa::slmgr

#endif  // ACTIVA_SLMGR_SLMGR_H_
