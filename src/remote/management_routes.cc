#include "remote/management_routes.h"

#include <boost/json.hpp>
#include <memory>
#include <utility>

#include "base/event.h"
#include "base/result_code.h"
#include "management/codec.h"
#include "management/operations.h"

namespace activa::remote {
namespace json = boost::json;
namespace {

// The management protocol's bound on a line (as on the Unix socket).
constexpr std::size_t kMaxLine = 65536;
constexpr std::size_t kMaxUser = 256;
constexpr std::size_t kMaxPassword = 4096;

http::Response JsonBody(json::object o) {
  http::Response r;
  r.body = json::serialize(o);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

http::Response ErrorFor(const Status& s) {
  unsigned status = 400;
  switch (s.code()) {
    case ResultCode::kLogonFailure:
    case ResultCode::kSessionExpired:
      status = 401;
      break;
    case ResultCode::kAccessDenied:
      status = 403;
      break;
    case ResultCode::kLoginUnavailable:
      status = 503;
      break;
    default:
      break;
  }
  http::Response r = http::JsonError(status, FormatResultCode(s.code()) + ": " + s.message());
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"activa\"");
  return r;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view BearerToken(const http::Request& request) {
  std::string_view h = Trim(request.Header("authorization"));
  if (h.size() < 7) return {};
  std::string scheme(h.substr(0, 7));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return {};
  return Trim(h.substr(7));
}

std::string OpNameOf(std::string_view line, bool* changes) {
  *changes = false;
  Result<management::Request> request = management::DecodeRequest(line);
  if (!request.ok()) return "";
  const management::OperationSpec& spec = management::SpecOf(management::OperationOf(*request));
  *changes = spec.admin_only;
  return std::string(spec.name);
}

std::string ResultOf(std::string_view response) {
  Result<management::ResponseHead> head = management::DecodeResponseHead(response);
  return head.ok() ? FormatResultCode(head->result) : "unreadable";
}

void Login(http::SessionStore& sessions, RoutesOptions options, const http::Request& request,
           http::Reply reply) {
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  const json::object* o = ec ? nullptr : body.if_object();
  const json::string* user = o && o->contains("user") ? o->at("user").if_string() : nullptr;
  const json::string* password =
      o && o->contains("password") ? o->at("password").if_string() : nullptr;
  if (user == nullptr || password == nullptr) {
    return reply(http::JsonError(
        400, "the body must be a JSON object with the strings \"user\" and \"password\""));
  }
  if (user->empty() || user->size() > kMaxUser || password->size() > kMaxPassword ||
      user->find('\0') != json::string::npos || password->find('\0') != json::string::npos) {
    return reply(http::JsonError(400,
                                 "\"user\" must be 1 to 256 bytes and \"password\" at "
                                 "most 4096, neither with a NUL byte"));
  }
  std::string name(user->c_str(), user->size());
  std::string secret(password->c_str(), password->size());
  sessions.Login(name, secret, request.source,
                 [reply = std::move(reply), options](Result<http::Session> session) {
                   if (!session.ok()) return reply(ErrorFor(session.status()));
                   json::object out;
                   out["token"] = session->token;
                   out["csrf_token"] = session->csrf_token;
                   out["user"] = session->peer.user;
                   out["admin"] = session->peer.admin;
                   out["idle_timeout_seconds"] = options.idle_timeout_seconds;
                   reply(JsonBody(std::move(out)));
                 });
  std::fill(secret.begin(), secret.end(), '\0');
}

}  // namespace

std::optional<http::Session> BearerSession(const http::Request& request,
                                           http::SessionStore& sessions) {
  std::string_view token = BearerToken(request);
  if (token.empty()) return std::nullopt;
  return sessions.Find(token);
}

void AddManagementRoutes(http::Router& router, http::SessionStore& sessions,
                         LineHandler handle_line, EventLog log, RoutesOptions options) {
  router.Add("POST", "/v1/login", [&sessions, options](const http::Request& r, http::Reply reply) {
    Login(sessions, options, r, std::move(reply));
  });
  router.Add("POST", "/v1/logout", [&sessions](const http::Request& r, http::Reply reply) {
    std::string_view token = BearerToken(r);
    if (token.empty()) {
      return reply(ErrorFor(
          Status(ResultCode::kSessionExpired, "no \"Authorization: Bearer TOKEN\" header")));
    }
    sessions.Logout(token);
    json::object out;
    out["logged_out"] = true;
    reply(JsonBody(std::move(out)));
  });
  router.Add("POST", "/v1/management",
             [&sessions, handle_line = std::move(handle_line), log = std::move(log)](
                 const http::Request& r, http::Reply reply) {
               std::optional<http::Session> session = BearerSession(r, sessions);
               if (!session) {
                 return reply(ErrorFor(Status(ResultCode::kSessionExpired,
                                              "no session for this bearer token: log in "
                                              "at /v1/login (sessions end when idle)")));
               }
               std::string_view line = r.body;
               if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
               if (line.size() > kMaxLine || line.find('\n') != std::string_view::npos) {
                 return reply(http::JsonError(
                     400, "the body must be one management request line of at most 64 KiB"));
               }
               bool changes = false;
               std::string op = OpNameOf(line, &changes);
               management::Peer peer = session->peer;
               handle_line(
                   line, peer,
                   [reply = std::move(reply), log, peer, op, changes](std::string response) {
                     if (changes && peer.admin) {
                       log(kEventRemoteChange, "remote change by user \"" + peer.user + "\" from " +
                                                   peer.source + ": /" + op + " (result " +
                                                   ResultOf(response) + ")");
                     }
                     http::Response out;
                     out.body = std::move(response);
                     out.headers.emplace_back("Cache-Control", "no-store");
                     reply(std::move(out));
                   });
             });
}

}  // namespace activa::remote
