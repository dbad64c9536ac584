#include "clearinghouse/https_server.h"

#include <openssl/ssl.h>
#include <signal.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <set>

namespace activa {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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
  bool idle = true;        // waiting for the first byte of a request
  bool abandoned = false;  // closed by the stop: no TLS goodbye to wait for
};

}  // namespace

struct HttpsServer::Impl {
  Impl(ClearinghouseService& s, const Options& o)
      : service(s), options(o), ctx(ssl::context::tls_server), acceptor(io), signals(io) {}

  awaitable<void> Accept();
  awaitable<void> Serve(std::shared_ptr<Connection> c);
  awaitable<void> Answer(Connection& c, HttpAnswer a, unsigned version, bool keep_alive);
  void Stop();

  ClearinghouseService& service;
  Options options;
  asio::io_context io{1};
  ssl::context ctx;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::set<std::shared_ptr<Connection>> connections;
  std::unique_ptr<asio::steady_timer> grace;
  bool stopping = false;
};

namespace {

// Ends the process after a coroutine let an exception out: a server that
// lost its listener must not look alive (STYLE.md, rule 18).
void FatalIfThrown(const char* what, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "activa-vendor serve: %s failed: %s\n", what, ex.what());
  }
  std::abort();
}

}  // namespace

awaitable<void> HttpsServer::Impl::Accept() {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
    if (ec) {
      if (!acceptor.is_open() || stopping) co_return;
      // Out of descriptors and the like: wait a little instead of spinning.
      asio::steady_timer t(io, std::chrono::milliseconds(50));
      co_await t.async_wait(kNoThrow);
      continue;
    }
    boost::system::error_code pec;
    tcp::endpoint peer = socket.remote_endpoint(pec);
    if (pec) continue;
    auto c = std::make_shared<Connection>(std::move(socket), ctx);
    c->source = peer.address().to_string();
    connections.insert(c);
    asio::co_spawn(io, Serve(c), [this, c](std::exception_ptr e) {
      connections.erase(c);
      // The last connection gone while stopping: nothing is left to wait for.
      if (stopping && connections.empty() && grace) grace->cancel();
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          std::fprintf(stderr, "activa-vendor serve: a connection from %s failed: %s\n",
                       c->source.c_str(), ex.what());
        }
      }
    });
  }
}

awaitable<void> HttpsServer::Impl::Answer(Connection& c, HttpAnswer a, unsigned version,
                                          bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(a.status), version};
  res.set(http::field::server, "activa-clearinghouse");
  res.set(http::field::content_type, a.content_type);
  res.set(http::field::cache_control, "no-store");
  if (a.retry_after > 0) res.set(http::field::retry_after, std::to_string(a.retry_after));
  if (!a.allow.empty()) res.set(http::field::allow, a.allow);
  res.body() = std::move(a.body);
  res.keep_alive(keep_alive && !stopping);
  res.prepare_payload();
  beast::get_lowest_layer(c.stream).expires_after(kRequestTimeout);
  co_await http::async_write(c.stream, res, kNoThrow);
}

// g++ 12 warns here, wrongly, that asio's coroutine frame is freed by an
// operator delete that does not match its operator new (GCC PR 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
awaitable<void> HttpsServer::Impl::Serve(std::shared_ptr<Connection> c) {
  beast::get_lowest_layer(c->stream).expires_after(kHandshakeTimeout);
  auto [hec] = co_await c->stream.async_handshake(ssl::stream_base::server, kNoThrow);
  if (hec) co_return;
  beast::flat_buffer buffer;
  for (;;) {
    c->idle = buffer.size() == 0;
    beast::get_lowest_layer(c->stream).expires_after(
        stopping ? std::chrono::seconds(kIdleGraceSeconds)
                 : std::chrono::seconds(options.idle_timeout_seconds));
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kMaxApiBodyBytes);
    auto [ec, n] = co_await http::async_read_header(c->stream, buffer, parser, kNoThrow);
    c->idle = false;
    if (!ec && !parser.is_done()) {
      beast::get_lowest_layer(c->stream).expires_after(kRequestTimeout);
      std::tie(ec, n) = co_await http::async_read(c->stream, buffer, parser, kNoThrow);
    }
    if (ec == http::error::body_limit) {
      ApiError e;
      e.http_status = 413;
      e.code = ResultCode::kRequestTooLarge;
      e.message = "the body is larger than " + std::to_string(kMaxApiBodyBytes) + " bytes";
      std::string target(parser.get().target());
      co_await Answer(*c, service.Refuse(e, target, c->source), 11, false);
      break;
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == ssl::error::stream_truncated ||
        ec == asio::error::eof || ec == asio::error::connection_reset) {
      break;
    }
    if (ec) {
      // Not HTTP/1.1 that Beast can read: say so once and close, the
      // stream's framing is lost.
      ApiError e;
      e.http_status = ec == http::error::header_limit ? 431 : 400;
      e.code = ResultCode::kInvalidData;
      e.message = "the request is not valid HTTP/1.1: " + ec.message();
      co_await Answer(*c, service.Refuse(e, "", c->source), 11, false);
      break;
    }
    const http::request<http::string_body>& req = parser.get();
    HttpAnswer a = service.Handle(req.method_string(), req.target(), req.body(), c->source);
    bool keep_alive = req.keep_alive();
    co_await Answer(*c, std::move(a), req.version(), keep_alive);
    if (!keep_alive || stopping) break;
  }
  if (c->abandoned) co_return;
  beast::get_lowest_layer(c->stream).expires_after(std::chrono::seconds(kIdleGraceSeconds));
  co_await c->stream.async_shutdown(kNoThrow);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void HttpsServer::Impl::Stop() {
  if (stopping) return;
  stopping = true;
  boost::system::error_code ec;
  acceptor.close(ec);
  signals.cancel(ec);
  std::size_t busy = 0;
  for (const auto& c : connections) busy += c->idle ? 0 : 1;
  std::fprintf(stderr,
               "activa-vendor serve: stopping: no new connections; finishing %zu request(s) in "
               "flight\n",
               busy);
  // Connections waiting between requests get a short grace: a request
  // whose first bytes are on their way still finishes, a silent
  // keep-alive does not hold the exit up for its whole timeout.
  if (connections.empty()) return;
  grace = std::make_unique<asio::steady_timer>(io, std::chrono::seconds(kIdleGraceSeconds));
  grace->async_wait([this](boost::system::error_code wec) {
    if (wec) return;
    for (const auto& c : connections) {
      if (!c->idle) continue;
      c->abandoned = true;
      beast::get_lowest_layer(c->stream).close();
    }
  });
}

HttpsServer::HttpsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsServer::~HttpsServer() = default;

Result<std::unique_ptr<HttpsServer>> HttpsServer::Create(const Options& options,
                                                         ClearinghouseService& service) {
  auto impl = std::make_unique<Impl>(service, options);
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
  asio::ip::address addr = asio::ip::make_address(options.address, ec);
  if (ec) {
    return Status(ResultCode::kInvalidArgument,
                  "--listen: \"" + options.address + "\" is not an IP address");
  }
  tcp::endpoint endpoint(addr, options.port);
  std::string where = (addr.is_v6() ? "[" + options.address + "]" : options.address) + ":" +
                      std::to_string(options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && addr.is_v6()) impl->acceptor.set_option(asio::ip::v6_only(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Status(ResultCode::kAccessDenied, "cannot listen on " + where + ": " + ec.message());
  // The handlers are in place from here on, not only once Run() starts: a
  // SIGTERM that comes as soon as the listener exists still drains.
  impl->signals.add(SIGTERM, ec);
  if (!ec) impl->signals.add(SIGINT, ec);
  if (ec) return Status(ResultCode::kInternal, "cannot handle SIGTERM: " + ec.message());
  return std::unique_ptr<HttpsServer>(new HttpsServer(std::move(impl)));
}

std::uint16_t HttpsServer::port() const {
  boost::system::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

Status HttpsServer::Run() {
  Impl& impl = *impl_;
  impl.signals.async_wait([&impl](boost::system::error_code ec, int) {
    if (!ec) impl.Stop();
  });
  asio::co_spawn(impl.io, impl.Accept(),
                 [](std::exception_ptr e) { FatalIfThrown("the listener", e); });
  impl.io.run();
  return Status::Ok();
}

Status ParseListenAddress(const std::string& text, std::string* address, std::uint16_t* port) {
  std::string host, port_text;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status(ResultCode::kInvalidArgument,
                    "--listen \"" + text + "\": write an IPv6 address as [ADDR]:PORT");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      return Status(
          ResultCode::kInvalidArgument,
          "--listen \"" + text + "\": give ADDR:PORT (an IPv6 address in brackets: [::1]:8443)");
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port_text) > 65535) {
    return Status(ResultCode::kInvalidArgument,
                  "--listen \"" + text + "\": the port must be a number from 0 to 65535");
  }
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) {
    return Status(ResultCode::kInvalidArgument,
                  "--listen \"" + text + "\": \"" + host + "\" is not an IP address");
  }
  *address = host;
  *port = static_cast<std::uint16_t>(std::stoul(port_text));
  return Status::Ok();
}

}  // namespace activa
