#include "capi/management_connection.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "capi/status_message.h"

namespace activa::capi {
namespace {

using Clock = std::chrono::steady_clock;

std::string Errno(std::string_view what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

// Waits for `events` on `fd` until `deadline`. Returns false on timeout.
// poll() restarts with the time that remains, so signals the product
// handles (EINTR) neither shorten nor lengthen the wait.
bool WaitFor(int fd, short events, Clock::time_point deadline, int* err) {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) {
      *err = errno;
      return true;  // let the following send/recv report the error
    }
  }
}

}  // namespace

Result<ManagementConnection> ManagementConnection::Open(const std::string& path,
                                                        std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty()) return Status(ResultCode::kInvalidArgument, "The socket path is empty.");
  if (path.size() >= sizeof addr.sun_path || path.find('\0') != std::string::npos) {
    return Status(ResultCode::kInvalidArgument, "The socket path is too long: " + path);
  }
  std::memcpy(addr.sun_path, path.data(), path.size());

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status(ResultCode::kInternal, Errno("socket", errno));
  ManagementConnection conn(fd);

  // A blocking connect on a Unix socket waits only while the daemon's
  // backlog is full, and Linux bounds that wait by SO_SNDTIMEO; the socket
  // turns non-blocking afterwards, when the deadlines take over.
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
    return Status(ResultCode::kInternal, Errno("setsockopt", errno));
  }
  int rc;
  do {
    rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int err = errno;
    switch (err) {
      case ENOENT:
      case ECONNREFUSED:
      case ENOTDIR:
        return Status(ResultCode::kFileNotFound,
                      "activad is not running (nothing listens on " + path + ").");
      case EACCES:
      case EPERM:
        return Status(ResultCode::kAccessDenied,
                      "The socket's permissions do not allow this user to connect: " + path);
      case EAGAIN:
      case ETIMEDOUT:
        return Status(ResultCode::kInternal, "activad did not accept the connection in time.");
      default:
        return Status(ResultCode::kInternal, Errno("connect to " + path, err));
    }
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return Status(ResultCode::kInternal, Errno("fcntl", errno));
  }
  return conn;
}

ManagementConnection::ManagementConnection(ManagementConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), closed_by_peer_(other.closed_by_peer_) {}

ManagementConnection& ManagementConnection::operator=(ManagementConnection&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    closed_by_peer_ = other.closed_by_peer_;
  }
  return *this;
}

ManagementConnection::~ManagementConnection() { Close(); }

void ManagementConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status ManagementConnection::Fail(Status status) {
  Close();
  return status;
}

Result<std::string> ManagementConnection::RoundTrip(std::string_view request,
                                                    std::chrono::milliseconds timeout) {
  closed_by_peer_ = false;
  if (fd_ < 0) return Status(ResultCode::kInternal, "The connection to activad is closed.");
  // On a connection that sat idle, pending bytes or an end of stream mean
  // the daemon dropped it or wrote out of turn; either way it cannot carry
  // this request, and the caller may send it again on a new one.
  char probe;
  ssize_t pending = ::recv(fd_, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  if (pending >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    Close();
    closed_by_peer_ = true;
    return Status(ResultCode::kInternal, "activad closed the connection.");
  }
  const Clock::time_point deadline = Clock::now() + timeout;
  const Status timed_out(ResultCode::kInternal, "activad did not answer in time.");

  while (!request.empty()) {
    // MSG_NOSIGNAL: a daemon that went away must cost the product an error
    // code, not its life by SIGPIPE.
    ssize_t n = ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      request.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      int poll_err = 0;
      if (!WaitFor(fd_, POLLOUT, deadline, &poll_err)) return Fail(timed_out);
      if (poll_err != 0) return Fail(Status(ResultCode::kInternal, Errno("poll", poll_err)));
      continue;
    }
    if (err == EPIPE || err == ECONNRESET) {
      Close();
      closed_by_peer_ = true;
      return Status(ResultCode::kInternal, "activad closed the connection.");
    }
    return Fail(Status(ResultCode::kInternal, Errno("send", err)));
  }

  std::string reply;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      const char* newline = static_cast<const char*>(std::memchr(buf, '\n', n));
      std::size_t take = newline ? static_cast<std::size_t>(newline - buf) : n;
      if (reply.size() + take > kMaxLineBytes) {
        return Fail(Status(ResultCode::kInvalidData, "activad's reply is longer than 64 KiB."));
      }
      reply.append(buf, take);
      if (newline == nullptr) continue;
      // One request, one reply: bytes after the reply mean the stream is out
      // of step, and the next reply could not be trusted to answer the next
      // request.
      if (take + 1 != static_cast<std::size_t>(n)) {
        return Fail(Status(ResultCode::kInvalidData, "activad sent more than one reply line."));
      }
      return reply;
    }
    if (n == 0) {
      Close();
      if (reply.empty()) {
        closed_by_peer_ = true;
        return Status(ResultCode::kInternal, "activad closed the connection without answering.");
      }
      return Status(ResultCode::kInternal, "activad closed the connection in mid-reply.");
    }
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      int poll_err = 0;
      if (!WaitFor(fd_, POLLIN, deadline, &poll_err)) return Fail(timed_out);
      if (poll_err != 0) return Fail(Status(ResultCode::kInternal, Errno("poll", poll_err)));
      continue;
    }
    if (err == ECONNRESET && reply.empty()) {
      Close();
      closed_by_peer_ = true;
      return Status(ResultCode::kInternal, "activad closed the connection without answering.");
    }
    return Fail(Status(ResultCode::kInternal, Errno("recv", err)));
  }
}

}  // namespace activa::capi
