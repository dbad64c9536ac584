#include "dns/internal/transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <thread>
#include <vector>

namespace activa::dns::internal {
namespace {

constexpr std::uint16_t kSrv = 33;

// A socket on 127.0.0.1, port 0 (or `port`), closed with the object.
class Socket {
 public:
  Socket(int type, std::uint16_t port = 0) : fd_(::socket(AF_INET, type | SOCK_CLOEXEC, 0)) {
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (type == SOCK_STREAM) bound_ = bound_ && ::listen(fd_, 1) == 0;
  }
  ~Socket() { ::close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  bool ok() const { return fd_ >= 0 && bound_; }
  int fd() const { return fd_; }
  std::uint16_t port() const {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
  }

 private:
  int fd_;
  bool bound_ = false;
};

// What a responder sends back for one query, in order: each datagram, and
// whether it comes from the server's own socket or from another port.
struct Datagram {
  Bytes bytes;
  bool from_server = true;
};

// Answers one UDP query on 127.0.0.1 with what `reply` makes of it. A
// test that ends before its query was sent (a failed ASSERT) still ends:
// the responder stops waiting when it is destroyed.
class UdpResponder {
 public:
  explicit UdpResponder(std::function<std::vector<Datagram>(const Bytes&)> reply)
      : reply_(std::move(reply)) {
    thread_ = std::thread([this] { Serve(); });
  }
  ~UdpResponder() {
    stopping_ = true;
    thread_.join();
  }

  bool ok() const { return server_.ok() && stranger_.ok(); }
  std::uint16_t port() const { return server_.port(); }

 private:
  void Serve() {
    pollfd p{server_.fd(), POLLIN, 0};
    while (!stopping_ && ::poll(&p, 1, 50) <= 0) {
    }
    if (stopping_) return;
    Bytes query(512);
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(server_.fd(), query.data(), query.size(), 0,
                           reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) return;
    query.resize(static_cast<std::size_t>(n));
    for (const Datagram& d : reply_(query)) {
      int fd = d.from_server ? server_.fd() : stranger_.fd();
      ::sendto(fd, d.bytes.data(), d.bytes.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }

  std::function<std::vector<Datagram>(const Bytes&)> reply_;
  Socket server_{SOCK_DGRAM};
  Socket stranger_{SOCK_DGRAM};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// The answer a server would give: the query with QR set and `rcode`.
Bytes AnswerTo(const Bytes& query, std::uint8_t rcode = 0) {
  Bytes a = query;
  a[2] |= 0x80;
  a[3] = static_cast<std::uint8_t>((a[3] & 0xf0) | rcode);
  return a;
}

// An answer to another question, made to carry `query`'s ID.
Bytes ForgedWithId(const Bytes& query, const std::string& name, std::uint16_t type) {
  Bytes other = AnswerTo(*BuildQuery(name, type));
  other[0] = query[0];
  other[1] = query[1];
  return other;
}

TEST(BuildQueryTest, IdsVary) {
  std::set<std::uint16_t> ids;
  for (int i = 0; i < 64; ++i) {
    Bytes q = *BuildQuery("_activa._tcp.corp.example", kSrv);
    ids.insert(static_cast<std::uint16_t>((q[0] << 8) | q[1]));
  }
  // 64 draws from 65536 values: a repeat or two is possible, a constant is not.
  EXPECT_GT(ids.size(), 60u);
}

TEST(ExchangeTest, TakesOnlyTheAnswerToTheQuestionAsked) {
  Bytes query = *BuildQuery("_activa._tcp.corp.example", kSrv);
  Bytes right = AnswerTo(query);
  UdpResponder server([&](const Bytes& got) {
    Bytes wrong_id = AnswerTo(got, 5);
    wrong_id[1] ^= 0x01;
    return std::vector<Datagram>{
        {wrong_id},
        {ForgedWithId(got, "_activa._tcp.evil.example", kSrv)},
        {ForgedWithId(got, "_activa._tcp.corp.example", 1)},
        {got},  // the query reflected: QR clear
        {AnswerTo(got, 5), /*from_server=*/false},
        {AnswerTo(got)},
    };
  });
  ASSERT_TRUE(server.ok());
  Result<Bytes> answer = Exchange("127.0.0.1", server.port(), query, 5000);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(*answer, right);
}

TEST(ExchangeTest, WrongAnswersAreIgnoredUntilTheTimeout) {
  Bytes query = *BuildQuery("_activa._tcp.corp.example", kSrv);
  UdpResponder server([&](const Bytes& got) {
    Bytes wrong_id = AnswerTo(got);
    wrong_id[0] ^= 0x80;
    return std::vector<Datagram>{
        {wrong_id},
        {ForgedWithId(got, "_activa._tcp.evil.example", kSrv)},
        {AnswerTo(got), /*from_server=*/false},
    };
  });
  ASSERT_TRUE(server.ok());
  auto start = std::chrono::steady_clock::now();
  Result<Bytes> answer = Exchange("127.0.0.1", server.port(), query, 300);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), ResultCode::kNoHostReachable);
  EXPECT_EQ(answer.status().message(), "timeout after 300 ms");
  EXPECT_GE(elapsed, std::chrono::milliseconds(290));
}

TEST(ExchangeTest, OverTcpSkipsMessagesThatAreNotTheAnswer) {
  Bytes query = *BuildQuery("_activa._tcp.corp.example", kSrv);
  // The TCP listener takes the UDP responder's port number, which another
  // process may hold for TCP (an outgoing connection's port, say): try
  // other ports until one is free for both.
  std::unique_ptr<UdpResponder> responder;
  std::unique_ptr<Socket> listener;
  for (int i = 0; i < 50 && (listener == nullptr || !listener->ok()); ++i) {
    listener.reset();
    responder = std::make_unique<UdpResponder>([&](const Bytes& got) {
      Bytes truncated = AnswerTo(got);
      truncated[2] |= 0x02;  // TC
      return std::vector<Datagram>{{truncated}};
    });
    ASSERT_TRUE(responder->ok());
    listener = std::make_unique<Socket>(SOCK_STREAM, responder->port());
  }
  ASSERT_TRUE(listener->ok()) << "no port was free for both UDP and TCP";
  UdpResponder& udp = *responder;
  Socket& tcp = *listener;
  Bytes right = AnswerTo(query);
  // Bounded waits: a client that never comes (or never closes) fails the
  // test instead of hanging it.
  timeval limit{10, 0};
  ::setsockopt(tcp.fd(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::thread server([&] {
    int conn = ::accept(tcp.fd(), nullptr, nullptr);
    if (conn < 0) return;
    ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    std::uint8_t buf[512];
    (void)::recv(conn, buf, sizeof buf, 0);
    Bytes out;
    for (const Bytes& m : {ForgedWithId(query, "_activa._tcp.evil.example", kSrv), right}) {
      out.push_back(static_cast<std::uint8_t>(m.size() >> 8));
      out.push_back(static_cast<std::uint8_t>(m.size() & 0xff));
      out.insert(out.end(), m.begin(), m.end());
    }
    (void)::send(conn, out.data(), out.size(), MSG_NOSIGNAL);
    ::shutdown(conn, SHUT_WR);
    (void)::recv(conn, buf, sizeof buf, 0);  // until the client closes
    ::close(conn);
  });
  Result<Bytes> answer = Exchange("127.0.0.1", udp.port(), query, 5000);
  server.join();
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(*answer, right);
}

}  // namespace
}  // namespace activa::dns::internal
