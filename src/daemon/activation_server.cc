#include "daemon/activation_server.h"

#include <algorithm>
#include <array>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <optional>
#include <string>
#include <utility>

#include "daemon/log.h"
#include "net/host_address.h"
#include "net/network.h"
#include "protocol/codec.h"

namespace activa {
namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using std::chrono::steady_clock;

namespace {

constexpr auto kNoThrow = asio::as_tuple(use_awaitable);

}  // namespace

ActivationServer::ActivationServer(asio::io_context& io, DaemonCore& core, StateStore commit_store,
                                   bool journal, FatalError fatal)
    : io_(io), core_(core), fatal_(std::move(fatal)) {
  // The commit queue's writer owns the second connection to the state;
  // it journals what it wrote.
  auto store = std::make_shared<StateStore>(std::move(commit_store));
  std::size_t keep = core_.config().keep_events;
  CommitQueue::Writer writer = [store, journal, keep](const HostBatch& b) {
    Status s = store->SaveHostBatch(b.clients, b.delta, b.events, keep);
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
}

Status ActivationServer::Rebind() {
  for (auto& a : acceptors_) a->close();
  acceptors_.clear();
  if (!core_.host().key_installed()) return Status::Ok();
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
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && addr.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
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
    auto [ec, socket] = co_await acceptor->async_accept(kNoThrow);
    if (ec) {
      if (!acceptor->is_open()) co_return;
      // Out of descriptors and the like: wait a little instead of spinning.
      asio::steady_timer t(io_, std::chrono::milliseconds(50));
      co_await t.async_wait(kNoThrow);
      continue;
    }
    boost::system::error_code pec;
    tcp::endpoint peer = socket.remote_endpoint(pec);
    if (pec || !Allowed(peer.address())) continue;  // closes the socket
    if (connections_ >= core_.config().max_connections) continue;
    ++connections_;
    asio::co_spawn(io_, ServeWithDeadline(std::move(socket)), [this](std::exception_ptr e) {
      --connections_;
      if (e) LogException("a client connection", e);
    });
  }
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

awaitable<void> ActivationServer::ServeWithDeadline(tcp::socket socket) {
  steady_clock::time_point deadline = steady_clock::now() + IdleTimeout();
  co_await (Serve(socket, deadline) || Watchdog(socket, deadline));
}

steady_clock::duration ActivationServer::IdleTimeout() const {
  return std::chrono::seconds(core_.config().idle_timeout_seconds);
}

// Closes the socket once `deadline` passes; Serve() moves it on after each
// whole request, so a slow sender cannot hold a connection by trickling.
awaitable<void> ActivationServer::Watchdog(tcp::socket& socket, TimePoint& deadline) {
  asio::steady_timer timer(io_);
  while (deadline > steady_clock::now()) {
    timer.expires_at(deadline);
    auto [ec] = co_await timer.async_wait(kNoThrow);
    // Cancelled: Serve() finished first. Awaiting again on a cancelled
    // coroutine would throw, costing an exception per connection.
    if (ec == asio::error::operation_aborted) co_return;
  }
  boost::system::error_code ec;
  socket.close(ec);
}

struct ActivationServer::PendingCommit {
  explicit PendingCommit(asio::io_context& io) : timer(io, steady_clock::time_point::max()) {}
  asio::steady_timer timer;  // cancelled when the commit is done
  bool finished = false;
  Status status;
};

// g++ 12 warns here, wrongly, that asio's coroutine frame is freed by an
// operator delete that does not match its operator new (unsized new, sized
// delete, seen after inlining: GCC PR 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
awaitable<void> ActivationServer::Serve(tcp::socket& socket, TimePoint& deadline) {
  Bytes body;
  for (;;) {
    std::array<std::uint8_t, kFrameHeaderSize> header;
    auto [ec, n] = co_await asio::async_read(socket, asio::buffer(header), kNoThrow);
    if (ec) co_return;
    Result<FrameHeader> h = DecodeFrameHeader(header);
    if (!h.ok()) {
      // A wrong magic is not our protocol at all: close without a word.
      // Anything else gets one error frame first (docs/protocol.md).
      bool ours = std::equal(header.begin(), header.begin() + 4, "ACTV");
      Refused(socket, h.status());
      if (ours) co_await SendError(socket, h.status());
      co_return;
    }
    if (h->type != MessageType::kRequest) {
      co_await SendError(socket, Status(ResultCode::kInvalidData, "expected a request"));
      co_return;
    }
    body.resize(h->body_length);
    auto [ec2, n2] = co_await asio::async_read(socket, asio::buffer(body), kNoThrow);
    if (ec2) co_return;
    Result<ActivationRequest> request = DecodeRequestBody(body);
    if (!request.ok()) {
      Refused(socket, request.status());
      if (!co_await SendError(socket, request.status())) co_return;
      deadline = steady_clock::now() + IdleTimeout();
      continue;
    }
    // The answer is decided and sent only once the client's record is on
    // disk, so the count holds durable records only.
    RequestHandler::Admission admission = core_.host().Admit(*request);
    auto commit = std::make_shared<PendingCommit>(io_);
    CommitQueue::Item item;
    item.record = admission.record;
    item.done = [commit](const Status& s) {
      commit->status = s;
      commit->finished = true;
      commit->timer.cancel();
    };
    commits_->Add(std::move(item));
    if (!commit->finished) co_await commit->timer.async_wait(kNoThrow);
    if (!commit->status.ok()) {
      Bytes failed = RequestHandler::CommitFailed(commit->status);
      co_await asio::async_write(socket, asio::buffer(failed), kNoThrow);
      co_return;
    }
    RequestHandler::Answer answer = core_.host().Respond(admission);
    CommitQueue::Item logged;
    logged.delta = answer.delta;
    logged.event = std::move(answer.event);
    commits_->Add(std::move(logged));
    auto [ec3, n3] = co_await asio::async_write(socket, asio::buffer(answer.frame), kNoThrow);
    if (ec3) co_return;
    deadline = steady_clock::now() + IdleTimeout();
  }
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// A frame the host will not process: an event, rate-limited so a flood
// neither fills the log nor costs a commit per frame.
void ActivationServer::Refused(const tcp::socket& socket, const Status& why) {
  boost::system::error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  std::string from = ec ? std::string("?") : peer.address().to_string();
  for (Event& e : refusals_.Refused(core_.clock().Now(), from + ": " + why.ToString())) {
    AddEvent(std::move(e));
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
