// One connection to activad's management socket: a Unix stream socket that
// carries one request line and one reply line in turn (docs/management.md).
//
// Every wait is bounded by a deadline, so a hung daemon cannot hang the
// product that links the C API. Writes never raise SIGPIPE in the caller's
// process. Not thread-safe; used by one activa_client at a time.
#ifndef ACTIVA_CAPI_MANAGEMENT_CONNECTION_H_
#define ACTIVA_CAPI_MANAGEMENT_CONNECTION_H_

#include <chrono>
#include <string>
#include <string_view>

#include "base/status.h"

namespace activa::capi {

class ManagementConnection {
 public:
  // Connects to the socket at `path` within `timeout`. Fails with
  // kInvalidArgument for an empty or too long path, kFileNotFound when no
  // daemon is listening there (no socket file, or connection refused),
  // kAccessDenied when the socket's permissions forbid it, kInternal for a
  // timeout or any other failure.
  static Result<ManagementConnection> Open(const std::string& path,
                                           std::chrono::milliseconds timeout);

  ManagementConnection(ManagementConnection&& other) noexcept;
  ManagementConnection& operator=(ManagementConnection&& other) noexcept;
  ManagementConnection(const ManagementConnection&) = delete;
  ManagementConnection& operator=(const ManagementConnection&) = delete;
  ~ManagementConnection();

  // Sends `request` (one line, ending in '\n') and returns the reply line
  // without its '\n', all within `timeout`. Fails with kInvalidData when the
  // reply exceeds kMaxLineBytes or more than one line arrives, kInternal on
  // a timeout or a broken connection. After a failure the connection is
  // closed and every further call fails.
  Result<std::string> RoundTrip(std::string_view request, std::chrono::milliseconds timeout);

  // True when the last RoundTrip failed because the daemon had closed the
  // connection before any byte of the reply: on a connection that sat idle,
  // that means the daemon dropped it (or restarted), and the request may be
  // sent again on a new connection.
  bool closed_by_peer() const { return closed_by_peer_; }

 private:
  explicit ManagementConnection(int fd) : fd_(fd) {}
  Status Fail(Status status);
  void Close();

  int fd_ = -1;
  bool closed_by_peer_ = false;
};

}  // namespace activa::capi

#endif  // ACTIVA_CAPI_MANAGEMENT_CONNECTION_H_
