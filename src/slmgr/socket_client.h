// One request to activad over its Unix socket (docs/management.md).
//
// The only part of slmgr that touches the operating system. It connects,
// writes one line, reads one line and closes; a connection may carry more
// requests, but slmgr needs one per run.
#ifndef ACTIVA_SLMGR_SOCKET_CLIENT_H_
#define ACTIVA_SLMGR_SOCKET_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace activa::slmgr {

// The protocol's limit for one line, newline included.
inline constexpr std::size_t kMaxLineBytes = 65536;
// /ato may wait on several activation hosts or the vendor's clearinghouse,
// each with its own timeout in the daemon; this bounds the whole wait.
inline constexpr std::chrono::milliseconds kDefaultTimeout = std::chrono::seconds(120);

// Sends `request` (one JSON object without its newline; at most
// kMaxLineBytes - 1 bytes) to the daemon listening on `socket_path` and
// returns its response line without the newline.
//
// Failures (the message is meant for a person and names the path):
//   kFileNotFound      the socket does not exist ("is the daemon running?")
//   kAccessDenied      the socket's permissions refuse this user
//   kNoHostReachable   connection refused, reset, or closed before a whole line
//   kFrameTooLarge     the response line is longer than kMaxLineBytes
//   kInvalidArgument   the path is too long for a Unix socket, or the request too long
//   kInternal          no response within `timeout`, or another system error
// Blocking; thread-compatible (no shared state). SIGPIPE is never raised.
Result<std::string> CallDaemon(const std::string& socket_path, std::string_view request,
                               std::chrono::milliseconds timeout = kDefaultTimeout);

}  // namespace activa::slmgr

#endif  // ACTIVA_SLMGR_SOCKET_CLIENT_H_
