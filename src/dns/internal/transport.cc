#include "dns/internal/transport.h"

#include <ldns/ldns.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "crypto/signing.h"
#include "dns/dns_message.h"
#include "dns/resolv_conf.h"
#include "net/host_address.h"

namespace activa::dns::internal {
namespace {

using Clock = std::chrono::steady_clock;

// DNS over UDP without EDNS: answers fit in 512 bytes or come truncated
// (RFC 1035 4.2.1); over TCP a message is at most 65535 bytes.
constexpr std::size_t kMaxUdp = 65535;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status Unreachable(std::string what) {
  return Status(ResultCode::kNoHostReachable, std::move(what));
}

std::string ErrnoText(int err) {
  if (err == ECONNREFUSED) return "connection refused";
  return std::strerror(err);
}

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for `events` on fd until the deadline: 1 ready, 0 timeout, -1 error.
int WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

Result<addrinfo*> Resolve(const std::string& host, std::uint16_t port, int socktype) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  // Address literals only: this must never recurse into the system resolver.
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* ai = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &ai);
  if (rc != 0 || ai == nullptr) {
    return Status(ResultCode::kInvalidArgument, "not an IP address: \"" + host + "\"");
  }
  return ai;
}

bool Truncated(const Bytes& answer) { return answer.size() >= 3 && (answer[2] & 0x02) != 0; }

Result<Bytes> ExchangeUdp(const addrinfo& ai, const Bytes& query, Clock::time_point deadline,
                          int timeout_ms) {
  Fd fd(::socket(ai.ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Unreachable(std::string("socket: ") + std::strerror(errno));
  // A connected socket only accepts datagrams from the server, and reports a
  // closed port (ICMP port unreachable) as ECONNREFUSED at once.
  if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) return Unreachable(ErrnoText(errno));
  if (::send(fd.get(), query.data(), query.size(), 0) != static_cast<ssize_t>(query.size())) {
    return Unreachable(ErrnoText(errno));
  }
  Bytes buf(kMaxUdp);
  for (;;) {
    int ready = WaitFor(fd.get(), POLLIN, deadline);
    if (ready == 0) return Unreachable("timeout after " + std::to_string(timeout_ms) + " ms");
    if (ready < 0) return Unreachable(ErrnoText(errno));
    ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Unreachable(ErrnoText(errno));
    }
    // Anything else (a late answer to an earlier query, a forged answer
    // guessing the ID) is dropped and the wait goes on: failing at once
    // would let one stray datagram stop the lookup.
    if (IsAnswerTo(query, ByteSpan(buf.data(), static_cast<std::size_t>(n)))) {
      buf.resize(static_cast<std::size_t>(n));
      return buf;
    }
  }
}

Result<Bytes> ExchangeTcp(const addrinfo& ai, const Bytes& query, Clock::time_point deadline,
                          int timeout_ms) {
  const std::string timeout = "timeout after " + std::to_string(timeout_ms) + " ms (TCP)";
  Fd fd(::socket(ai.ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return Unreachable(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return Unreachable(ErrnoText(errno) + " (TCP)");
    if (WaitFor(fd.get(), POLLOUT, deadline) <= 0) return Unreachable(timeout);
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return Unreachable(ErrnoText(err) + " (TCP)");
  }
  Bytes out;
  out.push_back(static_cast<std::uint8_t>(query.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(query.size() & 0xff));
  out.insert(out.end(), query.begin(), query.end());
  std::size_t sent = 0;
  while (sent < out.size()) {
    if (WaitFor(fd.get(), POLLOUT, deadline) <= 0) return Unreachable(timeout);
    ssize_t n = ::send(fd.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Unreachable(ErrnoText(errno) + " (TCP)");
    }
    sent += static_cast<std::size_t>(n);
  }
  // Two length bytes, then the message (RFC 1035 4.2.2). A message that is
  // not the answer is skipped, as over UDP, and the next one read.
  for (;;) {
    Bytes in;
    std::size_t want = 2;
    bool have_length = false;
    for (;;) {
      while (in.size() < want) {
        if (WaitFor(fd.get(), POLLIN, deadline) <= 0) return Unreachable(timeout);
        std::uint8_t chunk[4096];
        ssize_t n = ::recv(fd.get(), chunk, std::min(sizeof chunk, want - in.size()), 0);
        if (n < 0) {
          if (errno == EINTR || errno == EAGAIN) continue;
          return Unreachable(ErrnoText(errno) + " (TCP)");
        }
        if (n == 0) return Unreachable("the server closed the TCP connection");
        in.insert(in.end(), chunk, chunk + n);
      }
      if (have_length) break;
      want = 2 + ((static_cast<std::size_t>(in[0]) << 8) | in[1]);
      have_length = true;
    }
    Bytes message(in.begin() + 2, in.end());
    if (IsAnswerTo(query, message)) return message;
  }
}

}  // namespace

std::uint16_t NewQueryId() {
  // From the kernel's generator through libsodium: an ID an off-path
  // attacker can predict (from mt19937's output, say) lets them forge the
  // answer (RFC 5452 4.3).
  std::uint8_t id[2];
  RandomBytes(id);
  return static_cast<std::uint16_t>((id[0] << 8) | id[1]);
}

Result<Bytes> BuildQuery(const std::string& name, std::uint16_t type) {
  std::string absolute = name.empty() || name.back() != '.' ? name + "." : name;
  ldns_pkt* pkt = nullptr;
  if (ldns_pkt_query_new_frm_str(&pkt, absolute.c_str(), static_cast<ldns_rr_type>(type),
                                 LDNS_RR_CLASS_IN, LDNS_RD) != LDNS_STATUS_OK) {
    return Status(ResultCode::kInvalidArgument, "not a domain name: \"" + name + "\"");
  }
  std::unique_ptr<ldns_pkt, decltype(&ldns_pkt_free)> owned(pkt, &ldns_pkt_free);
  ldns_pkt_set_id(pkt, NewQueryId());
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  if (ldns_pkt2wire(&wire, pkt, &size) != LDNS_STATUS_OK) {
    return Status(ResultCode::kInvalidArgument, "cannot encode a query for \"" + name + "\"");
  }
  Bytes out(wire, wire + size);
  LDNS_FREE(wire);
  return out;
}

Result<Bytes> Exchange(const std::string& host, std::uint16_t port, const Bytes& query,
                       int timeout_ms) {
  if (query.size() < 12) return Status(ResultCode::kInternal, "query too short");
  auto udp = Resolve(host, port, SOCK_DGRAM);
  if (!udp.ok()) return udp.status();
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> udp_ai(*udp, &freeaddrinfo);
  Result<Bytes> answer =
      ExchangeUdp(*udp_ai, query, Clock::now() + std::chrono::milliseconds(timeout_ms), timeout_ms);
  if (!answer.ok() || !Truncated(*answer)) return answer;
  auto tcp = Resolve(host, port, SOCK_STREAM);
  if (!tcp.ok()) return tcp.status();
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> tcp_ai(*tcp, &freeaddrinfo);
  return ExchangeTcp(*tcp_ai, query, Clock::now() + std::chrono::milliseconds(timeout_ms),
                     timeout_ms);
}

Status AskServers(const ResolverConfig& config, const std::string& name, std::uint16_t type,
                  const std::function<Status(ByteSpan)>& take) {
  std::vector<std::pair<std::string, std::uint16_t>> servers;
  if (!config.nameserver.empty()) {
    auto address = ParseServerAddress(config.nameserver, config.port);
    if (!address.ok()) return address.status();
    servers.emplace_back(address->host, address->port);
  } else {
    std::ifstream in(config.resolv_conf);
    std::stringstream text;
    text << in.rdbuf();
    for (const std::string& ns : ParseResolvConf(text.str()).nameservers)
      servers.emplace_back(ns, 53);
  }
  const char* type_name = ldns_rr_descript(type) != nullptr ? ldns_rr_descript(type)->_name : "?";
  const std::string what = "DNS " + std::string(type_name) + " query for " + name;
  if (servers.empty()) {
    return Status(ResultCode::kNoHostReachable, what + ": no nameserver in " + config.resolv_conf);
  }
  auto query = BuildQuery(name, type);
  if (!query.ok())
    return Status(ResultCode::kNoHostReachable, what + ": " + query.status().message());
  Status last;
  for (const auto& [host, port] : servers) {
    const std::string where = what + " at " + FormatHostPort(host, port) + " failed: ";
    auto answer = Exchange(host, port, *query, config.timeout_ms);
    Status status = answer.ok() ? take(*answer) : answer.status();
    if (status.ok()) return status;
    last = Status(ResultCode::kNoHostReachable, where + status.message());
  }
  return last;
}

}  // namespace activa::dns::internal
