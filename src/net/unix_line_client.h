// The client side of a line protocol over a Unix stream socket: one request
// line out, one reply line back, in turn (docs/management.md, "Framing").
// slmgr, the C API and the integration tests' harness all reach activad
// through this, so each failure has one code and one wording.
//
// Every wait is bounded by a deadline, so a hung daemon cannot hang the
// caller; EINTR neither shortens nor lengthens a wait. Writes never raise
// SIGPIPE. Not thread-safe: one UnixLineConnection per thread.
//
// Failures (messages name the socket's path, for a person):
//   kInvalidArgument  the path is empty, too long for a Unix socket or holds
//                     a NUL; the request is not one line under kMaxLineBytes
//   kFileNotFound     activad is not running there: no socket file, or
//                     nobody listening on it (ECONNREFUSED: a daemon that
//                     stopped uncleanly). Retry after starting the daemon.
//   kAccessDenied     the socket's permissions refuse this user
//   kInvalidData      the reply is longer than kMaxLineBytes, or more than
//                     one line arrived for one request
//   kInternal         a timeout, the connection closed before a whole reply,
//                     or another system error
#ifndef ACTIVA_NET_UNIX_LINE_CLIENT_H_
#define ACTIVA_NET_UNIX_LINE_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"

namespace activa::net {

// The protocol's limit for one line, its newline included.
inline constexpr std::size_t kMaxLineBytes = 65536;

class UnixLineConnection {
 public:
  // Connects to the socket at `path` within `timeout`.
  static Result<UnixLineConnection> Open(const std::string& path,
                                         std::chrono::milliseconds timeout);

  UnixLineConnection(UnixLineConnection&& other) noexcept;
  UnixLineConnection& operator=(UnixLineConnection&& other) noexcept;
  UnixLineConnection(const UnixLineConnection&) = delete;
  UnixLineConnection& operator=(const UnixLineConnection&) = delete;
  ~UnixLineConnection();

  // Sends `request` (one line without its '\n'; the newline is added) and
  // returns the reply line without its '\n', all within `timeout`. After a
  // failure the connection is closed and every further call fails.
  Result<std::string> RoundTrip(std::string_view request, std::chrono::milliseconds timeout);

  // True when the last RoundTrip failed because the peer had closed the
  // connection before any byte of the reply: on a connection that sat idle,
  // the daemon dropped it (or restarted), and the request may be sent again
  // on a new connection.
  bool closed_by_peer() const { return closed_by_peer_; }

  // The user ID of the process that listens on the other end, as the kernel
  // recorded it when it accepted the connection (SO_PEERCRED): who answers,
  // whoever made the socket file. -1 when the kernel does not say.
  long peer_uid() const;

 private:
  UnixLineConnection(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Status Fail(Status status);
  void Close();

  int fd_ = -1;
  std::string path_;
  bool closed_by_peer_ = false;
};

// Open + one RoundTrip + close, the whole within `timeout`.
Result<std::string> CallUnixSocket(const std::string& path, std::string_view request,
                                   std::chrono::milliseconds timeout);

}  // namespace activa::net

#endif  // ACTIVA_NET_UNIX_LINE_CLIENT_H_
