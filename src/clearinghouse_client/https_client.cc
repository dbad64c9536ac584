#include "clearinghouse_client/https_client.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>

#include "clearinghouse_client/clearinghouse_api.h"

namespace activa::clearinghouse {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using std::chrono::steady_clock;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

std::string Hex(const unsigned char* p, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 15];
  }
  return out;
}

// The contract's pin: SHA-256 over the DER SubjectPublicKeyInfo, so a
// certificate renewed over the same key keeps its pin.
std::optional<std::string> PinOf(X509* cert) {
  X509_PUBKEY* spki = X509_get_X509_PUBKEY(cert);
  if (spki == nullptr) return std::nullopt;
  unsigned char* der = nullptr;
  int len = i2d_X509_PUBKEY(spki, &der);
  if (len <= 0) return std::nullopt;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  bool ok = EVP_Digest(der, static_cast<std::size_t>(len), md, &md_len, EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  if (!ok) return std::nullopt;
  return "sha256:" + Hex(md, md_len);
}

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// One exchange's state, shared by the coroutine and the deadline's
// cancellation.
struct Exchange {
  const HttpsOptions& options;
  const HttpsRequest& request;
  std::string server_text;  // "host:port"
  std::string step = "starting";
  bool done = false;
  Result<HttpsAnswer> result = Status(ResultCode::kClearinghouseUnreachable, "no answer");
  tcp::resolver* resolver = nullptr;
  beast::tcp_stream* stream = nullptr;

  void Fail(ResultCode code, std::string message) {
    result = Status(code, std::move(message));
    done = true;
  }
  void Unreachable(const boost::system::error_code& ec) {
    Fail(ResultCode::kClearinghouseUnreachable, step + ": " + ec.message());
  }
};

std::string TrustSource(const HttpsOptions& o) {
  return o.ca_file.empty() ? "the system's trust store" : "the CA file " + o.ca_file;
}

asio::awaitable<void> Run(Exchange& x, ssl::context& ctx) {
  auto ex = co_await asio::this_coro::executor;
  const HttpsOptions& o = x.options;
  const HostAddress& first = o.proxy ? *o.proxy : o.server;
  const std::string first_text = FormatHostPort(first.host, first.port);

  tcp::resolver resolver(ex);
  x.resolver = &resolver;
  x.step = "resolving " + first.host;
  auto [rec, endpoints] =
      co_await resolver.async_resolve(first.host, std::to_string(first.port), kNoThrow);
  x.resolver = nullptr;
  if (rec) co_return x.Unreachable(rec);

  beast::tcp_stream stream(ex);
  x.stream = &stream;
  stream.expires_at(steady_clock::now() + o.deadline);
  x.step = o.proxy ? "connecting to the proxy at " + first_text : "connecting to " + first_text;
  auto [cec, connected] = co_await stream.async_connect(endpoints, kNoThrow);
  if (cec) co_return x.Unreachable(cec);

  if (o.proxy) {
    x.step = "asking the proxy at " + first_text + " for a tunnel to " + x.server_text;
    http::request<http::empty_body> connect{http::verb::connect, x.server_text, 11};
    connect.set(http::field::host, x.server_text);
    connect.set(http::field::user_agent, "activad");
    auto [wec, wn] = co_await http::async_write(stream, connect, kNoThrow);
    if (wec) co_return x.Unreachable(wec);
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a CONNECT answer has no body (RFC 9110, 9.3.6)
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, kNoThrow);
    if (hec) co_return x.Unreachable(hec);
    if (parser.get().result_int() / 100 != 2) {
      co_return x.Fail(ResultCode::kClearinghouseUnreachable,
                       "the proxy at " + first_text + " refused a tunnel to " + x.server_text +
                           ": HTTP " + std::to_string(parser.get().result_int()) + " " +
                           std::string(parser.get().reason()));
    }
    if (buffer.size() != 0) {
      co_return x.Fail(ResultCode::kClearinghouseBadAnswer,
                       "the proxy at " + first_text + " sent bytes before the TLS handshake");
    }
  }

  ssl::stream<beast::tcp_stream&> tls(stream, ctx);
  SSL* ssl_handle = tls.native_handle();
  const std::string& host = o.server.host;
  if (!IsIpLiteral(host)) SSL_set_tlsext_host_name(ssl_handle, host.c_str());
  if (o.pins.empty()) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
    if (IsIpLiteral(host)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
      SSL_set1_host(ssl_handle, host.c_str());
    }
  }
  x.step = "the TLS handshake with " + x.server_text;
  auto [tec] = co_await tls.async_handshake(ssl::stream_base::client, kNoThrow);
  if (tec) {
    long verify = SSL_get_verify_result(ssl_handle);
    if (o.pins.empty() && verify != X509_V_OK) {
      co_return x.Fail(ResultCode::kClearinghouseUntrusted,
                       "the certificate of " + x.server_text + " does not verify against " +
                           TrustSource(o) + ": " + X509_verify_cert_error_string(verify) +
                           " (the catalog pins no clearinghouse key)");
    }
    co_return x.Unreachable(tec);
  }
  if (!o.pins.empty()) {
    X509* peer = SSL_get1_peer_certificate(ssl_handle);
    std::optional<std::string> pin = peer ? PinOf(peer) : std::nullopt;
    if (peer) X509_free(peer);
    if (!pin || std::find(o.pins.begin(), o.pins.end(), *pin) == o.pins.end()) {
      co_return x.Fail(ResultCode::kClearinghouseUntrusted,
                       "the certificate of " + x.server_text + " has the key " +
                           pin.value_or("(none)") + ", which is none of the " +
                           std::to_string(o.pins.size()) +
                           " pinned in the catalog (clearinghouse_pins)");
    }
  }

  x.step = "sending the request to " + x.server_text;
  http::request<http::string_body> req{http::string_to_verb(x.request.method), x.request.target,
                                       11};
  req.set(http::field::host, x.server_text);
  req.set(http::field::user_agent, "activad");
  req.set(http::field::accept, "application/json");
  req.set(http::field::connection, "close");
  if (!x.request.body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = x.request.body;
  }
  req.prepare_payload();
  auto [rwec, rwn] = co_await http::async_write(tls, req, kNoThrow);
  if (rwec) co_return x.Unreachable(rwec);

  x.step = "reading the answer of " + x.server_text;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(kMaxAnswerBytes);
  auto [rec2, rn] = co_await http::async_read(tls, buffer, parser, kNoThrow);
  if (rec2 == http::error::body_limit || rec2 == http::error::header_limit) {
    co_return x.Fail(ResultCode::kClearinghouseBadAnswer,
                     "the answer of " + x.server_text + " is larger than activad reads");
  }
  if (rec2 && rec2.category() == http::make_error_code(http::error::bad_version).category()) {
    co_return x.Fail(ResultCode::kClearinghouseBadAnswer,
                     "the answer of " + x.server_text + " is not HTTP: " + rec2.message());
  }
  if (rec2) co_return x.Unreachable(rec2);
  HttpsAnswer answer;
  answer.status = parser.get().result_int();
  answer.body = std::move(parser.get().body());
  if (auto it = parser.get().find(http::field::retry_after); it != parser.get().end()) {
    answer.retry_after = std::string(it->value());
  }
  // No TLS close_notify exchange: the request asked for Connection: close,
  // and waiting on the server's goodbye only risks the deadline.
  x.result = std::move(answer);
  x.done = true;
}

}  // namespace

Result<HttpsAnswer> SendHttps(const HttpsOptions& options, const HttpsRequest& request) {
  if (request.method != "GET" && request.method != "POST") {
    return Status(ResultCode::kInvalidArgument, "unsupported method " + request.method);
  }
  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  if (options.pins.empty()) {
    boost::system::error_code ec;
    if (options.ca_file.empty()) {
      ctx.set_default_verify_paths(ec);
    } else {
      ctx.load_verify_file(options.ca_file, ec);
    }
    if (ec) {
      return Status(ResultCode::kClearinghouseUntrusted,
                    "cannot load " + TrustSource(options) + ": " + ec.message());
    }
    ctx.set_verify_mode(ssl::verify_peer);
  } else {
    // The pin decides, after the handshake (see the header).
    ctx.set_verify_mode(ssl::verify_none);
  }
  Exchange x{options, request, FormatHostPort(options.server.host, options.server.port)};
  asio::io_context io(1);
  asio::co_spawn(io, Run(x, ctx), [&x](std::exception_ptr e) {
    if (e && !x.done) x.Fail(ResultCode::kInternal, "the HTTPS exchange failed unexpectedly");
  });
  io.run_for(options.deadline);
  if (!x.done) {
    const std::string step = x.step;
    // Cancel what is pending and let the coroutine unwind on its errors.
    if (x.resolver) x.resolver->cancel();
    if (x.stream) x.stream->cancel();
    io.restart();
    io.run_for(std::chrono::seconds(2));
    return Status(ResultCode::kClearinghouseUnreachable,
                  "no answer within " + std::to_string(options.deadline.count() / 1000) + " s (" +
                      step + ")");
  }
  return std::move(x.result);
}

Result<std::string> SpkiPinOfPem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return Status(ResultCode::kInternal, "out of memory");
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) return Status(ResultCode::kInvalidData, "no PEM certificate");
  std::optional<std::string> pin = PinOf(cert.get());
  if (!pin) return Status(ResultCode::kInvalidData, "the certificate has no public key");
  return *pin;
}

}  // namespace activa::clearinghouse
