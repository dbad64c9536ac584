#include "daemon/activation_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "base/time_text.h"
#include "daemon/buffer_pool.h"
#include "daemon/descriptors.h"
#include "daemon/idle_list.h"
#include "daemon/log.h"
#include "host/client_counter.h"
#include "net/host_address.h"
#include "net/network.h"
#include "protocol/codec.h"
#include "storage/wal_checkpointer.h"

namespace activa {
namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using std::chrono::steady_clock;

namespace {

constexpr auto kNoThrow = asio::as_tuple(use_awaitable);

constexpr std::int64_t kSecondsPerDay = 86400;

double Seconds(steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

// A request body is read in pieces of this size (a whole request is a few
// hundred bytes): memory follows the bytes received.
constexpr std::size_t kBodyChunk = 1024;
// Body buffers an event loop keeps for reuse (of kBodyChunk bytes each): as
// many as requests in flight at once on a busy loop, a few tens of KiB.
constexpr std::size_t kPooledBodies = 64;
// Connections whose idle deadline passed are closed this many at a time,
// the rest after the requests that arrived meanwhile: thousands expiring in
// the same second must not stall the good clients for the whole burst.
constexpr std::size_t kCloseSlice = 256;
// Deleting long-unseen client records is a range delete on an index; once
// an hour keeps its cost out of nearly every batch.
constexpr std::int64_t kClientPruneIntervalSeconds = 3600;

// The host's time when the batch was gathered: its records and events carry
// it (from the daemon's clock), so the commit thread needs no clock of its
// own. 0 for a batch of counters only.
std::int64_t BatchTime(const HostBatch& b) {
  std::int64_t t = 0;
  for (const ClientEntry& c : b.clients) t = std::max(t, c.last_seen);
  for (const Event& e : b.events) t = std::max(t, e.time);
  return t;
}

// An address as text in a fixed buffer: only refusals and the new-client
// limiter need it, so no connection builds a string.
class AddressText {
 public:
  explicit AddressText(const asio::ip::address& a) {
    const char* ok = nullptr;
    if (a.is_v4()) {
      const auto b = a.to_v4().to_bytes();
      ok = ::inet_ntop(AF_INET, b.data(), text_, sizeof text_);
    } else {
      const auto b = a.to_v6().to_bytes();
      ok = ::inet_ntop(AF_INET6, b.data(), text_, sizeof text_);
    }
    if (ok == nullptr) std::snprintf(text_, sizeof text_, "?");
  }
  std::string_view view() const { return text_; }
  std::string str() const { return text_; }

 private:
  char text_[INET6_ADDRSTRLEN] = {};
};

// The event loops to run for `io_threads` (0: one per CPU this process may
// run on, so `taskset` or a systemd CPUAffinity= is followed).
std::size_t LoopCount(int io_threads) {
  if (io_threads > 0) return static_cast<std::size_t>(io_threads);
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) {
    return static_cast<std::size_t>(CPU_COUNT(&set));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

// One event loop's connections: their idle deadlines, the tick that closes
// the expired ones, and the loop's body buffers. The main loop runs on the
// daemon's io_context; another has its own (`own`), kept running by `work`
// while it holds no connection.
struct ActivationServer::Loop {
  explicit Loop(asio::io_context& main) : io(main), main(true), tick(io) {}
  Loop()
      : own(std::make_unique<asio::io_context>(1)),
        io(*own),
        main(false),
        work(asio::make_work_guard(io)),
        tick(io) {}
  std::unique_ptr<asio::io_context> own;
  asio::io_context& io;
  const bool main;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  IdleList idle;
  asio::steady_timer tick;
  bool ticking = false;  // whether `tick` is armed (or its slices posted)
  BufferPool bodies{kPooledBodies, kBodyChunk};
};

// What a request gets: its frame in a committed batch (`commit`, `mine`) or
// a frame of its own; the connection is closed once it is sent when
// `close`.
struct ActivationServer::Decision {
  std::shared_ptr<PendingCommit> commit;
  std::size_t mine = 0;
  Bytes frame;
  bool close = false;
};

// A connection lives in its coroutine's frame; the loop's IdleList links it
// by its deadline, and it leaves the list when the coroutine ends.
struct ActivationServer::Connection : IdleList::Node {
  Connection(tcp::socket s, const asio::ip::address& a) : socket(std::move(s)), peer(a) {}
  tcp::socket socket;
  asio::ip::address peer;
};

ActivationServer::ActivationServer(asio::io_context& io, DaemonCore& core, StateStore commit_store,
                                   bool journal, FatalError fatal, DaemonMetrics* metrics)
    : io_(io),
      core_(core),
      fatal_(std::move(fatal)),
      metrics_(metrics),
      idle_timeout_seconds_(core.config().idle_timeout_seconds),
      new_clients_(core.config().max_new_clients_per_minute) {
  loops_.push_back(std::make_unique<Loop>(io));
  // The commit queue's writer owns the second connection to the state;
  // it journals what it wrote. It also deletes the client records that have
  // been out of the count's window for keep_clients_days: the pruning of
  // the table, like the events', costs no commit of its own.
  //
  // Its log is copied into the database by a thread of its own, started
  // with the first batch (a daemon that is no host never starts it), and
  // the daemon's first connection stops copying it too: with SQLite's rule
  // that connection's rare commits would copy a log of thousands of pages
  // on the main loop.
  struct CommitConnection {
    explicit CommitConnection(StateStore s) : store(std::move(s)) {}
    StateStore store;
    // Declared after the store, so gone before it (and only with the
    // queue, once its thread has ended).
    std::unique_ptr<WalCheckpointer> checkpointer;
    bool checkpointer_tried = false;
  };
  auto connection = std::make_shared<CommitConnection>(std::move(commit_store));
  std::shared_ptr<StateStore> store(connection, &connection->store);
  std::size_t keep = core_.config().keep_events;
  const std::int64_t keep_clients_seconds =
      (kCountWindowDays + core_.config().keep_clients_days) * kSecondsPerDay;
  auto last_prune = std::make_shared<std::int64_t>(0);       // the commit thread's only
  auto failed_batches = std::make_shared<std::uint64_t>(0);  // the commit thread's only
  HostMetrics* host_metrics = metrics ? &metrics->host() : nullptr;
  CommitQueue::Writer writer = [this, connection, store, journal, keep, keep_clients_seconds,
                                last_prune, failed_batches, host_metrics](const HostBatch& b) {
    if (!connection->checkpointer_tried) {
      connection->checkpointer_tried = true;
      Result<std::unique_ptr<WalCheckpointer>> c = WalCheckpointer::Start(store->database());
      if (c.ok()) {
        connection->checkpointer = std::move(c).value();
        asio::post(io_, [core = &core_] { (void)core->store().database().SetAutoCheckpoint(0); });
      } else {
        LogWarning("the state database's log is copied by each commit, as SQLite does: " +
                   c.status().ToString());
      }
    }
    const auto started = steady_clock::now();
    std::int64_t now = BatchTime(b);
    std::int64_t drop_before = 0;
    if (now != 0 && (now - *last_prune >= kClientPruneIntervalSeconds || now < *last_prune)) {
      drop_before = now - keep_clients_seconds;
    }
    Status s = store->SaveHostBatch(b.clients, b.delta, b.events, keep, drop_before);
    if (s.ok() && drop_before != 0) *last_prune = now;
    if (host_metrics) {
      host_metrics->BatchWritten(b.clients.size(), Seconds(steady_clock::now() - started), s.ok());
    }
    // The events of a failed batch are lost with it, so the failure goes to
    // the log: once when writing stops, once when it works again (a full
    // disk fails every batch until space returns).
    if (!s.ok() && (*failed_batches)++ == 0) {
      LogError("cannot write the state database; activation requests are answered " +
               FormatResultCode(s.code()) + " and count nowhere until it can: " + s.ToString());
    } else if (s.ok() && *failed_batches != 0) {
      LogInfo("the state database is written again, after " + std::to_string(*failed_batches) +
              " failed commits");
      *failed_batches = 0;
    }
    if (journal) {
      for (const Event& e : b.events) JournalEvent(e);
    }
    return s;
  };
  CommitQueue::Post post = [this](std::function<void()> task) { asio::post(io_, std::move(task)); };
  commits_ = std::make_unique<CommitQueue>(std::move(writer), std::move(post));
}

ActivationServer::~ActivationServer() {
  // Refusals only counted in an interval that has not ended would be lost
  // with the process: their summary goes with the commit queue's last
  // batch, which its destructor writes.
  if (std::optional<Event> e = refusals_.TakeSummary(core_.clock().Now())) {
    AddEvent(std::move(*e));
  }
  // The other loops stop first, with whatever they hold, so that nothing
  // runs beside the teardown. The connections' frames may outlive the
  // server (the main loop has stopped; its context destroys them later):
  // they must not reach back into the lists.
  for (auto& loop : loops_) {
    if (loop->main) continue;
    loop->work.reset();
    loop->io.stop();
  }
  for (std::thread& t : threads_) t.join();
  for (auto& loop : loops_) {
    loop->idle.Clear();
    loop->tick.cancel();
    // A connection waiting on a decision is owned by the main loop's
    // context, which the daemon destroys after the server; its socket must
    // still find its loop's reactor then. Nothing runs the other contexts
    // any more, and the process is ending: they are left to its exit.
    if (!loop->main) (void)loop->own.release();
  }
}

// The other event loops start with the first listener: a daemon that is no
// host (a client) runs none of their threads. Read at the first start only.
void ActivationServer::StartLoops() {
  if (loops_.size() > 1) return;
  const std::size_t n = LoopCount(core_.config().io_threads);
  for (std::size_t i = 1; i < n; ++i) {
    loops_.push_back(std::make_unique<Loop>());
    asio::io_context& loop_io = loops_.back()->io;
    // An exception here is a bug in a connection's code: as on the main
    // loop, the daemon stops rather than serve on with a loop gone.
    threads_.emplace_back([this, &loop_io] {
      try {
        loop_io.run();
      } catch (...) {
        asio::post(io_, [this, e = std::current_exception()] { fatal_("an event loop", e); });
      }
    });
  }
}

Status ActivationServer::Rebind() {
  idle_timeout_seconds_ = core_.config().idle_timeout_seconds;  // a reload may change it
  for (auto& a : acceptors_) a->close();
  acceptors_.clear();
  if (metrics_) metrics_->readiness().Set("[host] listen", "");
  if (!core_.host().key_installed()) return Status::Ok();
  StartLoops();
  std::string errors;
  // Port 0: the first address that binds gets a port from the kernel, and
  // the others share it, so the host has one port to report and publish.
  std::uint16_t port = core_.host().port;
  for (const std::string& address : core_.config().listen) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(address, ec);
    if (ec) continue;
    tcp::endpoint ep(addr, port);
    auto acceptor = std::make_shared<tcp::acceptor>(io_);
    // A socket systemd holds for this address: a duplicate, so that closing
    // the listener at the next rebind leaves systemd's (and ours) open.
    int inherited = inherited_ != nullptr ? inherited_->FindTcp(address, port) : -1;
    if (inherited >= 0) {
      int fd = ::fcntl(inherited, F_DUPFD_CLOEXEC, 3);
      if (fd < 0) {
        ec = boost::system::error_code(errno, boost::system::system_category());
      } else {
        acceptor->assign(ep.protocol(), fd, ec);
        if (ec) ::close(fd);
      }
    } else {
      acceptor->open(ep.protocol(), ec);
      if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec && addr.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
      if (!ec) acceptor->bind(ep, ec);
      if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    }
    if (!ec && port == 0) port = acceptor->local_endpoint(ec).port();
    if (ec) {
      errors += (errors.empty() ? "" : "; ") + HostAddress{address, port}.ToString() + ": " +
                ec.message();
      continue;
    }
    acceptors_.push_back(acceptor);
    asio::co_spawn(io_, Accept(acceptor), [this](std::exception_ptr e) {
      if (e) fatal_("a listener", e);
    });
  }
  if (metrics_) metrics_->readiness().Set("[host] listen", errors);
  if (acceptors_.empty()) {
    return Status(ResultCode::kAccessDenied,
                  "cannot listen on port " + std::to_string(port) + ": " + errors);
  }
  core_.host().port = port;  // the kernel's choice, when it was 0
  if (!errors.empty()) LogWarning("some addresses could not be bound: " + errors);
  return Status::Ok();
}

awaitable<void> ActivationServer::Accept(std::shared_ptr<tcp::acceptor> acceptor) {
  for (;;) {
    tcp::endpoint peer;  // from accept itself: no getpeername per connection
    Loop& loop = NextLoop();
    auto [ec, socket] = co_await acceptor->async_accept(loop.io, peer, kNoThrow);
    if (ec) {
      if (!acceptor->is_open()) co_return;
      // Out of descriptors: the waiting peers are refused through the
      // reserve descriptor (daemon/descriptors.h), then, as for any other
      // error, the loop waits a little instead of spinning.
      RefuseWhenOutOfDescriptors(acceptor->native_handle(), ec.value());
      asio::steady_timer t(io_, std::chrono::milliseconds(50));
      co_await t.async_wait(kNoThrow);
      continue;
    }
    using Refusal = HostMetrics::ConnectionRefusal;
    if (!Allowed(peer.address())) {
      if (metrics_) metrics_->host().ConnectionRefused(Refusal::kNetwork);
      continue;
    }
    if (connections_ >= core_.config().max_connections) {
      if (metrics_) metrics_->host().ConnectionRefused(Refusal::kMaxConnections);
      continue;
    }
    if (!AdmitConnection(peer.address())) {
      if (metrics_) metrics_->host().ConnectionRefused(Refusal::kPerAddress);
      continue;
    }
    ++connections_;
    if (metrics_) metrics_->host().ConnectionOpened();
    // On the connection's loop; its end is counted on this one.
    asio::co_spawn(loop.io, Serve(loop, std::move(socket), peer.address()),
                   [this, address = peer.address()](std::exception_ptr e) {
                     asio::dispatch(io_, [this, address, e] {
                       --connections_;
                       if (metrics_) metrics_->host().ConnectionClosed();
                       ReleaseConnection(address);
                       if (e) LogException("a client connection", e);
                     });
                   });
  }
}

// Without a cap per address, one peer could take every slot of
// max_connections with connections that each trickle a byte before the
// idle timeout, and lock out the whole network.
bool ActivationServer::AdmitConnection(const asio::ip::address& a) {
  std::size_t& n = connections_by_address_[a];
  if (n >= core_.config().max_connections_per_address) return false;
  ++n;
  return true;
}

void ActivationServer::ReleaseConnection(const asio::ip::address& a) {
  auto it = connections_by_address_.find(a);
  if (it == connections_by_address_.end()) return;
  if (--it->second == 0) connections_by_address_.erase(it);
}

bool ActivationServer::AdmitNewClient(const asio::ip::address& address,
                                      const RequestHandler::Admission& admission) {
  if (!admission.record || core_.host().requests().Knows(admission)) return true;
  new_clients_.set_limit(core_.config().max_new_clients_per_minute);  // a reload may change it
  const AddressText source(address);
  NewClientLimiter::Verdict v = new_clients_.NewClient(source.view(), admission.now);
  if (v == NewClientLimiter::Verdict::kAdmit) return true;
  if (v == NewClientLimiter::Verdict::kTripped) {
    AddEvent(Event{0, admission.now, kEventHostRequest,
                   "An activation request has been refused. Result: " +
                       FormatResultCode(ResultCode::kTooManyNewClients) + "; source address " +
                       source.str() + " introduced more than " +
                       std::to_string(new_clients_.limit()) +
                       " new client machines in a minute; further new machines from it are "
                       "refused without a record until the minute is over (CMID of the first "
                       "refused: " +
                       FormatUuid(admission.request.cmid) + ")"});
  }
  return false;
}

bool ActivationServer::Allowed(const asio::ip::address& a) const {
  std::array<std::uint8_t, 16> bytes{};
  if (a.is_v4()) {
    auto v4 = a.to_v4().to_bytes();
    bytes[10] = bytes[11] = 0xff;
    std::copy(v4.begin(), v4.end(), bytes.begin() + 12);
  } else {
    auto v6 = a.to_v6().to_bytes();
    std::copy(v6.begin(), v6.end(), bytes.begin());
  }
  return ContainsAny(core_.config().allowed_networks, bytes);
}

steady_clock::duration ActivationServer::IdleTimeout() const {
  return std::chrono::seconds(idle_timeout_seconds_.load(std::memory_order_relaxed));
}

ActivationServer::Loop& ActivationServer::NextLoop() {
  Loop& loop = *loops_[next_loop_];
  next_loop_ = (next_loop_ + 1) % loops_.size();
  return loop;
}

// Serve() calls it at the connection's start and after each whole request,
// so a slow sender cannot hold a connection by trickling bytes.
void ActivationServer::Touch(Loop& loop, Connection& c) {
  loop.idle.Touch(c, steady_clock::now() + IdleTimeout());
  if (!loop.ticking) {
    loop.ticking = true;
    ArmTick(loop);
  }
}

// Once a second while the loop holds connections, none while it holds
// none: a connection is closed at most a second after its deadline.
void ActivationServer::ArmTick(Loop& loop) {
  loop.tick.expires_after(std::chrono::seconds(1));
  loop.tick.async_wait([this, &loop](const boost::system::error_code& ec) {
    if (ec) return;  // the server is going away: `loop` may be gone
    CloseExpired(loop);
  });
}

// Closing a socket aborts what its coroutine awaits there; the coroutine
// then ends on that error like on any other, and leaves no timer behind.
void ActivationServer::CloseExpired(Loop& loop) {
  const TimePoint now = steady_clock::now();
  for (std::size_t i = 0; i < kCloseSlice; ++i) {
    IdleList::Node* n = loop.idle.PopExpired(now);
    if (n == nullptr) {
      if (loop.idle.empty()) {
        loop.ticking = false;
      } else {
        ArmTick(loop);
      }
      return;
    }
    boost::system::error_code ec;
    static_cast<Connection*>(n)->socket.close(ec);
  }
  asio::post(loop.io, [this, &loop] { CloseExpired(loop); });
}

// The requests whose records one batch commits. Its completion answers
// them all at once (RespondBatch: one signature for the batch), then wakes
// their coroutines, each of which sends its own frame. A batch that did not
// commit answers nobody: each of its requests gets CommitFailed().
struct ActivationServer::PendingCommit {
  explicit PendingCommit(asio::io_context& io) : timer(io, steady_clock::time_point::max()) {}
  asio::steady_timer timer;  // cancelled when the commit is done
  bool finished = false;
  Status status;
  std::vector<RequestHandler::Admission> admissions;
  std::vector<Bytes> frames;        // by admission, once finished with OK
  std::vector<ResultCode> results;  // by admission, likewise (metrics)
};

void ActivationServer::Answered(PendingCommit& commit, const Status& status) {
  commit.status = status;
  commit.finished = true;
  if (status.ok()) {
    std::vector<RequestHandler::Answer> answers = core_.host().RespondBatch(commit.admissions);
    commit.frames.reserve(answers.size());
    commit.results.reserve(answers.size());
    for (RequestHandler::Answer& answer : answers) {
      commit.results.push_back(answer.result);
      CommitQueue::Item logged;
      logged.delta = answer.delta;
      logged.event = std::move(answer.event);
      commits_->Add(std::move(logged));
      commit.frames.push_back(std::move(answer.frame));
    }
  }
  commit.timer.cancel();
}

// g++ 12 warns here, wrongly, that asio's coroutine frame is freed by an
// operator delete that does not match its operator new (unsized new, sized
// delete, seen after inlining: GCC PR 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
awaitable<void> ActivationServer::Serve(Loop& loop, tcp::socket socket, asio::ip::address peer) {
  Connection conn(std::move(socket), peer);
  Touch(loop, conn);
  for (;;) {
    // The header arrives into the frame's own 12 bytes, read as they come:
    // a peer trickling a byte at a time costs one read each, nothing more.
    std::array<std::uint8_t, kFrameHeaderSize> header;
    for (std::size_t got = 0; got < header.size();) {
      auto [ec, n] = co_await conn.socket.async_read_some(
          asio::buffer(header.data() + got, header.size() - got), kNoThrow);
      if (ec) co_return;
      got += n;
    }
    Result<FrameHeader> h = DecodeFrameHeader(header);
    if (!h.ok()) {
      // A wrong magic is not our protocol at all: close without a word.
      // Anything else gets one error frame first (docs/protocol.md).
      bool ours = std::equal(header.begin(), header.begin() + 4, "ACTV");
      RefusedOnMain(loop, conn.peer, h.status());
      if (ours) co_await SendError(conn.socket, h.status());
      co_return;
    }
    if (h->type != MessageType::kRequest) {
      co_await SendError(conn.socket, Status(ResultCode::kInvalidData, "expected a request"));
      co_return;
    }
    // The body goes into a buffer of the loop's pool, back there once it
    // is decoded. It grows with the bytes that arrive, never ahead of them:
    // a header announcing 64 KiB and no body must not cost 64 KiB per
    // connection (thousands of them held memory the size of their promises).
    std::optional<Result<ActivationRequest>> request;
    {
      Bytes body = loop.bodies.Take();
      bool read_failed = false;
      while (body.size() < h->body_length) {
        const std::size_t have = body.size();
        body.resize(have + std::min<std::size_t>(h->body_length - have, kBodyChunk));
        auto [ec2, n2] = co_await asio::async_read(
            conn.socket, asio::buffer(body.data() + have, body.size() - have), kNoThrow);
        if (ec2) {
          read_failed = true;
          break;
        }
      }
      if (!read_failed) request.emplace(DecodeRequestBody(body, h->version));
      loop.bodies.Give(std::move(body));
      if (read_failed) co_return;
    }
    if (!request->ok()) {
      RefusedOnMain(loop, conn.peer, request->status());
      if (!co_await SendError(conn.socket, request->status())) co_return;
      Touch(loop, conn);
      continue;
    }
    // The decision is the main loop's: on it, a call; from another loop, a
    // coroutine there, which resumes this one here with its answer.
    Decision d;
    if (loop.main) {
      d = co_await Decide(std::move(**request), conn.peer);
    } else {
      d = co_await asio::co_spawn(io_, Decide(std::move(**request), conn.peer), use_awaitable);
    }
    // A batch's frame stays in the batch (shared by its requests) until the
    // last of them has sent its own.
    asio::const_buffer out =
        d.commit ? asio::buffer(d.commit->frames[d.mine]) : asio::buffer(d.frame);
    auto [ec3, n3] = co_await asio::async_write(conn.socket, out, kNoThrow);
    if (ec3 || d.close) co_return;
    Touch(loop, conn);
  }
}

// The answer is decided and sent only once the client's record is on disk,
// so the count holds durable records only. An edition outside the host's
// catalog has no record, so nothing to wait for.
awaitable<ActivationServer::Decision> ActivationServer::Decide(ActivationRequest request,
                                                               asio::ip::address peer) {
  Decision d;
  const auto received = steady_clock::now();
  RequestHandler::Admission admission = core_.host().Admit(request);
  if (!AdmitNewClient(peer, admission)) {
    if (metrics_) metrics_->host().RequestRefused(HostMetrics::RequestRefusal::kNewClientLimit);
    d.frame = EncodeError(
        MakeErrorMessage(Status(ResultCode::kTooManyNewClients,
                                "too many new client machines from " + AddressText(peer).str() +
                                    " in the last minute; ask again later")));
    co_return d;
  }
  if (admission.record) {
    // Every request of one batch waits on one timer, which the batch's one
    // completion cancels: no timer or completion per request.
    CommitQueue::Item item;
    item.record = admission.record;
    const std::uint64_t batch = commits_->Add(std::move(item));
    if (!waiter_ || waiter_batch_ != batch) {
      waiter_ = std::make_shared<PendingCommit>(io_);
      waiter_batch_ = batch;
      commits_->WhenWritten(batch, [this, w = waiter_](const Status& s) { Answered(*w, s); });
    }
    std::shared_ptr<PendingCommit> commit = waiter_;
    const std::size_t mine = commit->admissions.size();
    commit->admissions.push_back(std::move(admission));
    if (!commit->finished) co_await commit->timer.async_wait(kNoThrow);
    if (!commit->status.ok()) {
      if (metrics_) metrics_->host().RequestRefused(HostMetrics::RequestRefusal::kCommitFailed);
      d.frame = RequestHandler::CommitFailed(commit->status);
      d.close = true;
      co_return d;
    }
    if (metrics_) {
      metrics_->host().Answered(commit->results[mine], Seconds(steady_clock::now() - received));
    }
    d.commit = std::move(commit);
    d.mine = mine;
    co_return d;
  }
  RequestHandler::Answer answer = core_.host().Respond(admission);
  if (metrics_) metrics_->host().Answered(answer.result, Seconds(steady_clock::now() - received));
  CommitQueue::Item logged;
  logged.delta = answer.delta;
  logged.event = std::move(answer.event);
  commits_->Add(std::move(logged));
  d.frame = std::move(answer.frame);
  co_return d;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// A frame the host will not process: an event, rate-limited so a flood
// neither fills the log nor costs a commit per frame.
void ActivationServer::Refused(const asio::ip::address& peer, const Status& why) {
  const AddressText from(peer);
  if (metrics_) metrics_->host().RequestRefused(HostMetrics::RequestRefusal::kMalformed);
  for (Event& e : refusals_.Refused(core_.clock().Now(), from.str() + ": " + why.ToString())) {
    AddEvent(std::move(e));
  }
}

void ActivationServer::RefusedOnMain(Loop& loop, const asio::ip::address& peer, const Status& why) {
  if (loop.main) {
    Refused(peer, why);
  } else {
    asio::post(io_, [this, peer, why] { Refused(peer, why); });
  }
}

void ActivationServer::FlushRefusals() {
  if (std::optional<Event> e = refusals_.Flush(core_.clock().Now())) AddEvent(std::move(*e));
}

void ActivationServer::AddEvent(Event e) {
  CommitQueue::Item item;
  item.event = std::move(e);
  commits_->Add(std::move(item));
}

awaitable<bool> ActivationServer::SendError(tcp::socket& socket, const Status& status) {
  Bytes frame = EncodeError(MakeErrorMessage(status));
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(frame), kNoThrow);
  co_return !ec;
}

}  // namespace activa
