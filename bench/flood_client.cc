// activa_flood: sends a bounded flood of frames the host must refuse, at a
// target rate, to measure what refusing them costs the well-behaved clients
// and the event log (docs/performance.md, "Floods of bad frames").
//
// Two kinds of flood, matching the two ways the host refuses a frame
// (src/daemon/daemon.cc, Serve()):
//
//   malformed-body  a valid 12-byte header (version 2, type request) and a
//                   body of the announced length that does not decode (its
//                   machine-name length is 0). The host answers an error
//                   frame and keeps the connection, so each connection sends
//                   frame after frame.
//   bad-version     a header with protocol version 3. The host answers one
//                   error frame and closes; the connection then waits for
//                   the host's close (so the host, not this side, holds the
//                   TIME_WAIT entry) and connects again.
//
// Each connection has one frame in flight: it sends, reads the error frame,
// and sends again when the rate allows. A token bucket (50 ms of burst)
// spreads the frames over time; --rate 0 sends as fast as the connections
// and the host allow. The achieved rate is printed, since a host that falls
// behind slows a closed-loop flood down.
//
// Bounded in frames (--frames) and in time (--duration-seconds); frames in
// flight when the bound is reached get up to --timeout-ms to be answered.
//
// Exit status: 0 when at least one frame was answered; 1 when none was (the
// host is not there); 2 for a usage error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result_code.h"
#include "protocol/codec.h"

namespace activa {
namespace {

// The largest error frame: a result code, a u16 length and 1024 bytes.
constexpr std::size_t kMaxErrorFrame = kFrameHeaderSize + 4 + 2 + kMaxErrorMessageSize;
// As long as a real request with a 13-byte machine name (bench/load_client.cc),
// so the host reads as much as it would for a real one.
constexpr std::size_t kMalformedBodySize = 64 + 1 + 13 + 1 + 1 + 4 + 2 + 8 + 16;

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1688;
  std::string flood = "malformed-body";
  double rate = 0;  // frames per second; 0: as fast as possible
  std::size_t connections = 16;
  std::uint64_t frames = 1000000;
  double duration_seconds = 10;
  int timeout_ms = 10000;
  std::string label;
};

std::uint64_t NowNs() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

void PutHeader(std::uint8_t* p, std::uint8_t version, std::uint32_t body_length) {
  std::memcpy(p, "ACTV", 4);
  p[4] = version;
  p[5] = static_cast<std::uint8_t>(MessageType::kRequest);
  p[6] = p[7] = 0;  // reserved
  for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<std::uint8_t>(body_length >> (24 - 8 * i));
}

// The frame every connection sends, checked against the codec so the flood
// is refused for the reason it claims.
std::optional<Bytes> MakeFrame(const std::string& flood) {
  Bytes f;
  if (flood == "malformed-body") {
    f.assign(kFrameHeaderSize + kMalformedBodySize, 0);
    PutHeader(f.data(), kProtocolVersion, kMalformedBodySize);
    Result<FrameHeader> h = DecodeFrameHeader(ByteSpan(f.data(), kFrameHeaderSize));
    if (!h.ok() || h->type != MessageType::kRequest) return std::nullopt;
    if (DecodeRequestBody(ByteSpan(f.data() + kFrameHeaderSize, kMalformedBodySize)).ok()) {
      return std::nullopt;
    }
  } else {
    f.assign(kFrameHeaderSize, 0);
    PutHeader(f.data(), kProtocolVersion + 1, 0);
    Result<FrameHeader> h = DecodeFrameHeader(ByteSpan(f.data(), kFrameHeaderSize));
    if (h.ok() || h.status().code() != ResultCode::kUnsupportedVersion) return std::nullopt;
  }
  return f;
}

struct Stats {
  std::uint64_t sent = 0;
  std::uint64_t answered = 0;  // error frames received
  std::map<std::uint32_t, std::uint64_t> by_result;
  std::uint64_t connections = 0;
  std::uint64_t connect_errors = 0;
  std::uint64_t closed_errors = 0;  // reset, or closed before a whole answer
  std::uint64_t timeouts = 0;
  std::uint64_t bad_frames = 0;  // an answer that is not an error frame

  std::uint64_t errors() const { return connect_errors + closed_errors + timeouts + bad_frames; }
};

// kQueued: waiting for a token. kDraining: answered, waiting for the host's
// close (bad-version).
enum class State { kQueued, kConnecting, kWriting, kReading, kDraining, kDone };

struct Conn {
  int fd = -1;
  State state = State::kQueued;
  std::uint64_t deadline_ns = 0;
  std::size_t written = 0;
  std::size_t have = 0;
  std::array<std::uint8_t, kMaxErrorFrame> answer;
};

class Flood {
 public:
  Flood(const Options& o, Bytes frame, const sockaddr_storage& address, socklen_t address_size)
      : o_(o),
        frame_(std::move(frame)),
        keep_open_(o.flood == "malformed-body"),
        address_(address),
        address_size_(address_size),
        conns_(o.connections) {}

  const Stats& stats() const { return stats_; }
  // From the start to the moment the last frame was sent.
  double send_seconds() const { return static_cast<double>(last_send_ns_ - start_ns_) / 1e9; }

  void Run() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    start_ns_ = last_send_ns_ = now_ns_ = NowNs();
    const std::uint64_t end_ns = start_ns_ + static_cast<std::uint64_t>(o_.duration_seconds * 1e9);
    const double burst = o_.rate > 0 ? std::max(1.0, o_.rate * 0.05) : 0;
    double tokens = burst > 0 ? 1 : 0;
    std::uint64_t refilled_ns = start_ns_;
    for (Conn& c : conns_) queued_.push_back(&c);
    std::vector<epoll_event> events(conns_.size());
    std::uint64_t next_sweep = now_ns_ + 50'000'000;
    bool sending = true;
    for (;;) {
      if (sending && (now_ns_ >= end_ns || stats_.sent >= o_.frames)) {
        sending = false;
        // Frames in flight get the timeout to be answered; no new ones.
        for (Conn& c : conns_) {
          if (c.state != State::kQueued) c.deadline_ns = now_ns_ + TimeoutNs();
        }
      }
      if (o_.rate > 0) {
        tokens =
            std::min(burst, tokens + o_.rate * static_cast<double>(now_ns_ - refilled_ns) / 1e9);
        refilled_ns = now_ns_;
      }
      while (sending && !queued_.empty() && stats_.sent < o_.frames &&
             (o_.rate == 0 || tokens >= 1)) {
        Conn& c = *queued_.back();
        queued_.pop_back();
        if (o_.rate > 0) tokens -= 1;
        Start(c);
      }
      if (!sending && std::none_of(conns_.begin(), conns_.end(), [](const Conn& c) {
            return c.state != State::kQueued && c.state != State::kDone;
          })) {
        break;
      }
      // Wake for the next token when a connection waits for one.
      int wait_ms = 50;
      if (sending && !queued_.empty() && o_.rate > 0) {
        wait_ms = std::clamp(static_cast<int>((1 - tokens) * 1000 / o_.rate), 1, 50);
      }
      int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), wait_ms);
      now_ns_ = NowNs();
      for (int i = 0; i < n; ++i) Drive(conns_[events[static_cast<std::size_t>(i)].data.u64]);
      if (now_ns_ >= next_sweep || !sending) {
        next_sweep = now_ns_ + 50'000'000;
        for (Conn& c : conns_) {
          if (c.state != State::kQueued && c.state != State::kDone && now_ns_ > c.deadline_ns) {
            ++stats_.timeouts;
            Fail(c);
          }
        }
        if (!sending) {
          // Connections queued after the bound are done for good.
          for (Conn* c : queued_) {
            Close(*c);
            c->state = State::kDone;
          }
          queued_.clear();
        }
      }
    }
    ::close(epoll_);
  }

 private:
  std::uint64_t TimeoutNs() const { return static_cast<std::uint64_t>(o_.timeout_ms) * 1'000'000u; }

  // Sends one frame: on the connection's socket when it is still open
  // (malformed-body), else on a new one.
  void Start(Conn& c) {
    ++stats_.sent;
    last_send_ns_ = now_ns_;
    c.deadline_ns = now_ns_ + TimeoutNs();
    c.written = 0;
    c.have = 0;
    if (c.fd >= 0) {
      c.state = State::kWriting;
      Drive(c);
      return;
    }
    c.fd = ::socket(address_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      ++stats_.connect_errors;
      c.state = State::kDone;  // out of descriptors: this connection stops
      return;
    }
    ++stats_.connections;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = static_cast<std::uint64_t>(&c - conns_.data());
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    int rc = ::connect(c.fd, reinterpret_cast<const sockaddr*>(&address_), address_size_);
    if (rc == 0) {
      c.state = State::kWriting;
      Drive(c);
    } else if (errno == EINPROGRESS) {
      c.state = State::kConnecting;
    } else {
      ++stats_.connect_errors;
      Fail(c);
    }
  }

  // Moves the connection on as far as the socket allows (edge-triggered).
  void Drive(Conn& c) {
    if (c.state == State::kConnecting) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == EINPROGRESS || err == EALREADY) return;
      if (err != 0) {
        ++stats_.connect_errors;
        Fail(c);
        return;
      }
      c.state = State::kWriting;
    }
    if (c.state == State::kWriting) {
      while (c.written < frame_.size()) {
        ssize_t w =
            ::send(c.fd, frame_.data() + c.written, frame_.size() - c.written, MSG_NOSIGNAL);
        if (w < 0) {
          if (errno == EAGAIN || errno == ENOTCONN) return;
          ++stats_.closed_errors;
          Fail(c);
          return;
        }
        c.written += static_cast<std::size_t>(w);
      }
      c.state = State::kReading;
    }
    if (c.state == State::kReading) {
      for (;;) {
        std::size_t want = kFrameHeaderSize;
        if (c.have >= kFrameHeaderSize) {
          Result<FrameHeader> h = DecodeFrameHeader(ByteSpan(c.answer.data(), kFrameHeaderSize));
          if (!h.ok() || h->type != MessageType::kError || h->body_length < 6 ||
              kFrameHeaderSize + h->body_length > c.answer.size()) {
            ++stats_.bad_frames;
            Fail(c);
            return;
          }
          want = kFrameHeaderSize + h->body_length;
          if (c.have == want) {
            Answered(c);
            break;
          }
        }
        ssize_t r = ::recv(c.fd, c.answer.data() + c.have, want - c.have, 0);
        if (r > 0) {
          c.have += static_cast<std::size_t>(r);
          continue;
        }
        if (r < 0 && errno == EAGAIN) return;
        ++stats_.closed_errors;
        Fail(c);
        return;
      }
    }
    if (c.state == State::kDraining) {
      std::array<std::uint8_t, 256> sink;
      for (;;) {
        ssize_t r = ::recv(c.fd, sink.data(), sink.size(), 0);
        if (r > 0) continue;  // more than one frame: not expected, ignored
        if (r < 0 && errno == EAGAIN) return;
        Close(c);  // the host closed (or reset): connect again
        Requeue(c);
        return;
      }
    }
  }

  void Answered(Conn& c) {
    const std::uint8_t* b = c.answer.data() + kFrameHeaderSize;
    std::uint32_t result = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                           (std::uint32_t{b[2]} << 8) | b[3];
    ++stats_.answered;
    ++stats_.by_result[result];
    if (keep_open_) {
      Requeue(c);
    } else {
      c.state = State::kDraining;
    }
  }

  void Fail(Conn& c) {
    Close(c);
    Requeue(c);
  }

  void Requeue(Conn& c) {
    c.state = State::kQueued;
    queued_.push_back(&c);
  }

  static void Close(Conn& c) {
    if (c.fd < 0) return;
    ::close(c.fd);  // also removes it from the epoll set
    c.fd = -1;
  }

  const Options& o_;
  const Bytes frame_;
  const bool keep_open_;
  const sockaddr_storage address_;
  const socklen_t address_size_;
  std::vector<Conn> conns_;
  std::vector<Conn*> queued_;
  Stats stats_;
  int epoll_ = -1;
  std::uint64_t start_ns_ = 0;
  std::uint64_t last_send_ns_ = 0;
  std::uint64_t now_ns_ = 0;
};

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"activa_flood: a bounded flood of frames an Activa host must refuse"};
  app.add_option("--host", o.host, "Host address (IPv4 or IPv6 literal)")->capture_default_str();
  app.add_option("--port", o.port, "Host port")->capture_default_str();
  app.add_option("--flood", o.flood,
                 "malformed-body (kept-open connections) or bad-version (one frame per connection)")
      ->check(CLI::IsMember({"malformed-body", "bad-version"}))
      ->capture_default_str();
  app.add_option("--rate", o.rate, "Target frames per second (0: as fast as possible)")
      ->check(CLI::Range(0.0, 10000000.0))
      ->capture_default_str();
  app.add_option("--connections", o.connections, "Connections at once (one frame in flight each)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--frames", o.frames, "Total frames to send (bound)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--duration-seconds", o.duration_seconds,
                 "Send no new frame after this long (bound)")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--timeout-ms", o.timeout_ms, "Give up on one frame's answer after this long")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  app.add_option("--label", o.label, "Name printed in the summary line");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  sockaddr_storage address{};
  socklen_t address_size = 0;
  if (inet_pton(AF_INET, o.host.c_str(), &reinterpret_cast<sockaddr_in*>(&address)->sin_addr) ==
      1) {
    auto* a = reinterpret_cast<sockaddr_in*>(&address);
    a->sin_family = AF_INET;
    a->sin_port = htons(o.port);
    address_size = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, o.host.c_str(),
                       &reinterpret_cast<sockaddr_in6*>(&address)->sin6_addr) == 1) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&address);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(o.port);
    address_size = sizeof(sockaddr_in6);
  } else {
    std::fprintf(stderr, "activa_flood: --host must be an IPv4 or IPv6 address: %s\n",
                 o.host.c_str());
    return 2;
  }
  std::optional<Bytes> frame = MakeFrame(o.flood);
  if (!frame) {
    std::fprintf(stderr, "activa_flood: the %s frame is not refused as intended\n",
                 o.flood.c_str());
    return 2;
  }

  std::printf("activa_flood: %s, %zu connections, target %s, at most %" PRIu64
              " frames in %.1f s, to %s port %u\n",
              o.flood.c_str(), o.connections,
              o.rate > 0
                  ? (std::to_string(static_cast<std::uint64_t>(o.rate)) + " frames/s").c_str()
                  : "as fast as possible",
              o.frames, o.duration_seconds, o.host.c_str(), o.port);
  std::fflush(stdout);

  Flood flood(o, std::move(*frame), address, address_size);
  flood.Run();
  const Stats& s = flood.stats();
  const double elapsed = std::max(flood.send_seconds(), 1e-6);
  const double rate = static_cast<double>(s.sent) / elapsed;

  std::printf("elapsed            %.2f s (first to last frame sent)\n", elapsed);
  std::printf("frames sent        %" PRIu64 " on %" PRIu64 " connections\n", s.sent, s.connections);
  std::printf("answered           %" PRIu64 " error frames\n", s.answered);
  for (auto [code, n] : s.by_result) {
    std::optional<ResultCode> rc = ResultCodeFromValue(code);
    std::printf("  0x%08X  %10" PRIu64 "  %s\n", code, n,
                rc ? std::string(ResultCodeMessage(*rc)).c_str() : "(unknown code)");
  }
  std::printf("transport errors   %" PRIu64 " (connect %" PRIu64 ", closed %" PRIu64
              ", timeout %" PRIu64 ", bad frame %" PRIu64 ")\n",
              s.errors(), s.connect_errors, s.closed_errors, s.timeouts, s.bad_frames);
  std::printf("frames/s           %.0f achieved (target %s)\n", rate,
              o.rate > 0 ? std::to_string(static_cast<std::uint64_t>(o.rate)).c_str() : "max");
  std::printf("FLOOD label=%s kind=%s connections=%zu target_rate=%.0f sent=%" PRIu64
              " answered=%" PRIu64 " opened=%" PRIu64 " errors=%" PRIu64
              " elapsed_s=%.2f rate=%.0f\n",
              o.label.empty() ? "-" : o.label.c_str(), o.flood.c_str(), o.connections, o.rate,
              s.sent, s.answered, s.connections, s.errors(), elapsed, rate);
  if (s.answered == 0) {
    std::fprintf(stderr, "activa_flood: no frame was answered\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace activa

int main(int argc, char** argv) { return activa::Main(argc, argv); }
