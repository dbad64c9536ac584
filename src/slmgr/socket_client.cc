#include "slmgr/socket_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace activa::slmgr {
namespace {

using Clock = std::chrono::steady_clock;

// Closes the descriptor on every return path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string Reach(const std::string& path) { return "cannot reach activad at " + path + ": "; }

// Waits until `fd` is ready for `events` or the deadline passes. Returns 0
// when ready, ETIMEDOUT, or the errno of poll.
int WaitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return ETIMEDOUT;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30)));
    if (n > 0) return 0;  // ready, or an error/hangup the next call reports
    if (n == 0) continue;
    if (errno != EINTR) return errno;
  }
}

Status TimedOut(const std::string& path, std::chrono::milliseconds timeout) {
  return Status(ResultCode::kInternal, "activad at " + path + " did not answer within " +
                                           std::to_string(timeout.count() / 1000) + " seconds");
}

}  // namespace

Result<std::string> CallDaemon(const std::string& socket_path, std::string_view request,
                               std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof addr.sun_path) {
    return Status(ResultCode::kInvalidArgument,
                  "the socket path \"" + socket_path + "\" is empty or longer than " +
                      std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  if (request.size() >= kMaxLineBytes || request.find('\n') != std::string_view::npos) {
    return Status(ResultCode::kInvalidArgument, "the request is not one line under 64 KiB");
  }
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());

  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    return Status(ResultCode::kInternal, Reach(socket_path) + std::strerror(errno));
  }
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    const std::string text = Reach(socket_path) + std::strerror(err);
    switch (err) {
      case ENOENT:
      case ENOTDIR:
        return Status(ResultCode::kFileNotFound, text + "; is the daemon running?");
      case ECONNREFUSED:
        // The file exists but nobody listens: a daemon that stopped uncleanly.
        return Status(ResultCode::kNoHostReachable, text + "; is the daemon running?");
      case EACCES:
      case EPERM:
        return Status(ResultCode::kAccessDenied,
                      text +
                          "; the socket must be writable by this user (run as root, or "
                          "check the socket's permissions)");
      default:
        return Status(ResultCode::kInternal, text);
    }
  }

  std::string line(request);
  line += '\n';
  std::size_t sent = 0;
  while (sent < line.size()) {
    int wait = WaitFor(fd.get(), POLLOUT, deadline);
    if (wait == ETIMEDOUT) return TimedOut(socket_path, timeout);
    if (wait != 0) return Status(ResultCode::kInternal, Reach(socket_path) + std::strerror(wait));
    // MSG_NOSIGNAL: a daemon that goes away mid-request must give an error
    // here, not kill slmgr with SIGPIPE.
    ssize_t n = ::send(fd.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status(
          ResultCode::kNoHostReachable,
          "activad at " + socket_path + " closed the connection: " + std::strerror(errno));
    }
    sent += static_cast<std::size_t>(n);
  }

  std::string response;
  char buf[4096];
  while (true) {
    int wait = WaitFor(fd.get(), POLLIN, deadline);
    if (wait == ETIMEDOUT) return TimedOut(socket_path, timeout);
    if (wait != 0) return Status(ResultCode::kInternal, Reach(socket_path) + std::strerror(wait));
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status(
          ResultCode::kNoHostReachable,
          "activad at " + socket_path + " closed the connection: " + std::strerror(errno));
    }
    if (n == 0) {
      return Status(ResultCode::kNoHostReachable,
                    "activad at " + socket_path + " closed the connection without answering");
    }
    response.append(buf, static_cast<std::size_t>(n));
    std::size_t newline = response.find('\n');
    if (newline != std::string::npos) {
      if (newline + 1 > kMaxLineBytes) break;
      response.resize(newline);
      return response;
    }
    if (response.size() >= kMaxLineBytes) break;
  }
  return Status(ResultCode::kFrameTooLarge,
                "activad at " + socket_path + " sent a response longer than 64 KiB");
}

}  // namespace activa::slmgr
