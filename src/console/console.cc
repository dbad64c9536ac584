#include "console/console.h"

#include <array>
#include <boost/json.hpp>
#include <cstddef>
#include <optional>
#include <utility>

#include "base/event.h"
#include "base/result_code.h"
#include "console/assets.h"
#include "crypto/signing.h"

namespace activa::console {
namespace {

namespace json = boost::json;

// The settings form's operations: what an administrator may change from the
// console. Everything else (keys, activation, clock) stays slmgr's.
constexpr std::array<std::string_view, 7> kSettingOperations = {"sai",  "sri",  "sprt", "sdns",
                                                                "cdns", "spri", "cpri"};

// A login's body is two short strings; anything much larger is not one.
constexpr std::size_t kMaxLoginBody = 4096;

http::Response Json(unsigned status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// API answers are never cached: they are one user's view of the host now.
http::Response Api(http::Response response) {
  AddSecurityHeaders(response);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

http::Response ApiError(unsigned status, std::string_view message) {
  return Api(http::JsonError(status, message));
}

// The HTTP status of a management result: the body (the protocol's JSON)
// says more, the status lets the page tell "log in again" from "refused".
unsigned HttpStatusOf(ResultCode code) {
  switch (code) {
    case ResultCode::kOk:
      return 200;
    case ResultCode::kAccessDenied:
      return 403;
    case ResultCode::kInvalidArgument:
    case ResultCode::kInvalidData:
      return 400;
    case ResultCode::kNotFound:
      return 404;
    default:
      return 409;  // the daemon refused or failed; the body names why
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding of one query component.
std::optional<std::string> Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexDigit(text[i + 1]), lo = HexDigit(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The management request {"op": OP, NAME: VALUE...} for a query string;
// empty values are left out (an empty form field means "not given"). The
// codec then checks the names and values as it does slmgr's.
Result<std::string> RequestFromQuery(std::string_view op, std::string_view query) {
  json::object request{{"op", op}};
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::optional<std::string> name = Unescape(pair.substr(0, eq));
    std::optional<std::string> value =
        Unescape(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) {
      return Status(ResultCode::kInvalidArgument,
                    "the query string has a malformed %-escape: " + std::string(pair));
    }
    if (*name == "op") {
      return Status(ResultCode::kInvalidArgument, "the query string may not name the operation");
    }
    if (value->empty()) continue;
    request[*name] = *value;
  }
  return json::serialize(request);
}

// The "result" of a management response line; kInvalidData's when the
// line has none (it always has: the daemon wrote it).
std::uint32_t ResultOf(std::string_view line) {
  json::error_code ec;
  json::value v = json::parse(line, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* r = o ? o->if_contains("result") : nullptr;
  if (r == nullptr || !r->is_number()) return static_cast<std::uint32_t>(ResultCode::kInvalidData);
  return r->to_number<std::uint32_t>(ec);
}

// The "op" of a request line the console built or checked.
std::string OperationOf(std::string_view line) {
  json::error_code ec;
  json::value v = json::parse(line, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* op = o ? o->if_contains("op") : nullptr;
  return op != nullptr && op->is_string() ? std::string(op->as_string()) : std::string("?");
}

bool IsJson(const http::Request& request) {
  std::string_view type = request.Header("content-type");
  return type.substr(0, type.find(';')) == "application/json";
}

json::object SessionJson(const http::Session& session) {
  return {{"user", session.peer.user},
          {"admin", session.peer.admin},
          {"csrf_token", session.csrf_token}};
}

}  // namespace

void AddSecurityHeaders(http::Response& response) {
  // 'self' only, and no inline script or style: the page's JS and CSS are
  // the embedded files; the plot is SVG built through the DOM.
  response.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
      "object-src 'none'");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
}

std::string_view SessionCookie(const http::Request& request) {
  for (const auto& [name, value] : request.headers) {
    if (name != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      std::size_t semi = rest.find(';');
      std::string_view part = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (part.size() > kSessionCookie.size() &&
          part.substr(0, kSessionCookie.size()) == kSessionCookie &&
          part[kSessionCookie.size()] == '=') {
        return part.substr(kSessionCookie.size() + 1);
      }
    }
  }
  return {};
}

void Console::AddRoutes(http::Router& router) {
  // "/" matches every GET no other route takes; only "/" itself redirects.
  router.Add("GET", "/", [](const http::Request& request, http::Reply reply) {
    if (request.path != "/") return reply(ApiError(404, "no such page: " + request.path));
    http::Response response;
    response.status = 302;
    response.content_type = "text/plain; charset=utf-8";
    response.headers.emplace_back("Location", "/console/");
    response.body = "see /console/\n";
    AddSecurityHeaders(response);
    reply(std::move(response));
  });
  router.Add("GET", "/console", [](const http::Request&, http::Reply reply) {
    http::Response response;
    response.status = 302;
    response.content_type = "text/plain; charset=utf-8";
    response.headers.emplace_back("Location", "/console/");
    AddSecurityHeaders(response);
    reply(std::move(response));
  });
  router.Add("GET", "/console/",
             [this](const http::Request& q, http::Reply r) { ServeFile(q, std::move(r)); });
  auto api = [&](std::string method, std::string path,
                 void (Console::*handler)(const http::Request&, http::Reply)) {
    router.Add(std::move(method), std::move(path),
               [this, handler](const http::Request& q, http::Reply r) {
                 (this->*handler)(q, std::move(r));
               });
  };
  api("POST", "/console/api/login", &Console::Login);
  api("POST", "/console/api/logout", &Console::Logout);
  api("GET", "/console/api/session", &Console::SessionInfo);
  api("GET", "/console/api/overview", &Console::Overview);
  api("GET", "/console/api/clients", &Console::Clients);
  api("GET", "/console/api/events", &Console::Events);
  api("POST", "/console/api/settings", &Console::Settings);
  // Unknown API paths answer JSON, not the file handler's page.
  for (const char* method : {"GET", "POST"}) {
    router.Add(method, "/console/api/", [](const http::Request& request, http::Reply reply) {
      reply(ApiError(404, "no such console API: " + request.path));
    });
  }
}

void Console::ServeFile(const http::Request& request, http::Reply reply) const {
  std::string_view name =
      std::string_view(request.path).substr(std::string_view("/console/").size());
  if (name.empty()) name = "index.html";
  const Asset* asset = FindAsset(name);
  if (asset == nullptr) {
    http::Response response = http::JsonError(404, "no such console file: " + request.path);
    AddSecurityHeaders(response);
    return reply(std::move(response));
  }
  http::Response response;
  response.content_type = asset->content_type;
  response.body = std::string(asset->bytes());
  // Revalidated on every load, so a new activad's page is never mixed with
  // an old one's script; the files are small.
  response.headers.emplace_back("Cache-Control", "no-cache");
  AddSecurityHeaders(response);
  reply(std::move(response));
}

void Console::Login(const http::Request& request, http::Reply reply) {
  // A cross-site form can post urlencoded text but not JSON without the
  // browser asking first: requiring JSON keeps other sites from logging a
  // browser in (login CSRF).
  if (!IsJson(request)) return reply(ApiError(415, "the login takes a JSON body"));
  if (request.body.size() > kMaxLoginBody) return reply(ApiError(413, "the login is too large"));
  json::error_code ec;
  json::value body = json::parse(request.body, ec);
  const json::object* o = ec ? nullptr : body.if_object();
  const json::value* user = o ? o->if_contains("user") : nullptr;
  const json::value* password = o ? o->if_contains("password") : nullptr;
  if (user == nullptr || !user->is_string() || user->as_string().empty()) {
    return reply(ApiError(400, "the login needs a \"user\" (a non-empty string)"));
  }
  if (password == nullptr || !password->is_string()) {
    return reply(ApiError(400, "the login needs a \"password\" (a string)"));
  }
  sessions_.Login(std::string(user->as_string()), std::string(password->as_string()),
                  request.source, [reply = std::move(reply)](Result<http::Session> session) {
                    if (!session.ok()) return reply(ApiError(401, session.status().message()));
                    http::Response response = Json(200, json::serialize(SessionJson(*session)));
                    response.headers.emplace_back(
                        "Set-Cookie", std::string(kSessionCookie) + "=" + session->token +
                                          "; HttpOnly; Secure; SameSite=Strict; Path=/");
                    reply(Api(std::move(response)));
                  });
}

namespace {

// The session of `request`, or the answer that refuses it (401).
std::optional<http::Session> FindSession(http::SessionStore& sessions, const http::Request& request,
                                         http::Reply& reply) {
  std::string_view token = SessionCookie(request);
  std::optional<http::Session> session;
  if (!token.empty()) session = sessions.Find(token);
  if (!session) reply(ApiError(401, "not logged in, or the session timed out: log in again"));
  return session;
}

// A change must prove it comes from the console's own page: the CSRF token
// is in no cookie, so another site cannot send it.
bool CheckChange(const http::Session& session, const http::Request& request, http::Reply& reply) {
  std::string_view token = request.Header("x-csrf-token");
  if (token.empty()) {
    reply(ApiError(403, "the change has no X-CSRF-Token header"));
    return false;
  }
  if (!ConstantTimeEqual(token, session.csrf_token)) {
    reply(ApiError(403, "the change's X-CSRF-Token is not this session's"));
    return false;
  }
  return true;
}

}  // namespace

void Console::Logout(const http::Request& request, http::Reply reply) {
  std::optional<http::Session> session = FindSession(sessions_, request, reply);
  if (!session || !CheckChange(*session, request, reply)) return;
  sessions_.Logout(session->token);
  http::Response response = Json(200, "{\"logged_out\":true}");
  response.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) +
                                                  "=; HttpOnly; Secure; SameSite=Strict; Path=/; "
                                                  "Max-Age=0");
  reply(Api(std::move(response)));
}

void Console::SessionInfo(const http::Request& request, http::Reply reply) {
  std::optional<http::Session> session = FindSession(sessions_, request, reply);
  if (!session) return;
  reply(Api(Json(200, json::serialize(SessionJson(*session)))));
}

void Console::Overview(const http::Request& request, http::Reply reply) {
  std::optional<http::Session> session = FindSession(sessions_, request, reply);
  if (!session) return;
  Run(*session, "{\"op\":\"dli\"}", false, std::move(reply));
}

void Console::Clients(const http::Request& request, http::Reply reply) {
  std::optional<http::Session> session = FindSession(sessions_, request, reply);
  if (!session) return;
  Result<std::string> line = RequestFromQuery("dlc", request.query);
  if (!line.ok()) return reply(ApiError(400, line.status().message()));
  Run(*session, *line, false, std::move(reply));
}

void Console::Events(const http::Request& request, http::Reply reply) {
  std::optional<http::Session> session = FindSession(sessions_, request, reply);
  if (!session) return;
  Result<std::string> line = RequestFromQuery("dle", request.query);
  if (!line.ok()) return reply(ApiError(400, line.status().message()));
  Run(*session, *line, false, std::move(reply));
}

void Console::Settings(const http::Request& request, http::Reply reply) {
  std::optional<http::Session> session = FindSession(sessions_, request, reply);
  if (!session || !CheckChange(*session, request, reply)) return;
  if (!IsJson(request)) return reply(ApiError(415, "a settings change takes a JSON body"));
  // The body is a management request; only the form's operations pass.
  json::error_code ec;
  json::value body = json::parse(request.body, ec);
  const json::object* o = ec ? nullptr : body.if_object();
  const json::value* op = o ? o->if_contains("op") : nullptr;
  if (op == nullptr || !op->is_string()) {
    return reply(ApiError(400, "a settings change is a JSON object with an \"op\""));
  }
  bool allowed = false;
  for (std::string_view name : kSettingOperations) allowed = allowed || op->as_string() == name;
  if (!allowed) {
    return reply(ApiError(400,
                          "the console changes only sai, sri, sprt, sdns, cdns, spri and "
                          "cpri, not \"" +
                              std::string(op->as_string()) + "\""));
  }
  Run(*session, request.body, true, std::move(reply));
}

void Console::Run(const http::Session& session, std::string line, bool changes, http::Reply reply) {
  const management::Peer peer = session.peer;
  handle_line_(
      line, peer,
      [reply = std::move(reply), log = log_, peer, changes,
       op = changes ? OperationOf(line) : std::string()](std::string response) {
        const std::uint32_t result = ResultOf(response);
        if (changes && peer.admin && log) {
          log(kEventRemoteChange, "remote change by user \"" + peer.user + "\" from " +
                                      peer.source + " (web console): /" + op + " (result " +
                                      FormatResultCode(static_cast<ResultCode>(result)) + ")");
        }
        reply(Api(Json(HttpStatusOf(static_cast<ResultCode>(result)), std::move(response))));
      });
}

}  // namespace activa::console
