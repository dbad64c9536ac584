// activa_bare_server: the least a signed activation server can do, as the
// yardstick for activad (docs/performance.md, "The ratio").
//
// One thread per core, each with its own epoll and its own SO_REUSEPORT
// listening socket on the same port, so the kernel spreads connections over
// the threads. Per request it does only what no activation host can avoid:
// accept, read one whole request frame (the 12-byte header, then the body it
// announces), make one Ed25519 signature (the same call, context and message
// size as activad's response signature), and write a response frame of the
// size activad's responses have (--response-bytes); then it reads the next
// frame on the connection, or closes when the client does.
//
// It keeps no state, counts nobody, writes nothing to disk and checks
// nothing but the header: activad's figures divided by this one's, in the
// same run on the same machine, say what the host's promises (a durable
// client record before each answer, the count, the event log, bounded
// connections) and its overheads cost. The answer's bytes are not a valid
// response (activa_load --no-check reads them by their header).
//
// Prints "listening on ADDRESS:PORT" once every thread listens, then runs
// until SIGTERM or SIGINT.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crypto/signing.h"
#include "protocol/codec.h"

namespace activa {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

// A request frame is about 200 bytes; anything over this is not one the
// benchmark sends, and the connection is dropped.
constexpr std::size_t kMaxRequestFrame = 2048;

struct Connection {
  int fd = -1;
  std::size_t have = 0;     // request bytes read
  std::size_t written = 0;  // response bytes written (0 when none pending)
  bool pending = false;     // a response waits to be written
  std::array<std::uint8_t, kMaxRequestFrame> in;
};

class Loop {
 public:
  Loop(int listen_fd, const SigningKey& key, std::size_t response_bytes)
      : listen_fd_(listen_fd), key_(key), response_(response_bytes, 0) {
    // The frame header of a version-2 response; the body is filled per
    // request (the request's bytes, then the signature at its end).
    const std::uint32_t body = static_cast<std::uint32_t>(response_bytes - kFrameHeaderSize);
    const std::uint8_t header[kFrameHeaderSize] = {
        'A',
        'C',
        'T',
        'V',
        kProtocolVersion,
        static_cast<std::uint8_t>(MessageType::kResponse),
        0,
        0,
        static_cast<std::uint8_t>(body >> 24),
        static_cast<std::uint8_t>(body >> 16),
        static_cast<std::uint8_t>(body >> 8),
        static_cast<std::uint8_t>(body)};
    std::memcpy(response_.data(), header, kFrameHeaderSize);
  }

  void Run() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listen_fd_;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, listen_fd_, &ev);
    std::vector<epoll_event> events(256);
    while (!g_stop.load(std::memory_order_relaxed)) {
      int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 200);
      for (int i = 0; i < n; ++i) {
        int fd = events[static_cast<std::size_t>(i)].data.fd;
        if (fd == listen_fd_) {
          Accept();
        } else {
          Drive(fd);
        }
      }
    }
    for (auto& c : connections_) {
      if (c && c->fd >= 0) ::close(c->fd);
    }
    ::close(epoll_);
  }

 private:
  void Accept() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or out of descriptors: try at the next event
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (static_cast<std::size_t>(fd) >= connections_.size()) {
        connections_.resize(static_cast<std::size_t>(fd) + 1);
      }
      auto& c = connections_[static_cast<std::size_t>(fd)];
      if (!c) c = std::make_unique<Connection>();
      c->fd = fd;
      c->have = 0;
      c->written = 0;
      c->pending = false;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.fd = fd;
      ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
      Drive(fd);
    }
  }

  void Close(Connection& c) {
    ::close(c.fd);  // also leaves the epoll set
    c.fd = -1;
  }

  // Edge-triggered: reads and writes until the socket says EAGAIN.
  void Drive(int fd) {
    Connection& c = *connections_[static_cast<std::size_t>(fd)];
    if (c.fd < 0) return;
    for (;;) {
      if (c.pending) {
        while (c.written < response_.size()) {
          ssize_t w = ::send(c.fd, response_.data() + c.written, response_.size() - c.written,
                             MSG_NOSIGNAL);
          if (w < 0) {
            if (errno == EAGAIN) return;
            Close(c);
            return;
          }
          c.written += static_cast<std::size_t>(w);
        }
        c.pending = false;
        c.written = 0;
      }
      std::size_t want = kFrameHeaderSize;
      if (c.have >= kFrameHeaderSize) {
        Result<FrameHeader> h = DecodeFrameHeader(ByteSpan(c.in.data(), kFrameHeaderSize));
        if (!h.ok() || kFrameHeaderSize + h->body_length > c.in.size()) {
          Close(c);
          return;
        }
        want = kFrameHeaderSize + h->body_length;
        if (c.have == want) {
          Answer(c);
          c.have = 0;
          continue;
        }
      }
      ssize_t r = ::recv(c.fd, c.in.data() + c.have, want - c.have, 0);
      if (r > 0) {
        c.have += static_cast<std::size_t>(r);
        continue;
      }
      if (r < 0 && errno == EAGAIN) return;
      Close(c);  // the client closed, or an error
      return;
    }
  }

  // One signature over a message of the response's signed size (the body
  // but its signature), made of the request's bytes, so that each one is
  // different as activad's are.
  void Answer(Connection& c) {
    std::uint8_t* body = response_.data() + kFrameHeaderSize;
    const std::size_t signed_size = response_.size() - kFrameHeaderSize - sizeof(Signature);
    for (std::size_t at = 0; at < signed_size; at += c.have) {
      std::memcpy(body + at, c.in.data(), std::min(c.have, signed_size - at));
    }
    Signature s = key_.Sign(kResponseSignatureContext, ByteSpan(body, signed_size));
    std::memcpy(body + signed_size, s.data(), s.size());
    c.pending = true;
    c.written = 0;
  }

  int listen_fd_;
  const SigningKey& key_;
  Bytes response_;
  int epoll_ = -1;
  std::vector<std::unique_ptr<Connection>> connections_;  // by descriptor
};

int Listen(const sockaddr_in& address) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 4096) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int Main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::size_t response_bytes = 400;
  CLI::App app{"activa_bare_server: accept, read a frame, sign once, answer (the yardstick)"};
  app.add_option("--host", host, "IPv4 address to listen on")->capture_default_str();
  app.add_option("--port", port, "Port (0: any free one, printed)")->capture_default_str();
  app.add_option("--threads", threads, "Event loops (default: one per core)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--response-bytes", response_bytes,
                 "Size of each response frame, header included (activad's real size)")
      ->check(CLI::Range(static_cast<std::size_t>(kFrameHeaderSize + sizeof(Signature) + 1),
                         kMaxFrameSize))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  InitCrypto();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    std::fprintf(stderr, "activa_bare_server: --host must be an IPv4 address: %s\n", host.c_str());
    return 2;
  }
  std::vector<int> listeners;
  for (int t = 0; t < threads; ++t) {
    int fd = Listen(address);
    if (fd < 0) {
      std::fprintf(stderr, "activa_bare_server: cannot listen on %s:%u: %s\n", host.c_str(),
                   static_cast<unsigned>(ntohs(address.sin_port)), std::strerror(errno));
      return 1;
    }
    if (address.sin_port == 0) {
      // The first socket picked the port; the others share it.
      sockaddr_in bound{};
      socklen_t len = sizeof bound;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
      address.sin_port = bound.sin_port;
    }
    listeners.push_back(fd);
  }
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  SigningKey key = SigningKey::Generate();
  std::vector<std::unique_ptr<Loop>> loops;
  for (int fd : listeners) loops.push_back(std::make_unique<Loop>(fd, key, response_bytes));
  std::vector<std::thread> running;
  for (auto& l : loops) running.emplace_back([&l] { l->Run(); });
  std::printf("listening on %s:%u with %d threads, %zu-byte responses\n", host.c_str(),
              static_cast<unsigned>(ntohs(address.sin_port)), threads, response_bytes);
  std::fflush(stdout);
  for (auto& t : running) t.join();
  for (int fd : listeners) ::close(fd);
  return 0;
}

}  // namespace
}  // namespace activa

int main(int argc, char** argv) { return activa::Main(argc, argv); }
