// activa_load: plays many activation clients against a running Activa host
// over real TCP and reports throughput, latency and the host's memory
// (docs/performance.md).
//
// Each request comes from one of --clients distinct machines (CMIDs), asks
// for one edition of the catalog, and carries a fresh random nonce and the
// real client time, so the host does all the work of a real activation:
// decode, count, sign, make the client record durable, answer.
//
// The generator shares the machine with the host, so it is kept lean: plain
// epoll, one thread by default, no allocation per request. The request frame
// is encoded once per connection slot with the codec; each request only
// patches the CMID, the machine name, the client time and the nonce in place.
// Responses are checked cheaply (frame header, type, and the echoed CMID and
// nonce); --decode runs the full decoder on each one as well.
//
// Request number i (0-based) comes from client i % --clients, so with
// --clients equal to --requests every request is a new machine to the host.
// The CMIDs are derived from a random per-run base (or --seed), so a second
// run against the same host adds new clients rather than renewing old ones.
//
// Exit status: 0 when at most 1% of the requests failed in transport
// (connection refused or reset, timeout, a frame that is not a response to
// the request); 1 otherwise; 2 for a usage error. Refusals the host signs
// (count insufficient, edition not covered...) are answers, not failures:
// they are listed by result code.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/file_util.h"
#include "base/result_code.h"
#include "base/uuid.h"
#include "catalog/catalog.h"
#include "protocol/codec.h"

namespace activa {
namespace {

// The largest version-3 frame (a response with a 4096-byte certificate and
// the longest batch path).
constexpr std::size_t kMaxResponseFrame =
    kFrameHeaderSize + 164 + kMaxHostCertificateSize + 5 + 32 * kMaxBatchDepth;
// Machine names are "load-" and 8 hex digits of the client's index, so every
// request has the same length and the frame can be patched in place.
constexpr std::string_view kNamePrefix = "load-";
constexpr std::size_t kNameSize = 13;
// Body offsets of the patched request fields (docs/protocol.md, "Layout").
constexpr std::size_t kCmidAt = kFrameHeaderSize + 0;
constexpr std::size_t kNameAt = kFrameHeaderSize + 65;
constexpr std::size_t kClientTimeAt = kFrameHeaderSize + 73 + kNameSize;
constexpr std::size_t kNonceAt = kFrameHeaderSize + 81 + kNameSize;
// Body offsets of the echoed fields in a response.
constexpr std::size_t kResponseCmidAt = kFrameHeaderSize + 4;
constexpr std::size_t kResponseNonceAt = kFrameHeaderSize + 20;

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1688;
  std::string mode = "per-request";
  std::uint64_t requests_per_connection = 100;
  std::size_t concurrency = 64;
  std::uint64_t requests = 100000;
  double duration_seconds = 60;
  std::uint64_t clients = 0;  // 0: as many as requests
  std::string catalog;
  std::string edition;
  std::string application_id;
  std::string sku_id;
  int required_count = 25;
  int timeout_ms = 10000;
  int threads = 1;
  int host_pid = 0;
  std::uint64_t seed = 0;
  bool decode = false;
  bool no_check = false;
  bool linger0 = false;
  bool scatter = false;  // --cmid-order scattered
  std::string label;
};

std::uint64_t NowNs() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

// Client index to the 48 bits that tell its CMID from the run's base: the
// index itself, or (--cmid-order scattered) a bijection of it that spreads
// consecutive indices over the whole range, as real CMIDs (random UUIDs)
// are spread: each an odd multiplier and a right xorshift, both invertible
// modulo 2^48.
std::uint64_t ClientBits(std::uint64_t client, bool scatter) {
  constexpr std::uint64_t kMask = (std::uint64_t{1} << 48) - 1;
  if (!scatter) return client & kMask;
  std::uint64_t x = client & kMask;
  x = (x * 0x9e3779b97f4bu) & kMask;
  x ^= x >> 24;
  x = (x * 0xbf58476d1ce5u) & kMask;
  x ^= x >> 23;
  return x;
}

// splitmix64: fast, and good enough for nonces that only need to differ
// between requests (the host does not judge their quality).
struct Rng {
  std::uint64_t state;
  std::uint64_t Next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }
};

void PutBe64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}

// What the run needs from the catalog or the flags.
struct Target {
  Uuid application_id{};
  Uuid sku_id{};
  std::uint16_t required_count = 25;
  std::string name;
};

// Shared by the worker threads.
struct Shared {
  const Options* options = nullptr;
  Bytes frame_template;
  Uuid cmid_base{};
  sockaddr_storage address{};
  socklen_t address_size = 0;
  std::uint64_t clients = 0;
  std::atomic<std::uint64_t> next{0};  // the next request number to send
  std::atomic<bool> stop{false};       // no new requests (duration over)
};

// One worker's counts; merged at the end.
struct Stats {
  std::uint64_t sent = 0;
  std::uint64_t responses = 0;  // signed responses
  std::uint64_t error_frames = 0;
  std::map<std::uint32_t, std::uint64_t> by_result;  // responses and error frames
  std::uint64_t connect_errors = 0;
  std::uint64_t closed_errors = 0;  // reset, or closed before a whole answer
  std::uint64_t timeouts = 0;
  std::uint64_t bad_frames = 0;  // not a frame, or not the answer to the request
  std::uint64_t connections = 0;
  std::uint64_t response_bytes = 0;       // of every answer, headers included
  std::vector<std::uint32_t> latency_us;  // one per answer
  std::vector<std::uint8_t> answered;     // bitmap of client indices answered

  std::uint64_t transport_errors() const {
    return connect_errors + closed_errors + timeouts + bad_frames;
  }
};

// kQueued: waiting in Worker::ready_ for its next request.
enum class State { kIdle, kQueued, kConnecting, kWriting, kReading };

struct Slot {
  int fd = -1;
  State state = State::kIdle;
  std::uint64_t client = 0;
  std::uint64_t start_ns = 0;
  std::uint64_t deadline_ns = 0;
  std::uint64_t on_connection = 0;  // requests completed on this connection
  std::size_t written = 0;
  std::size_t have = 0;
  Bytes request;
  std::array<std::uint8_t, kMaxResponseFrame> response;
};

class Worker {
 public:
  Worker(Shared& shared, std::size_t slots, std::uint64_t seed)
      : shared_(shared), o_(*shared.options), slots_(slots), rng_{seed} {
    stats_.answered.resize((shared.clients + 7) / 8);
    std::uint64_t expected = o_.requests / static_cast<std::uint64_t>(o_.threads) + 1;
    stats_.latency_us.reserve(std::min<std::uint64_t>(expected, 50000000));
    for (Slot& s : slots_) s.request = shared.frame_template;
  }

  Stats& stats() { return stats_; }

  void Run() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    live_ = slots_.size();
    now_ns_ = NowNs();
    for (Slot& s : slots_) Requeue(s);
    std::vector<epoll_event> events(slots_.size() + 1);
    std::uint64_t next_sweep = now_ns_ + 50'000'000;
    for (;;) {
      // Slots are restarted here rather than from inside Drive(), so a run of
      // failures that happen at once (no free port, say) loops instead of
      // recursing.
      while (!ready_.empty()) {
        Slot& s = *ready_.back();
        ready_.pop_back();
        StartRequest(s);
      }
      if (live_ == 0) break;
      int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 50);
      now_ns_ = NowNs();
      for (int i = 0; i < n; ++i) Drive(slots_[events[static_cast<std::size_t>(i)].data.u64]);
      if (now_ns_ >= next_sweep) {
        next_sweep = now_ns_ + 50'000'000;
        // A host that is gone or refusing everything makes every request
        // fail at once; stop instead of spinning through the whole count.
        std::uint64_t errors = stats_.transport_errors();
        if (errors > 1000 && errors * 10 > stats_.sent && !shared_.stop.load()) {
          std::fprintf(stderr,
                       "activa_load: %" PRIu64 " of %" PRIu64
                       " requests failed in transport; stopping\n",
                       errors, stats_.sent);
          shared_.stop = true;
        }
        for (Slot& s : slots_) {
          if (s.state != State::kIdle && s.state != State::kQueued && now_ns_ > s.deadline_ns) {
            ++stats_.timeouts;
            Fail(s);
          }
        }
      }
    }
    ::close(epoll_);
  }

 private:
  // Takes the next request number and sends it, on the slot's connection
  // when it has one that may carry more, else on a new one. Leaves the slot
  // idle when the run is over.
  void StartRequest(Slot& s) {
    bool keep = o_.mode == "keepalive" && s.fd >= 0 && s.on_connection < o_.requests_per_connection;
    if (!keep) Close(s);
    std::uint64_t i = shared_.stop.load(std::memory_order_relaxed)
                          ? o_.requests
                          : shared_.next.fetch_add(1, std::memory_order_relaxed);
    if (i >= o_.requests) {
      Close(s);
      s.state = State::kIdle;
      --live_;
      return;
    }
    ++stats_.sent;
    s.client = i % shared_.clients;
    Patch(s);
    s.start_ns = NowNs();
    s.deadline_ns = s.start_ns + static_cast<std::uint64_t>(o_.timeout_ms) * 1'000'000u;
    s.written = 0;
    s.have = 0;
    if (s.fd >= 0) {
      s.state = State::kWriting;
      Drive(s);
      return;
    }
    s.on_connection = 0;
    s.fd = ::socket(shared_.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd < 0) {
      ++stats_.connect_errors;
      s.state = State::kIdle;
      --live_;
      return;  // out of descriptors: this slot stops
    }
    ++stats_.connections;
    if (o_.linger0) {
      // Reset instead of a FIN at close: no TIME_WAIT entry per request on
      // the generator's side. Off by default because real clients close.
      linger l{1, 0};
      ::setsockopt(s.fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = static_cast<std::uint64_t>(&s - slots_.data());
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, s.fd, &ev);
    int rc =
        ::connect(s.fd, reinterpret_cast<const sockaddr*>(&shared_.address), shared_.address_size);
    if (rc == 0) {
      s.state = State::kWriting;
      Drive(s);
    } else if (errno == EINPROGRESS) {
      s.state = State::kConnecting;
    } else {
      ++stats_.connect_errors;
      Fail(s);
    }
  }

  // Writes this request's CMID, machine name, client time and nonce into
  // the slot's copy of the pre-encoded frame.
  void Patch(Slot& s) {
    std::uint8_t* f = s.request.data();
    Uuid cmid = shared_.cmid_base;
    // Bytes 10..15 (the UUID's node field) carry the client's bits; the
    // version and variant bits of the random base stay as they are. The
    // name's digits are the same bits, so names are in the CMIDs' order.
    const std::uint64_t bits = ClientBits(s.client, o_.scatter);
    for (int k = 0; k < 6; ++k) cmid[15 - k] ^= static_cast<std::uint8_t>(bits >> (8 * k));
    std::memcpy(f + kCmidAt, cmid.data(), 16);
    static constexpr char kHex[] = "0123456789abcdef";
    const std::uint64_t name_bits = o_.scatter ? bits >> 16 : s.client;
    for (std::size_t k = 0; k < 8; ++k) {
      f[kNameAt + kNamePrefix.size() + k] =
          static_cast<std::uint8_t>(kHex[(name_bits >> (4 * (7 - k))) & 0xf]);
    }
    PutBe64(f + kClientTimeAt, static_cast<std::uint64_t>(std::time(nullptr)));
    std::uint64_t a = rng_.Next(), b = rng_.Next();
    std::memcpy(f + kNonceAt, &a, 8);
    std::memcpy(f + kNonceAt + 8, &b, 8);
  }

  // Moves the slot's request on as far as the socket allows. Edge-triggered:
  // every step runs until it is done or the socket says EAGAIN.
  void Drive(Slot& s) {
    if (s.state == State::kConnecting) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == EINPROGRESS || err == EALREADY) return;
      if (err != 0) {
        ++stats_.connect_errors;
        Fail(s);
        return;
      }
      // A connect that has not finished reports no error either; the send
      // below then says EAGAIN and the next EPOLLOUT brings us back.
      s.state = State::kWriting;
    }
    if (s.state == State::kWriting) {
      while (s.written < s.request.size()) {
        ssize_t w =
            ::send(s.fd, s.request.data() + s.written, s.request.size() - s.written, MSG_NOSIGNAL);
        if (w < 0) {
          if (errno == EAGAIN || errno == ENOTCONN) return;
          ++(s.on_connection == 0 && s.written == 0 ? stats_.connect_errors : stats_.closed_errors);
          Fail(s);
          return;
        }
        s.written += static_cast<std::size_t>(w);
      }
      s.state = State::kReading;
    }
    if (s.state == State::kReading) {
      for (;;) {
        std::size_t want = kFrameHeaderSize;
        if (s.have >= kFrameHeaderSize) {
          Result<FrameHeader> h = DecodeFrameHeader(ByteSpan(s.response.data(), kFrameHeaderSize));
          if (!h.ok() || kFrameHeaderSize + h->body_length > s.response.size()) {
            ++stats_.bad_frames;
            Fail(s);
            return;
          }
          want = kFrameHeaderSize + h->body_length;
          if (s.have == want) {
            Finish(s, *h);
            return;
          }
        }
        // Reads no further than the frame: the host answers one request at a
        // time, so anything beyond it would be a protocol error anyway.
        ssize_t r = ::recv(s.fd, s.response.data() + s.have, want - s.have, 0);
        if (r > 0) {
          s.have += static_cast<std::size_t>(r);
          continue;
        }
        if (r < 0 && errno == EAGAIN) return;
        ++stats_.closed_errors;
        Fail(s);
        return;
      }
    }
  }

  void Finish(Slot& s, const FrameHeader& h) {
    const std::uint8_t* f = s.response.data();
    std::uint32_t result = (std::uint32_t{f[12]} << 24) | (std::uint32_t{f[13]} << 16) |
                           (std::uint32_t{f[14]} << 8) | f[15];
    bool ok = false;
    stats_.response_bytes += s.have;
    if (o_.no_check) {
      // The bare server's answers (bench/bare_server.cc) are frames of the
      // real size, not responses: count them by their header alone.
      ok = h.type == MessageType::kResponse;
      if (ok) ++stats_.responses;
      result = 0;
    } else if (h.type == MessageType::kResponse && h.body_length >= 36) {
      ok = std::memcmp(f + kResponseCmidAt, s.request.data() + kCmidAt, 16) == 0 &&
           std::memcmp(f + kResponseNonceAt, s.request.data() + kNonceAt, 16) == 0;
      if (ok) ++stats_.responses;
    } else if (h.type == MessageType::kError && h.body_length >= 6) {
      ok = true;
      ++stats_.error_frames;
    }
    if (ok && o_.decode) ok = DecodeFrame(ByteSpan(f, s.have)).ok();
    if (!ok) {
      ++stats_.bad_frames;
      Fail(s);
      return;
    }
    ++stats_.by_result[result];
    stats_.latency_us.push_back(static_cast<std::uint32_t>(
        std::min<std::uint64_t>((NowNs() - s.start_ns) / 1000, UINT32_MAX)));
    stats_.answered[s.client / 8] |= static_cast<std::uint8_t>(1u << (s.client % 8));
    ++s.on_connection;
    // An error frame for a bad header ends the connection on the host's side.
    if (h.type == MessageType::kError) Close(s);
    Requeue(s);
  }

  void Fail(Slot& s) {
    Close(s);
    Requeue(s);
  }

  void Requeue(Slot& s) {
    s.state = State::kQueued;
    ready_.push_back(&s);
  }

  static void Close(Slot& s) {
    if (s.fd < 0) return;
    ::close(s.fd);  // also removes it from the epoll set
    s.fd = -1;
  }

  Shared& shared_;
  const Options& o_;
  std::vector<Slot> slots_;
  Rng rng_;
  Stats stats_;
  std::vector<Slot*> ready_;  // slots to give their next request
  std::size_t live_ = 0;      // slots not yet idle for good
  int epoll_ = -1;
  std::uint64_t now_ns_ = 0;
};

// VmRSS and VmHWM of a process, in KiB (0 when unreadable).
struct HostMemory {
  std::uint64_t rss_kib = 0;
  std::uint64_t hwm_kib = 0;
};

HostMemory ReadHostMemory(int pid) {
  HostMemory m;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) m.rss_kib = std::strtoull(line.c_str() + 6, nullptr, 10);
    if (line.rfind("VmHWM:", 0) == 0) m.hwm_kib = std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return m;
}

// CPU time (user + system) of each thread of a process, in clock ticks, by
// thread ID. The host's event loop is its first thread; the commit thread
// and SQLite's are the others.
struct ThreadTimes {
  std::uint64_t cpu_ticks = 0;  // utime + stime
  std::uint64_t run_ns = 0;     // schedstat: on a CPU
  std::uint64_t wait_ns = 0;    // schedstat: runnable, waiting for a CPU
};

std::map<int, ThreadTimes> ReadThreadCpu(int pid) {
  std::map<int, ThreadTimes> cpu;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The command name is in parentheses and may hold spaces: count fields
    // from the last ')'. utime and stime are fields 14 and 15.
    std::size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    std::string f;
    std::uint64_t utime = 0, stime = 0;
    for (int k = 3; k <= 15 && rest >> f; ++k) {
      if (k == 14) utime = std::strtoull(f.c_str(), nullptr, 10);
      if (k == 15) stime = std::strtoull(f.c_str(), nullptr, 10);
    }
    ThreadTimes& t = cpu[std::atoi(entry.path().filename().c_str())];
    t.cpu_ticks = utime + stime;
    // schedstat (when the kernel keeps it) tells a thread that waited for a
    // CPU, which another process held, from one that had nothing to do.
    std::ifstream sched(entry.path() / "schedstat");
    sched >> t.run_ns >> t.wait_ns;
  }
  return cpu;
}

Result<Target> ResolveTarget(const Options& o) {
  Target t;
  if (!o.catalog.empty()) {
    Result<std::string> text = ReadFile(o.catalog);
    if (!text.ok()) return text.status();
    Result<Catalog> catalog = LoadCatalog(*text);
    if (!catalog.ok()) return catalog.status();
    const Edition* e = nullptr;
    if (!o.edition.empty()) {
      e = catalog->FindEditionByName(o.edition);
      if (e == nullptr) {
        if (std::optional<Uuid> id = ParseUuid(o.edition)) e = catalog->FindEdition(*id);
      }
      if (e == nullptr) {
        return Status(ResultCode::kNotFound, "no edition \"" + o.edition + "\" in " + o.catalog);
      }
    } else {
      for (const Edition& c : catalog->editions) {
        if (c.kind == EditionKind::kClient) {
          e = &c;
          break;
        }
      }
      if (e == nullptr && !catalog->editions.empty()) e = catalog->editions.data();
      if (e == nullptr) return Status(ResultCode::kNotFound, o.catalog + ": no editions");
    }
    t.application_id = e->application_id;
    t.sku_id = e->id;
    t.required_count = static_cast<std::uint16_t>(e->threshold);
    t.name = e->name;
    return t;
  }
  std::optional<Uuid> app = ParseUuid(o.application_id);
  std::optional<Uuid> sku = ParseUuid(o.sku_id);
  if (!app || !sku) {
    return Status(ResultCode::kInvalidArgument,
                  "give --catalog FILE, or both --application-id and --sku-id");
  }
  t.application_id = *app;
  t.sku_id = *sku;
  t.required_count = static_cast<std::uint16_t>(o.required_count);
  t.name = o.sku_id;
  return t;
}

std::uint32_t Percentile(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto k = static_cast<std::size_t>(std::lround(p * static_cast<double>(sorted.size() - 1)));
  return sorted[std::min(k, sorted.size() - 1)];
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"activa_load: many activation clients against a running Activa host"};
  app.add_option("--host", o.host, "Host address (IPv4 or IPv6 literal)")->capture_default_str();
  app.add_option("--port", o.port, "Host port")->capture_default_str();
  app.add_option("--mode", o.mode, "per-request (one TCP connection per request) or keepalive")
      ->check(CLI::IsMember({"per-request", "keepalive"}))
      ->capture_default_str();
  app.add_option("--requests-per-connection", o.requests_per_connection,
                 "Requests on one connection in keepalive mode")
      ->check(CLI::Range(1, 1000000000))
      ->capture_default_str();
  app.add_option("--concurrency", o.concurrency, "Requests in flight at once (one per client)")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  app.add_option("--requests", o.requests, "Total requests to send (bound)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--duration-seconds", o.duration_seconds,
                 "Send no new request after this long (bound)")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  app.add_option("--clients", o.clients, "Distinct CMIDs (default: as many as --requests)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32));
  app.add_option("--catalog", o.catalog, "Catalog file (activa-vendor catalog) to take IDs from");
  app.add_option("--edition", o.edition, "Edition name or SKU ID (default: first client edition)");
  app.add_option("--application-id", o.application_id, "Application ID, without --catalog");
  app.add_option("--sku-id", o.sku_id, "Edition (SKU) ID, without --catalog");
  app.add_option("--required-count", o.required_count, "Required count, without --catalog")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--timeout-ms", o.timeout_ms, "Give up on one request after this long")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "Generator threads (each its own epoll)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--host-pid", o.host_pid, "activad's PID, to read its memory from /proc");
  std::string cmid_order = "sequential";
  app.add_option("--cmid-order", cmid_order,
                 "sequential: client i's CMID differs from the base by i, so a batch's new "
                 "clients are neighbours in every index; scattered: spread over the range, as "
                 "random CMIDs are")
      ->check(CLI::IsMember({"sequential", "scattered"}))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed for CMIDs and nonces (default: random)");
  app.add_flag("--decode", o.decode, "Fully decode every answer (costs generator time)");
  app.add_flag("--no-check", o.no_check,
               "Count any response frame as an answer, unchecked (for activa_bare_server)");
  app.add_flag("--linger0", o.linger0, "Close with a reset (no TIME_WAIT on the generator)");
  app.add_option("--label", o.label, "Name printed in the summary line");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (o.clients == 0) o.clients = o.requests;
  o.scatter = cmid_order == "scattered";
  if (static_cast<std::size_t>(o.threads) > o.concurrency)
    o.threads = static_cast<int>(o.concurrency);

  Result<Target> target = ResolveTarget(o);
  if (!target.ok()) {
    std::fprintf(stderr, "activa_load: %s\n", target.status().ToString().c_str());
    return 2;
  }

  Shared shared;
  shared.options = &o;
  shared.clients = o.clients;
  if (inet_pton(AF_INET, o.host.c_str(),
                &reinterpret_cast<sockaddr_in*>(&shared.address)->sin_addr) == 1) {
    auto* a = reinterpret_cast<sockaddr_in*>(&shared.address);
    a->sin_family = AF_INET;
    a->sin_port = htons(o.port);
    shared.address_size = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, o.host.c_str(),
                       &reinterpret_cast<sockaddr_in6*>(&shared.address)->sin6_addr) == 1) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&shared.address);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(o.port);
    shared.address_size = sizeof(sockaddr_in6);
  } else {
    std::fprintf(stderr, "activa_load: --host must be an IPv4 or IPv6 address: %s\n",
                 o.host.c_str());
    return 2;
  }

  std::uint64_t seed = o.seed;
  if (seed == 0) seed = (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  Rng base_rng{seed};
  for (std::size_t k = 0; k < 16; k += 8) {
    std::uint64_t v = base_rng.Next();
    std::memcpy(shared.cmid_base.data() + k, &v, 8);
  }
  shared.cmid_base[6] = static_cast<std::uint8_t>((shared.cmid_base[6] & 0x0f) | 0x40);
  shared.cmid_base[8] = static_cast<std::uint8_t>((shared.cmid_base[8] & 0x3f) | 0x80);

  ActivationRequest request;
  request.application_id = target->application_id;
  request.sku_id = target->sku_id;
  request.machine_name = std::string(kNamePrefix) + "00000000";
  request.license_state = LicenseState::kInitialGrace;
  request.minutes_left = 43200;
  request.required_count = target->required_count;
  request.client_time = std::time(nullptr);
  if (Status s = ValidateRequest(request); !s.ok()) {
    std::fprintf(stderr, "activa_load: %s\n", s.ToString().c_str());
    return 2;
  }
  shared.frame_template = EncodeRequest(request);

  HostMemory before;
  std::map<int, ThreadTimes> cpu_before;
  if (o.host_pid != 0) {
    before = ReadHostMemory(o.host_pid);
    cpu_before = ReadThreadCpu(o.host_pid);
    if (before.rss_kib == 0) {
      std::fprintf(stderr, "activa_load: cannot read /proc/%d/status\n", o.host_pid);
      return 2;
    }
  }

  std::printf(
      "activa_load: %s, concurrency %zu, %" PRIu64 " requests from %" PRIu64
      " clients, edition %s, to %s port %u\n",
      o.mode == "keepalive"
          ? ("keepalive, " + std::to_string(o.requests_per_connection) + " per connection").c_str()
          : "one connection per request",
      o.concurrency, o.requests, o.clients, target->name.c_str(), o.host.c_str(), o.port);
  std::fflush(stdout);

  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < o.threads; ++t) {
    std::size_t slots =
        o.concurrency / static_cast<std::size_t>(o.threads) +
        (static_cast<std::size_t>(t) < o.concurrency % static_cast<std::size_t>(o.threads));
    workers.push_back(
        std::make_unique<Worker>(shared, slots, seed + 1 + static_cast<std::uint64_t>(t)));
  }
  const std::uint64_t start = NowNs();
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->Run(); });
  // The duration bound: after it no request starts; those in flight finish
  // or time out (--timeout-ms), so the run ends by duration + timeout.
  std::atomic<bool> finished{false};
  std::thread timer([&] {
    auto until =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(o.duration_seconds);
    while (!finished.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    shared.stop = true;
  });
  for (auto& t : threads) t.join();
  const double elapsed = static_cast<double>(NowNs() - start) / 1e9;
  std::map<int, ThreadTimes> cpu_after;
  if (o.host_pid != 0) cpu_after = ReadThreadCpu(o.host_pid);
  finished = true;
  timer.join();

  Stats total;
  total.answered.resize((o.clients + 7) / 8);
  for (auto& w : workers) {
    Stats& s = w->stats();
    total.sent += s.sent;
    total.responses += s.responses;
    total.error_frames += s.error_frames;
    for (auto [code, n] : s.by_result) total.by_result[code] += n;
    total.connect_errors += s.connect_errors;
    total.closed_errors += s.closed_errors;
    total.timeouts += s.timeouts;
    total.bad_frames += s.bad_frames;
    total.connections += s.connections;
    total.response_bytes += s.response_bytes;
    total.latency_us.insert(total.latency_us.end(), s.latency_us.begin(), s.latency_us.end());
    for (std::size_t k = 0; k < s.answered.size(); ++k) total.answered[k] |= s.answered[k];
    s.latency_us = {};
  }
  std::uint64_t distinct = 0;
  for (std::uint8_t b : total.answered)
    distinct += static_cast<std::uint64_t>(__builtin_popcount(b));
  std::sort(total.latency_us.begin(), total.latency_us.end());
  const std::uint64_t answered = total.responses + total.error_frames;
  const double rate = static_cast<double>(answered) / elapsed;
  const std::uint64_t errors = total.transport_errors();

  std::printf("elapsed            %.2f s\n", elapsed);
  std::printf("requests sent      %" PRIu64 " on %" PRIu64 " connections\n", total.sent,
              total.connections);
  std::printf("answers            %" PRIu64 " (%" PRIu64 " signed responses, %" PRIu64
              " error frames), from %" PRIu64 " distinct clients\n",
              answered, total.responses, total.error_frames, distinct);
  for (auto [code, n] : total.by_result) {
    std::optional<ResultCode> rc = ResultCodeFromValue(code);
    std::printf("  0x%08X  %10" PRIu64 "  %s\n", code, n,
                rc ? std::string(ResultCodeMessage(*rc)).c_str() : "(unknown code)");
  }
  std::printf("transport errors   %" PRIu64 " (connect %" PRIu64 ", closed %" PRIu64
              ", timeout %" PRIu64 ", bad frame %" PRIu64 ")\n",
              errors, total.connect_errors, total.closed_errors, total.timeouts, total.bad_frames);
  std::printf("activations/s      %.0f (answers per second of wall time)\n", rate);
  const std::uint32_t p50 = Percentile(total.latency_us, 0.50);
  const std::uint32_t p90 = Percentile(total.latency_us, 0.90);
  const std::uint32_t p99 = Percentile(total.latency_us, 0.99);
  const std::uint32_t pmax = total.latency_us.empty() ? 0 : total.latency_us.back();
  std::printf("latency (us)       p50 %u  p90 %u  p99 %u  max %u\n", p50, p90, p99, pmax);

  // CPU per answer: on a machine the generator shares with the host (and
  // perhaps with others), this says what the wall-clock rate cannot: how
  // much work one activation costs each side.
  std::string cpu_summary;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  rusage self{};
  ::getrusage(RUSAGE_SELF, &self);
  const double gen_cpu_s = static_cast<double>(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
                           static_cast<double>(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
  if (answered > 0) {
    std::printf("generator CPU      %.2f s, %.1f us per answer\n", gen_cpu_s,
                gen_cpu_s * 1e6 / static_cast<double>(answered));
    char buf[96];
    std::snprintf(buf, sizeof buf, " gen_cpu_us=%.1f",
                  gen_cpu_s * 1e6 / static_cast<double>(answered));
    cpu_summary += buf;
  }
  if (o.host_pid != 0 && answered > 0) {
    double host_total = 0;
    std::string per_thread;
    std::string shares;
    for (auto [tid, t] : cpu_after) {
      ThreadTimes b = cpu_before.contains(tid) ? cpu_before[tid] : ThreadTimes{};
      double sec = static_cast<double>(t.cpu_ticks - b.cpu_ticks) / ticks;
      host_total += sec;
      std::string name = tid == o.host_pid ? "event loop" : "thread " + std::to_string(tid);
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s%s %.1f us", per_thread.empty() ? "" : ", ", name.c_str(),
                    sec * 1e6 / static_cast<double>(answered));
      per_thread += buf;
      double run = static_cast<double>(t.run_ns - b.run_ns) / 1e9 / elapsed;
      double wait = static_cast<double>(t.wait_ns - b.wait_ns) / 1e9 / elapsed;
      if (run + wait > 0.01) {
        std::snprintf(buf, sizeof buf,
                      "  %-18s on a CPU %3.0f%%, waiting for a CPU %3.0f%%, idle %3.0f%%\n",
                      name.c_str(), 100 * run, 100 * wait, std::max(0.0, 100 * (1 - run - wait)));
        shares += buf;
      }
    }
    std::printf("host CPU           %.2f s, %.1f us per answer (%s)\n", host_total,
                host_total * 1e6 / static_cast<double>(answered), per_thread.c_str());
    std::printf("host threads, share of the run's wall time:\n%s", shares.c_str());
    char buf[96];
    std::snprintf(buf, sizeof buf, " host_cpu_us=%.1f",
                  host_total * 1e6 / static_cast<double>(answered));
    cpu_summary += buf;
  }

  std::string memory_summary;
  if (o.host_pid != 0) {
    // Let the host finish closing the connections and committing the last
    // batch, so their buffers are not counted as per-client memory.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    HostMemory after = ReadHostMemory(o.host_pid);
    std::printf("host memory        VmHWM %" PRIu64 " KiB (peak), VmRSS %" PRIu64 " -> %" PRIu64
                " KiB\n",
                after.hwm_kib, before.rss_kib, after.rss_kib);
    memory_summary = " host_hwm_kib=" + std::to_string(after.hwm_kib) +
                     " host_rss_before_kib=" + std::to_string(before.rss_kib) +
                     " host_rss_after_kib=" + std::to_string(after.rss_kib);
    if (distinct > 0) {
      double per_client =
          (static_cast<double>(after.rss_kib) - static_cast<double>(before.rss_kib)) * 1024.0 /
          static_cast<double>(distinct);
      std::printf("memory per client  %.0f bytes (VmRSS growth / %" PRIu64
                  " clients new to this run)\n",
                  per_client, distinct);
      char buf[64];
      std::snprintf(buf, sizeof buf, " bytes_per_client=%.0f", per_client);
      memory_summary += buf;
    }
  }
  const double error_share =
      total.sent == 0 ? 1.0 : static_cast<double>(errors) / static_cast<double>(total.sent);
  std::printf("SUMMARY label=%s mode=%s rpc=%" PRIu64 " concurrency=%zu sent=%" PRIu64
              " answered=%" PRIu64 " ok=%" PRIu64 " errors=%" PRIu64 " clients=%" PRIu64
              " elapsed_s=%.2f rate=%.0f p50_us=%u p90_us=%u p99_us=%u max_us=%u"
              " response_bytes=%" PRIu64 "%s%s\n",
              o.label.empty() ? "-" : o.label.c_str(), o.mode.c_str(),
              o.mode == "keepalive" ? o.requests_per_connection : 1, o.concurrency, total.sent,
              answered, total.by_result.contains(0) ? total.by_result[0] : 0, errors, distinct,
              elapsed, rate, p50, p90, p99, pmax,
              answered == 0 ? 0 : total.response_bytes / answered, cpu_summary.c_str(),
              memory_summary.c_str());
  if (error_share > 0.01) {
    std::fprintf(stderr, "activa_load: %.1f%% of requests failed in transport\n",
                 100.0 * error_share);
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace activa

int main(int argc, char** argv) { return activa::Main(argc, argv); }
