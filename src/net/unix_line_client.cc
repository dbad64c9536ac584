#include "net/unix_line_client.h"

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

namespace activa::net {
namespace {

using Clock = std::chrono::steady_clock;

std::string Seconds(std::chrono::milliseconds timeout) {
  return std::to_string((timeout.count() + 999) / 1000) + " seconds";
}

// Waits for `events` on `fd` until `deadline`. Returns false on timeout.
// poll() restarts with the time that remains, so signals the caller handles
// (EINTR) neither shorten nor lengthen the wait.
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

Result<UnixLineConnection> UnixLineConnection::Open(const std::string& path,
                                                    std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path || path.find('\0') != std::string::npos) {
    return Status(ResultCode::kInvalidArgument,
                  "the socket path \"" + path + "\" is empty or longer than " +
                      std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Status(ResultCode::kInternal,
                  "cannot reach activad at " + path + ": " + std::strerror(errno));
  }
  UnixLineConnection conn(fd, path);

  // A blocking connect on a Unix socket waits only while the daemon's
  // backlog is full, and Linux bounds that wait by SO_SNDTIMEO; the socket
  // turns non-blocking afterwards, when the deadlines take over.
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
    return Status(ResultCode::kInternal, "setsockopt: " + std::string(std::strerror(errno)));
  }
  int rc;
  do {
    rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    switch (err) {
      case ENOENT:
      case ENOTDIR:
        return Status(ResultCode::kFileNotFound,
                      "activad is not running at " + path +
                          " (no such socket); start it with "
                          "systemctl start activad, or give its socket with --socket");
      case ECONNREFUSED:
        // The file exists but nobody listens: a daemon that stopped uncleanly.
        return Status(
            ResultCode::kFileNotFound,
            "activad is not running at " + path + " (the socket exists but nothing listens on it)");
      case EACCES:
      case EPERM:
        return Status(ResultCode::kAccessDenied,
                      "cannot reach activad at " + path + ": " + std::strerror(err) +
                          "; the socket must be writable by this user (run as root, or check "
                          "the socket's permissions)");
      case EAGAIN:
      case ETIMEDOUT:
        return Status(
            ResultCode::kInternal,
            "activad at " + path + " did not accept the connection within " + Seconds(timeout));
      default:
        return Status(ResultCode::kInternal,
                      "cannot reach activad at " + path + ": " + std::strerror(err));
    }
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return Status(ResultCode::kInternal, "fcntl: " + std::string(std::strerror(errno)));
  }
  return conn;
}

UnixLineConnection::UnixLineConnection(UnixLineConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      closed_by_peer_(other.closed_by_peer_) {}

UnixLineConnection& UnixLineConnection::operator=(UnixLineConnection&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    closed_by_peer_ = other.closed_by_peer_;
  }
  return *this;
}

UnixLineConnection::~UnixLineConnection() { Close(); }

long UnixLineConnection::peer_uid() const {
  ucred cred{};
  socklen_t size = sizeof cred;
  if (fd_ < 0 || ::getsockopt(fd_, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0 ||
      size != sizeof cred) {
    return -1;
  }
  return static_cast<long>(cred.uid);
}

void UnixLineConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status UnixLineConnection::Fail(Status status) {
  Close();
  return status;
}

Result<std::string> UnixLineConnection::RoundTrip(std::string_view request,
                                                  std::chrono::milliseconds timeout) {
  closed_by_peer_ = false;
  if (request.size() >= kMaxLineBytes || request.find('\n') != std::string_view::npos) {
    return Status(ResultCode::kInvalidArgument, "the request is not one line under 64 KiB");
  }
  if (fd_ < 0) return Status(ResultCode::kInternal, "the connection to activad is closed");
  const std::string where = "activad at " + path_;
  const Status closed(ResultCode::kInternal, where + " closed the connection without answering");
  // On a connection that sat idle, pending bytes or an end of stream mean
  // the daemon dropped it or wrote out of turn; either way it cannot carry
  // this request, and the caller may send it again on a new one.
  char probe;
  ssize_t pending = ::recv(fd_, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  if (pending >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    Close();
    closed_by_peer_ = true;
    return closed;
  }
  const Clock::time_point deadline = Clock::now() + timeout;
  const Status timed_out(ResultCode::kInternal,
                         where + " did not answer within " + Seconds(timeout));

  std::string line(request);
  line += '\n';
  std::string_view rest = line;
  while (!rest.empty()) {
    // MSG_NOSIGNAL: a daemon that went away must cost the caller an error
    // code, not its life by SIGPIPE.
    ssize_t n = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      rest.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      int poll_err = 0;
      if (!WaitFor(fd_, POLLOUT, deadline, &poll_err)) return Fail(timed_out);
      if (poll_err != 0) {
        return Fail(Status(ResultCode::kInternal, where + ": " + std::strerror(poll_err)));
      }
      continue;
    }
    if (err == EPIPE || err == ECONNRESET) {
      Close();
      closed_by_peer_ = true;
      return closed;
    }
    return Fail(Status(ResultCode::kInternal, where + ": " + std::strerror(err)));
  }

  std::string reply;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      const char* newline = static_cast<const char*>(std::memchr(buf, '\n', n));
      std::size_t take = newline ? static_cast<std::size_t>(newline - buf) : n;
      if (reply.size() + take + 1 > kMaxLineBytes) {
        return Fail(Status(ResultCode::kInvalidData, where + " sent a reply longer than 64 KiB"));
      }
      reply.append(buf, take);
      if (newline == nullptr) continue;
      // One request, one reply: bytes after the reply mean the stream is out
      // of step, and the next reply could not be trusted to answer the next
      // request.
      if (take + 1 != static_cast<std::size_t>(n)) {
        return Fail(Status(ResultCode::kInvalidData, where + " sent more than one reply line"));
      }
      return reply;
    }
    if (n == 0) {
      Close();
      if (reply.empty()) {
        closed_by_peer_ = true;
        return closed;
      }
      return Status(ResultCode::kInternal,
                    where + " closed the connection without answering (in mid-reply)");
    }
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      int poll_err = 0;
      if (!WaitFor(fd_, POLLIN, deadline, &poll_err)) return Fail(timed_out);
      if (poll_err != 0) {
        return Fail(Status(ResultCode::kInternal, where + ": " + std::strerror(poll_err)));
      }
      continue;
    }
    if (err == ECONNRESET && reply.empty()) {
      Close();
      closed_by_peer_ = true;
      return closed;
    }
    return Fail(Status(ResultCode::kInternal, where + ": " + std::strerror(err)));
  }
}

Result<std::string> CallUnixSocket(const std::string& path, std::string_view request,
                                   std::chrono::milliseconds timeout) {
  if (request.size() >= kMaxLineBytes || request.find('\n') != std::string_view::npos) {
    return Status(ResultCode::kInvalidArgument, "the request is not one line under 64 KiB");
  }
  const Clock::time_point deadline = Clock::now() + timeout;
  Result<UnixLineConnection> conn = UnixLineConnection::Open(path, timeout);
  if (!conn.ok()) return conn.status();
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  return conn->RoundTrip(request, std::max(left, std::chrono::milliseconds(1)));
}

}  // namespace activa::net
