// The listening sockets systemd passes to activad (socket activation,
// packaging/activad.socket; sd_listen_fds(3)): the activation port's TCP
// sockets and the management socket. activad uses a socket it was given
// when one matches what it would bind itself (the same address and port,
// the same path) and binds by itself whatever it was not given, so it runs
// the same with and without the socket unit.
//
// Sockets are matched by what they are (a listening stream socket, its
// family and bound address), not by their FileDescriptorName=, which
// systemd gives all sockets of one unit alike.
//
// Thread safety: the event loop's thread only.
#ifndef ACTIVA_DAEMON_INHERITED_SOCKETS_H_
#define ACTIVA_DAEMON_INHERITED_SOCKETS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace activa {

class InheritedSockets {
 public:
  // One passed descriptor: a listening stream socket (others are closed
  // with a warning when taken from the environment).
  struct Socket {
    int fd = -1;
    std::string name;     // its FileDescriptorName=, for the log
    int family = 0;       // AF_INET, AF_INET6, AF_UNIX
    std::string address;  // the IP address as text, or the Unix socket's path
    std::uint16_t port = 0;
    bool used = false;
  };

  InheritedSockets() = default;
  // Owns the descriptors: the destructor closes them.
  ~InheritedSockets();
  InheritedSockets(InheritedSockets&& other) noexcept;
  InheritedSockets& operator=(InheritedSockets&&) = delete;
  InheritedSockets(const InheritedSockets&) = delete;
  InheritedSockets& operator=(const InheritedSockets&) = delete;

  // Takes the sockets named by LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES
  // (when LISTEN_PID is this process) and removes those variables, so no
  // child inherits them. None without them.
  static InheritedSockets FromEnvironment();
  // Describes `fd` (for tests and FromEnvironment); false when it is not a
  // listening stream socket of a known family.
  static bool Describe(int fd, Socket* out);

  bool empty() const { return sockets_.empty(); }
  const std::vector<Socket>& sockets() const { return sockets_; }

  // The listening TCP socket bound to `address` (as [host] listen writes
  // it: "0.0.0.0", "::", "192.0.2.1") and `port`, or -1. It stays owned
  // here, so a rebind can find it again: the caller uses a duplicate.
  int FindTcp(const std::string& address, std::uint16_t port);
  // The listening Unix socket bound at `path`, or -1; stays owned here.
  int FindUnix(const std::string& path);
  // Those no FindTcp/FindUnix call matched, as "NAME ADDRESS" texts: the
  // socket unit and the configuration disagree.
  std::vector<std::string> Unused() const;

  // Adds a socket (tests; FromEnvironment).
  void Add(Socket s) { sockets_.push_back(std::move(s)); }

 private:
  std::vector<Socket> sockets_;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_INHERITED_SOCKETS_H_
