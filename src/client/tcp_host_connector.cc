#include "client/tcp_host_connector.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace activa {
namespace {

using Clock = std::chrono::steady_clock;

Status Unreachable(std::string why) { return Status(ResultCode::kNoHostReachable, std::move(why)); }

// Closes the descriptor on every path.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int MillisecondsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Waits until `fd` is ready for `events` or the deadline passes.
bool Wait(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, MillisecondsLeft(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

// Fills a sockaddr for an address literal and port; false when `ip` is not one.
bool ToSockaddr(const std::string& ip, std::uint16_t port, sockaddr_storage& out, socklen_t& len) {
  std::memset(&out, 0, sizeof out);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  if (::inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (::inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
    return true;
  }
  return false;
}

// "connection refused" for ECONNREFUSED: strerror's text in the lower case
// of the rest of the line ("127.0.0.1:1688: connection refused").
std::string ConnectError(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Connects to one address within the deadline; the socket, or -1 and `error`.
int Connect(const std::string& ip, std::uint16_t port, Clock::time_point deadline,
            std::string& error) {
  sockaddr_storage sa;
  socklen_t len = 0;
  if (!ToSockaddr(ip, port, sa, len)) {
    error = "\"" + ip + "\" is not an address";
    return -1;
  }
  int fd = ::socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0 && errno != EINPROGRESS) {
    error = ConnectError(errno);
    ::close(fd);
    return -1;
  }
  if (!Wait(fd, POLLOUT, deadline)) {
    error = "connection timed out";
    ::close(fd);
    return -1;
  }
  int so_error = 0;
  socklen_t so_len = sizeof so_error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len);
  if (so_error != 0) {
    error = ConnectError(so_error);
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const Bytes& data, Clock::time_point deadline) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!Wait(fd, POLLOUT, deadline)) return false;
    } else {
      return false;
    }
  }
  return true;
}

// Reads exactly `n` bytes; "" on success, else what went wrong.
std::string ReadExactly(int fd, std::uint8_t* out, std::size_t n, Clock::time_point deadline) {
  while (n > 0) {
    ssize_t r = ::recv(fd, out, n, 0);
    if (r > 0) {
      out += r;
      n -= static_cast<std::size_t>(r);
    } else if (r == 0) {
      return "the host closed the connection";
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!Wait(fd, POLLIN, deadline)) return "timeout";
    } else {
      return std::strerror(errno);
    }
  }
  return "";
}

}  // namespace

TcpHostConnector::TcpHostConnector(int connect_timeout_seconds, int response_timeout_seconds,
                                   dns::SrvResolver* resolver)
    : connect_timeout_ms_(connect_timeout_seconds * 1000),
      response_timeout_ms_(response_timeout_seconds * 1000),
      resolver_(resolver) {}

Result<std::vector<std::string>> TcpHostConnector::Addresses(const HostAddress& host) {
  sockaddr_storage sa;
  socklen_t len = 0;
  if (ToSockaddr(host.host, host.port, sa, len)) return std::vector<std::string>{host.host};
  if (resolver_ != nullptr) {
    Result<std::vector<std::string>> a = resolver_->ResolveAddresses(host.host);
    if (!a.ok()) return Unreachable(a.status().message());
    if (a->empty()) return Unreachable("no address for " + host.host);
    return a;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int rc = ::getaddrinfo(host.host.c_str(), nullptr, &hints, &list);
  if (rc != 0) return Unreachable(std::string("name lookup failed: ") + ::gai_strerror(rc));
  std::vector<std::string> out;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* addr =
        ai->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr);
    if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
        ::inet_ntop(ai->ai_family, addr, text, sizeof text) != nullptr) {
      out.emplace_back(text);
    }
  }
  ::freeaddrinfo(list);
  if (out.empty()) return Unreachable("no address for " + host.host);
  return out;
}

Result<HostConnector::Reply> TcpHostConnector::Exchange(const HostAddress& host,
                                                        const ActivationRequest& request) {
  Result<std::vector<std::string>> addresses = Addresses(host);
  if (!addresses.ok()) return addresses.status();
  Clock::time_point connect_deadline =
      Clock::now() + std::chrono::milliseconds(connect_timeout_ms_);
  Fd socket;
  std::string error, address;
  for (const std::string& ip : *addresses) {
    socket.fd = Connect(ip, host.port, connect_deadline, error);
    if (socket.fd >= 0) {
      address = ip;
      break;
    }
  }
  if (socket.fd < 0) return Unreachable(error);
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(response_timeout_ms_);
  const std::string timeout =
      "no answer within " + std::to_string(response_timeout_ms_ / 1000) + " s";
  if (!SendAll(socket.fd, EncodeRequest(request), deadline)) {
    return Unreachable(std::string("send failed: ") + std::strerror(errno));
  }
  Bytes frame(kFrameHeaderSize);
  std::string why = ReadExactly(socket.fd, frame.data(), kFrameHeaderSize, deadline);
  if (!why.empty()) return Unreachable(why == "timeout" ? timeout : "no answer: " + why);
  Result<FrameHeader> h = DecodeFrameHeader(frame);
  if (!h.ok()) return Unreachable("bad answer: " + h.status().ToString());
  frame.resize(kFrameHeaderSize + h->body_length);
  why = ReadExactly(socket.fd, frame.data() + kFrameHeaderSize, h->body_length, deadline);
  if (!why.empty()) return Unreachable(why == "timeout" ? timeout : "answer cut short: " + why);
  Result<Message> m = DecodeFrame(frame);
  if (!m.ok()) return Unreachable("bad answer: " + m.status().ToString());
  return Reply{std::move(*m), address};
}

}  // namespace activa
