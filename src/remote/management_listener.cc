#include "remote/management_listener.h"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <chrono>
#include <set>

namespace activa::remote {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using asio::awaitable;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kHandshakeTimeout(10);
constexpr std::chrono::seconds kRequestTimeout(30);
constexpr std::uint32_t kHeaderLimit = 8 * 1024;

using Stream = beast::ssl_stream<beast::tcp_stream>;

struct Connection {
  Connection(tcp::socket socket, ssl::context& ctx) : stream(std::move(socket), ctx) {}
  Stream stream;
  std::string source;
};

// A reply that a handler may give after Dispatch returned (a PAM login).
struct PendingReply {
  explicit PendingReply(asio::io_context& io)
      : timer(io, std::chrono::steady_clock::time_point::max()) {}
  asio::steady_timer timer;  // cancelled when the reply is in
  bool ready = false;
  http::Response response;
};

std::string Where(const tcp::endpoint& e) {
  std::string a = e.address().to_string();
  return (e.address().is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(e.port());
}

http::Request ToPlain(const bhttp::request<bhttp::string_body>& req, const std::string& source) {
  http::Request r;
  r.method = std::string(req.method_string());
  std::string_view target = req.target();
  std::size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  r.body = req.body();
  r.source = source;
  r.tls = true;
  return r;
}

}  // namespace

struct ManagementListener::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& i, const Options& o, const http::Router& r)
      : io(i), options(o), router(r), ctx(ssl::context::tls_server) {}

  awaitable<void> Accept(std::shared_ptr<Impl> self, tcp::acceptor& acceptor);
  // `self` keeps the listener's state alive while the connection lives.
  awaitable<void> Serve(std::shared_ptr<Impl> self, std::shared_ptr<Connection> c);
  awaitable<void> Answer(Connection& c, http::Response r, unsigned version, bool keep_alive);

  asio::io_context& io;
  Options options;
  const http::Router& router;
  ssl::context ctx;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::set<Connection*> connections;
  bool stopped = false;
};

awaitable<void> ManagementListener::Impl::Accept(std::shared_ptr<Impl> self,
                                                 tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
    if (stopped || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: wait a little instead of spinning.
      asio::steady_timer t(io, std::chrono::milliseconds(50));
      co_await t.async_wait(kNoThrow);
      continue;
    }
    // Bounded, so that no one can exhaust the daemon's descriptors; the
    // socket closes as it goes out of scope.
    if (connections.size() >= kMaxConnections) continue;
    boost::system::error_code pec;
    tcp::endpoint peer = socket.remote_endpoint(pec);
    if (pec) continue;
    auto c = std::make_shared<Connection>(std::move(socket), ctx);
    asio::ip::address a = peer.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
      a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    }
    c->source = a.to_string();
    connections.insert(c.get());
    asio::co_spawn(io, Serve(self, c), [self, c](std::exception_ptr) {
      // A connection's failure is its own; the listener goes on.
      self->connections.erase(c.get());
    });
  }
}

awaitable<void> ManagementListener::Impl::Answer(Connection& c, http::Response r, unsigned version,
                                                 bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "activad");
  res.set(bhttp::field::content_type, r.content_type);
  bool cache_set = false;
  for (auto& [name, value] : r.headers) {
    std::string lower = name;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == "cache-control") cache_set = true;
    res.insert(name, value);
  }
  if (!cache_set) res.set(bhttp::field::cache_control, "no-store");
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive && !stopped);
  res.prepare_payload();
  beast::get_lowest_layer(c.stream).expires_after(kRequestTimeout);
  co_await bhttp::async_write(c.stream, res, kNoThrow);
}

// g++ 12 warns here, wrongly, that asio's coroutine frame is freed by an
// operator delete that does not match its operator new (GCC PR 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
awaitable<void> ManagementListener::Impl::Serve(std::shared_ptr<Impl> /*self*/,
                                                std::shared_ptr<Connection> c) {
  beast::get_lowest_layer(c->stream).expires_after(kHandshakeTimeout);
  auto [hec] = co_await c->stream.async_handshake(ssl::stream_base::server, kNoThrow);
  if (hec) co_return;
  beast::flat_buffer buffer;
  for (;;) {
    beast::get_lowest_layer(c->stream).expires_after(
        std::chrono::seconds(options.idle_timeout_seconds));
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kMaxBodyBytes);
    auto [ec, n] = co_await bhttp::async_read_header(c->stream, buffer, parser, kNoThrow);
    if (!ec && !parser.is_done()) {
      beast::get_lowest_layer(c->stream).expires_after(kRequestTimeout);
      std::tie(ec, n) = co_await bhttp::async_read(c->stream, buffer, parser, kNoThrow);
    }
    if (ec == bhttp::error::body_limit) {
      co_await Answer(*c,
                      http::JsonError(413, "the body is larger than " +
                                               std::to_string(kMaxBodyBytes) + " bytes"),
                      11, false);
      break;
    }
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == ssl::error::stream_truncated ||
        ec == asio::error::eof || ec == asio::error::connection_reset || stopped) {
      break;
    }
    if (ec) {
      // Not HTTP/1.1 that Beast can read: say so once and close, the
      // stream's framing is lost.
      co_await Answer(*c,
                      http::JsonError(ec == bhttp::error::header_limit ? 431 : 400,
                                      "the request is not valid HTTP/1.1: " + ec.message()),
                      11, false);
      break;
    }
    const bhttp::request<bhttp::string_body>& req = parser.get();
    auto pending = std::make_shared<PendingReply>(io);
    router.Dispatch(ToPlain(req, c->source), [pending](http::Response r) {
      pending->response = std::move(r);
      pending->ready = true;
      pending->timer.cancel();
    });
    if (!pending->ready) co_await pending->timer.async_wait(kNoThrow);
    if (stopped) co_return;
    const bool keep_alive = req.keep_alive();
    co_await Answer(*c, std::move(pending->response), req.version(), keep_alive);
    if (!keep_alive) break;
  }
  if (stopped) co_return;
  beast::get_lowest_layer(c->stream).expires_after(std::chrono::seconds(2));
  co_await c->stream.async_shutdown(kNoThrow);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

ManagementListener::ManagementListener(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ManagementListener::~ManagementListener() {
  impl_->stopped = true;
  boost::system::error_code ec;
  for (auto& a : impl_->acceptors) a->close(ec);
  for (Connection* c : impl_->connections) beast::get_lowest_layer(c->stream).close();
}

Result<std::unique_ptr<ManagementListener>> ManagementListener::Create(asio::io_context& io,
                                                                       const Options& options,
                                                                       const http::Router& router) {
  auto impl = std::make_shared<Impl>(io, options, router);
  boost::system::error_code ec;
  impl->ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                        ec);
  SSL_CTX_set_min_proto_version(impl->ctx.native_handle(), TLS1_2_VERSION);
  impl->ctx.use_certificate_chain_file(options.certificate_file, ec);
  if (ec) {
    return Status(
        ResultCode::kInvalidData,
        options.certificate_file + ": not a PEM certificate chain (" + ec.message() + ")");
  }
  impl->ctx.use_private_key_file(options.key_file, ssl::context::pem, ec);
  if (ec) {
    return Status(ResultCode::kInvalidData,
                  options.key_file + ": not a PEM private key (" + ec.message() + ")");
  }
  if (SSL_CTX_check_private_key(impl->ctx.native_handle()) != 1) {
    return Status(ResultCode::kInvalidData,
                  options.key_file + " is not the key of " + options.certificate_file);
  }
  for (const HostAddress& where : options.listen) {
    asio::ip::address addr = asio::ip::make_address(where.host, ec);
    if (ec) {
      return Status(ResultCode::kInvalidArgument,
                    "[management] listen: \"" + where.host + "\" is not an IP address");
    }
    tcp::endpoint endpoint(addr, where.port);
    auto acceptor = std::make_unique<tcp::acceptor>(io);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    // "[::]" and "0.0.0.0" side by side, as the default lists them.
    if (!ec && addr.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status(ResultCode::kAccessDenied,
                    "[management] cannot listen on " + Where(endpoint) + ": " + ec.message());
    }
    impl->acceptors.push_back(std::move(acceptor));
  }
  return std::unique_ptr<ManagementListener>(new ManagementListener(std::move(impl)));
}

void ManagementListener::Start(std::function<void(std::exception_ptr)> fatal) {
  for (auto& a : impl_->acceptors) {
    asio::co_spawn(impl_->io, impl_->Accept(impl_, *a), fatal);
  }
}

std::vector<std::string> ManagementListener::listening() const {
  std::vector<std::string> out;
  for (const auto& a : impl_->acceptors) {
    boost::system::error_code ec;
    tcp::endpoint e = a->local_endpoint(ec);
    if (!ec) out.push_back(Where(e));
  }
  return out;
}

}  // namespace activa::remote
