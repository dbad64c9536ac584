#include "daemon/inherited_sockets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <utility>

#include "daemon/log.h"

namespace activa {
namespace {

// The canonical text of an IP address, so "::0" in the configuration and
// "::" from getsockname() compare equal.
std::string CanonicalAddress(const std::string& text) {
  in6_addr a6{};
  in_addr a4{};
  char out[INET6_ADDRSTRLEN] = {};
  if (::inet_pton(AF_INET, text.c_str(), &a4) == 1) {
    ::inet_ntop(AF_INET, &a4, out, sizeof out);
    return out;
  }
  if (::inet_pton(AF_INET6, text.c_str(), &a6) == 1) {
    ::inet_ntop(AF_INET6, &a6, out, sizeof out);
    return out;
  }
  return text;
}

}  // namespace

InheritedSockets::~InheritedSockets() {
  for (const Socket& s : sockets_) ::close(s.fd);
}

InheritedSockets::InheritedSockets(InheritedSockets&& other) noexcept
    : sockets_(std::exchange(other.sockets_, {})) {}

bool InheritedSockets::Describe(int fd, Socket* out) {
  int type = 0;
  int listening = 0;
  socklen_t len = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return false;
  len = sizeof listening;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0) {
    return false;
  }
  sockaddr_storage ss{};
  len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return false;
  out->fd = fd;
  out->family = ss.ss_family;
  char text[INET6_ADDRSTRLEN] = {};
  switch (ss.ss_family) {
    case AF_INET: {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
      ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
      out->address = text;
      out->port = ntohs(a->sin_port);
      return true;
    }
    case AF_INET6: {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
      ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
      out->address = text;
      out->port = ntohs(a->sin6_port);
      return true;
    }
    case AF_UNIX: {
      const auto* a = reinterpret_cast<const sockaddr_un*>(&ss);
      std::size_t n =
          len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
      out->address.assign(a->sun_path, ::strnlen(a->sun_path, n));
      return !out->address.empty();  // not an abstract socket
    }
    default:
      return false;
  }
}

InheritedSockets InheritedSockets::FromEnvironment() {
  InheritedSockets result;
  char** names = nullptr;
  // With unset_environment = 1: the variables go, and the descriptors get
  // FD_CLOEXEC, so nothing activad runs inherits them.
  int n = sd_listen_fds_with_names(1, &names);
  if (n < 0) {
    LogWarning(std::string("LISTEN_FDS ignored: ") + std::strerror(-n));
    return result;
  }
  for (int i = 0; i < n; ++i) {
    Socket s;
    const int fd = SD_LISTEN_FDS_START + i;
    s.name = names != nullptr && names[i] != nullptr ? names[i] : "";
    if (!Describe(fd, &s)) {
      LogWarning("socket " + std::to_string(fd) + " (" + s.name +
                 ") passed by systemd is not a listening TCP or Unix stream socket; closed");
      ::close(fd);
      continue;
    }
    result.sockets_.push_back(std::move(s));
  }
  if (names != nullptr) {
    for (int i = 0; i < n; ++i) std::free(names[i]);
    std::free(names);
  }
  return result;
}

int InheritedSockets::FindTcp(const std::string& address, std::uint16_t port) {
  if (port == 0) return -1;  // the kernel chooses: nothing to match
  const std::string want = CanonicalAddress(address);
  for (Socket& s : sockets_) {
    if ((s.family == AF_INET || s.family == AF_INET6) && s.port == port && s.address == want) {
      s.used = true;
      return s.fd;
    }
  }
  return -1;
}

int InheritedSockets::FindUnix(const std::string& path) {
  for (Socket& s : sockets_) {
    if (s.family == AF_UNIX && s.address == path) {
      s.used = true;
      return s.fd;
    }
  }
  return -1;
}

std::vector<std::string> InheritedSockets::Unused() const {
  std::vector<std::string> out;
  for (const Socket& s : sockets_) {
    if (s.used) continue;
    std::string where = s.family == AF_UNIX    ? s.address
                        : s.family == AF_INET6 ? "[" + s.address + "]:" + std::to_string(s.port)
                                               : s.address + ":" + std::to_string(s.port);
    out.push_back((s.name.empty() ? "" : s.name + " ") + where);
  }
  return out;
}

}  // namespace activa
