#include "daemon/metrics_listener.h"

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <utility>

#include "daemon/log.h"

namespace activa {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::awaitable;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kHeaderLimit = 8 * 1024;
// GET and HEAD carry no body; a little room for a client that sends an
// empty one with a length anyway.
constexpr std::uint64_t kBodyLimit = 1024;
// After refusing a request that is too large: how long and how much of the
// rest of it is read and thrown away before the connection is closed.
constexpr std::chrono::seconds kDrainTimeout(1);
constexpr std::size_t kDrainLimit = 256 * 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

struct MetricsListener::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& i, const http::Router& r, FatalError f)
      : io(i), router(r), fatal(std::move(f)) {}

  awaitable<void> Accept(std::shared_ptr<tcp::acceptor> acceptor);
  awaitable<void> Serve(tcp::socket socket);
  void Close() {
    for (auto& a : acceptors) {
      boost::system::error_code ignored;
      a->close(ignored);
    }
    acceptors.clear();
  }

  asio::io_context& io;
  const http::Router& router;
  FatalError fatal;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors;
  std::size_t connections = 0;
};

MetricsListener::MetricsListener(asio::io_context& io, const http::Router& router, FatalError fatal)
    : impl_(std::make_shared<Impl>(io, router, std::move(fatal))) {}

MetricsListener::~MetricsListener() { impl_->Close(); }

std::string MetricsListener::Listen(const std::vector<HostAddress>& addresses) {
  impl_->Close();
  std::string errors;
  for (const HostAddress& address : addresses) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(address.host, ec);
    tcp::endpoint ep(addr, address.port);
    auto acceptor = std::make_shared<tcp::acceptor>(impl_->io);
    if (!ec) acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && addr.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      errors += (errors.empty() ? "" : "; ") + address.ToString() + ": " + ec.message();
      continue;
    }
    impl_->acceptors.push_back(acceptor);
    asio::co_spawn(impl_->io, impl_->Accept(acceptor), [impl = impl_](std::exception_ptr e) {
      if (e) impl->fatal("the metrics listener", e);
    });
  }
  return errors;
}

// g++ 12 warns here, wrongly, that asio's coroutine frame is freed by an
// operator delete that does not match its operator new (GCC PR 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
awaitable<void> MetricsListener::Impl::Accept(std::shared_ptr<tcp::acceptor> acceptor) {
  auto self = shared_from_this();
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(kNoThrow);
    if (ec) {
      if (!acceptor->is_open()) co_return;
      // Out of descriptors and the like: wait a little instead of spinning.
      asio::steady_timer t(io, std::chrono::milliseconds(50));
      co_await t.async_wait(kNoThrow);
      continue;
    }
    if (connections >= kMaxConnections) continue;  // closes it
    ++connections;
    asio::co_spawn(io, Serve(std::move(socket)), [self](std::exception_ptr e) {
      // A connection's failure is its own: logged, and the listener goes on.
      --self->connections;
      if (e) LogException("a metrics connection", e);
    });
  }
}

namespace {
struct PendingResponse {
  explicit PendingResponse(asio::io_context& io)
      : timer(io, std::chrono::steady_clock::time_point::max()) {}
  asio::steady_timer timer;  // cancelled when the handler has answered
  bool ready = false;
  http::Response response;
};
}  // namespace

awaitable<void> MetricsListener::Impl::Serve(tcp::socket socket) {
  auto self = shared_from_this();
  boost::system::error_code pec;
  tcp::endpoint peer = socket.remote_endpoint(pec);
  const std::string source = pec ? std::string("?") : peer.address().to_string();
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    stream.expires_after(kRequestTimeout);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
    if (ec) {
      if (ec == bhttp::error::header_limit || ec == bhttp::error::body_limit) {
        bhttp::response<bhttp::string_body> res{bhttp::status::payload_too_large, 11};
        res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
        res.body() = "request too large: at most 8 KiB of header and no body\n";
        res.keep_alive(false);
        res.prepare_payload();
        stream.expires_after(kRequestTimeout);
        co_await bhttp::async_write(stream, res, kNoThrow);
        // A close with unread bytes sends a reset, which can destroy the
        // answer before the client reads it: end our side, then read
        // what the client still sends, bounded in bytes and time.
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.expires_after(kDrainTimeout);
        std::array<char, 4096> scratch;
        std::size_t drained = 0;
        while (drained < kDrainLimit) {
          auto [rec, rn] = co_await stream.async_read_some(asio::buffer(scratch), kNoThrow);
          if (rec) break;
          drained += rn;
        }
      }
      co_return;
    }
    const bhttp::request<bhttp::string_body>& req = parser.get();
    http::Request request;
    request.method = std::string(req.method_string());
    std::string_view target = req.target();
    std::size_t q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
    for (const auto& field : req) {
      request.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
    }
    request.body = req.body();
    request.source = source;
    request.tls = false;
    // HEAD is GET without the body (RFC 9110 section 9.3.2).
    const bool head = request.method == "HEAD";
    if (head) request.method = "GET";

    auto pending = std::make_shared<PendingResponse>(io);
    router.Dispatch(request, [pending](http::Response r) {
      pending->response = std::move(r);
      pending->ready = true;
      pending->timer.cancel();
    });
    if (!pending->ready) co_await pending->timer.async_wait(kNoThrow);

    const http::Response& r = pending->response;
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), req.version()};
    res.set(bhttp::field::content_type, r.content_type);
    res.set(bhttp::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) res.set(name, value);
    res.keep_alive(req.keep_alive());
    res.body() = r.body;
    res.prepare_payload();
    if (head) res.body().clear();  // Content-Length stays the GET's
    stream.expires_after(kRequestTimeout);
    auto [wec, wn] = co_await bhttp::async_write(stream, res, kNoThrow);
    if (wec || !res.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace activa
