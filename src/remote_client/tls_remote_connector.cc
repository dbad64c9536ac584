#include "remote_client/tls_remote_connector.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pwd.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <optional>

#include "base/bytes.h"
#include "net/host_address.h"
#include "remote_client/known_hosts.h"
#include "remote_client/password_prompt.h"
#include "tls/tls_identity.h"

namespace activa::remote_client {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
namespace json = boost::json;
using tcp = asio::ip::tcp;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxAnswerBytes = 1024 * 1024;

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Answer {
  unsigned status = 0;
  std::string body;
};

// The error message of a JSON error body, or the body itself.
std::string ErrorText(const Answer& a) {
  boost::system::error_code ec;
  json::value v = json::parse(a.body, ec);
  if (!ec && v.is_object()) {
    const json::object& o = v.as_object();
    if (const json::value* e = o.if_contains("error"); e && e->is_object()) {
      if (const json::value* m = e->as_object().if_contains("message"); m && m->is_string()) {
        return std::string(m->as_string());
      }
    }
  }
  return "HTTP " + std::to_string(a.status);
}

// One TLS connection, used for the login, every request and the logout.
class Connection {
 public:
  Connection(HostAddress server, std::chrono::milliseconds timeout)
      : server_(std::move(server)),
        where_(server_.ToString()),
        timeout_(timeout),
        ctx_(ssl::context::tls_client),
        stream_(io_, ctx_) {}

  // Connects and shakes hands; with a CA file, checks the chain and name.
  Status Open(const std::string& ca_file) {
    SSL_CTX_set_min_proto_version(ctx_.native_handle(), TLS1_2_VERSION);
    boost::system::error_code ec;
    if (!ca_file.empty()) {
      ctx_.load_verify_file(ca_file, ec);
      if (ec) {
        return Status(
            ResultCode::kInvalidArgument,
            "--ca " + ca_file + ": not a file of PEM CA certificates (" + ec.message() + ")");
      }
      ctx_.set_verify_mode(ssl::verify_peer);
    } else {
      // Pinned instead (known_hosts): the fingerprint is checked after the
      // handshake, before anything is sent.
      ctx_.set_verify_mode(ssl::verify_none);
    }
    SSL* handle = stream_.native_handle();
    if (!IsIpLiteral(server_.host)) SSL_set_tlsext_host_name(handle, server_.host.c_str());
    if (!ca_file.empty()) {
      if (IsIpLiteral(server_.host)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), server_.host.c_str());
      } else {
        SSL_set1_host(handle, server_.host.c_str());
      }
    }
    Status result = Status::Ok();
    Run([&]() -> asio::awaitable<void> {
      tcp::resolver resolver(io_);
      auto [rec, endpoints] =
          co_await resolver.async_resolve(server_.host, std::to_string(server_.port), kNoThrow);
      if (rec) {
        result = Status(ResultCode::kRemoteUnreachable,
                        "cannot resolve " + server_.host + ": " + rec.message());
        co_return;
      }
      beast::get_lowest_layer(stream_).expires_after(timeout_);
      auto [cec, ep] = co_await beast::get_lowest_layer(stream_).async_connect(endpoints, kNoThrow);
      if (cec) {
        result = Status(ResultCode::kRemoteUnreachable,
                        "cannot connect to " + where_ + ": " + cec.message() +
                            " (is [management] listen set there, and the port open?)");
        co_return;
      }
      auto [hec] = co_await stream_.async_handshake(ssl::stream_base::client, kNoThrow);
      if (hec) {
        long verify = SSL_get_verify_result(stream_.native_handle());
        if (!ca_file.empty() && verify != X509_V_OK) {
          result = Status(ResultCode::kRemoteUntrusted,
                          "the certificate of " + where_ + " does not verify against " + ca_file +
                              ": " + X509_verify_cert_error_string(verify));
        } else {
          result = Status(ResultCode::kRemoteUnreachable,
                          "the TLS handshake with " + where_ + " failed: " + hec.message());
        }
      }
    });
    return result;
  }

  // "SHA256:..." of the server's certificate.
  Result<std::string> Fingerprint() {
    X509* peer = SSL_get1_peer_certificate(stream_.native_handle());
    if (peer == nullptr) {
      return Status(ResultCode::kRemoteUntrusted, where_ + " showed no certificate");
    }
    unsigned char* der = nullptr;
    int n = i2d_X509(peer, &der);
    X509_free(peer);
    if (n <= 0) return Status(ResultCode::kRemoteUntrusted, "cannot encode the certificate");
    std::string fp = tls::CertificateFingerprint(ByteSpan(der, static_cast<std::size_t>(n)));
    OPENSSL_free(der);
    return fp;
  }

  Result<Answer> Post(const std::string& target, const std::string& body, const std::string& token,
                      const std::string& content_type) {
    Result<Answer> result = Status(ResultCode::kRemoteUnreachable, "no answer");
    Run([&]() -> asio::awaitable<void> {
      bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
      req.set(bhttp::field::host, where_);
      req.set(bhttp::field::user_agent, "slmgr");
      req.set(bhttp::field::content_type, content_type);
      if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
      req.keep_alive(true);
      req.body() = body;
      req.prepare_payload();
      beast::get_lowest_layer(stream_).expires_after(timeout_);
      auto [wec, wn] = co_await bhttp::async_write(stream_, req, kNoThrow);
      if (wec) {
        result = Status(ResultCode::kRemoteUnreachable,
                        "sending to " + where_ + " failed: " + wec.message());
        co_return;
      }
      bhttp::response_parser<bhttp::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(kMaxAnswerBytes);
      auto [rec, rn] = co_await bhttp::async_read(stream_, buffer_, parser, kNoThrow);
      if (rec) {
        result = Status(ResultCode::kRemoteUnreachable,
                        "reading the answer of " + where_ + " failed: " + rec.message());
        co_return;
      }
      result = Answer{parser.get().result_int(), parser.get().body()};
    });
    return result;
  }

  void Close() {
    Run([&]() -> asio::awaitable<void> {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      co_await stream_.async_shutdown(kNoThrow);
    });
  }

  const std::string& where() const { return where_; }

 private:
  // Runs one step to its end on this thread.
  template <typename Fn>
  void Run(Fn fn) {
    asio::co_spawn(io_, fn(), asio::detached);
    io_.restart();
    io_.run();
  }

  HostAddress server_;
  std::string where_;
  std::chrono::milliseconds timeout_;
  asio::io_context io_;
  ssl::context ctx_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

class TlsSession final : public slmgr::RemoteSession {
 public:
  TlsSession(std::unique_ptr<Connection> c, std::string token)
      : connection_(std::move(c)), token_(std::move(token)) {}
  ~TlsSession() override {
    (void)connection_->Post("/v1/logout", "", token_, "application/json");
    connection_->Close();
  }

  Result<std::string> Call(const std::string& line) override {
    Result<Answer> a = connection_->Post("/v1/management", line, token_, "application/json");
    if (!a.ok()) return a.status();
    if (a->status != 200) {
      return Status(a->status == 401 ? ResultCode::kSessionExpired : ResultCode::kRemoteUnreachable,
                    connection_->where() + ": " + ErrorText(*a));
    }
    return a->body;
  }

 private:
  std::unique_ptr<Connection> connection_;
  std::string token_;
};

std::string LocalUser() {
  if (passwd* pw = ::getpwuid(::getuid()); pw != nullptr) return pw->pw_name;
  return "";
}

}  // namespace

Result<std::unique_ptr<slmgr::RemoteSession>> TlsRemoteConnector::Connect(
    const slmgr::RemoteOptions& options, std::ostream& err) {
  Result<HostAddress> parsed = ParseHostAddress(options.target, kDefaultManagementPort);
  if (!parsed.ok()) {
    return Status(ResultCode::kInvalidArgument, "TARGET: " + parsed.status().message());
  }
  HostAddress server = *parsed;
  if (!IsIpLiteral(server.host)) server.host = Lower(server.host);
  auto connection = std::make_unique<Connection>(server, options.timeout);
  ACTIVA_RETURN_IF_ERROR(connection->Open(options.ca_file));
  const std::string host_port = server.ToString();
  if (options.ca_file.empty()) {
    Result<std::string> fp = connection->Fingerprint();
    if (!fp.ok()) return fp.status();
    Result<KnownHosts> known = KnownHosts::Load(known_hosts_);
    if (!known.ok()) return known.status();
    std::optional<std::string> pinned = known->Find(host_port);
    if (!pinned) {
      ACTIVA_RETURN_IF_ERROR(known->Pin(host_port, *fp));
      err << "slmgr: first connection to " << host_port << "; its certificate " << *fp
          << " is now trusted (pinned in " << known_hosts_
          << "). Compare it with what slmgr /dlv shows on that machine.\n";
    } else if (*pinned != *fp) {
      return Status(ResultCode::kRemoteCertificateChanged,
                    "the certificate of " + host_port +
                        " has CHANGED since it was pinned; nothing was sent to it.\n"
                        "  pinned in " +
                        known_hosts_ + ": " + *pinned + "\n  shown now: " + *fp +
                        "\nSomeone may be intercepting the connection, or the machine has a new "
                        "certificate: compare with slmgr /dlv on that machine. If the new one "
                        "is right, accept it with:\n  slmgr --forget-host " +
                        host_port + "\nand connect again.");
    }
  }
  const std::string user = options.user.empty() ? LocalUser() : options.user;
  std::string password;
  if (options.password) {
    password = *options.password;
  } else {
    Result<std::string> read =
        ReadPassword(user + "@" + host_port + "'s password: ", options.password_stdin);
    if (!read.ok()) return read.status();
    password = std::move(read).value();
  }
  json::object login;
  login["user"] = user;
  login["password"] = password;
  std::string body = json::serialize(login);
  std::fill(password.begin(), password.end(), '\0');
  Result<Answer> a = connection->Post("/v1/login", body, "", "application/json");
  std::fill(body.begin(), body.end(), '\0');
  if (!a.ok()) return a.status();
  if (a->status != 200) {
    return Status(a->status == 401 ? ResultCode::kLogonFailure : ResultCode::kLoginUnavailable,
                  "login to " + host_port + " as " + user + " refused: " + ErrorText(*a));
  }
  boost::system::error_code ec;
  json::value v = json::parse(a->body, ec);
  const json::value* token = !ec && v.is_object() ? v.as_object().if_contains("token") : nullptr;
  if (token == nullptr || !token->is_string()) {
    return Status(ResultCode::kRemoteUnreachable,
                  host_port + " answered the login without a token");
  }
  return std::unique_ptr<slmgr::RemoteSession>(
      new TlsSession(std::move(connection), std::string(token->as_string())));
}

Status TlsRemoteConnector::ForgetHost(const std::string& host_port, std::ostream& out) {
  Result<KnownHosts> known = KnownHosts::Load(known_hosts_);
  if (!known.ok()) return known.status();
  Result<bool> forgot = known->Forget(host_port);
  if (!forgot.ok()) return forgot.status();
  if (!*forgot) {
    return Status(ResultCode::kNotFound,
                  host_port + " is not in " + known_hosts_ + " (write it as the file does)");
  }
  out << "Forgot the certificate of " << host_port << " (" << known_hosts_
      << "); the next connection pins the one it shows.\n";
  return Status::Ok();
}

}  // namespace activa::remote_client
