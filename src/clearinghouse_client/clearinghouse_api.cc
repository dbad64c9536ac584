#include "clearinghouse_client/clearinghouse_api.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>

namespace activa::clearinghouse {
namespace json = boost::json;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "SCHEME://AUTHORITY[/]" with `scheme` in lower case; the authority, or
// an error naming `what`.
Result<std::string_view> Authority(std::string_view url, std::string_view scheme,
                                   std::string_view what, std::string_view example) {
  const std::string prefix = std::string(scheme) + "://";
  auto bad = [&](std::string why) {
    return Status(ResultCode::kInvalidArgument, std::string(what) + ": \"" + std::string(url) +
                                                    "\" " + why + " (expected " +
                                                    std::string(example) + ")");
  };
  if (Lower(url.substr(0, prefix.size())) != prefix) return bad("is not a " + prefix + " URL");
  std::string_view rest = url.substr(prefix.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('@') != std::string_view::npos) {
    return bad("holds user information, which activad does not send");
  }
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return bad("has a path; name the server only");
  }
  if (rest.empty()) return bad("names no host");
  return rest;
}

Result<HostAddress> ParseAuthority(std::string_view url, std::string_view scheme,
                                   std::uint16_t default_port, std::string_view what,
                                   std::string_view example) {
  Result<std::string_view> authority = Authority(url, scheme, what, example);
  if (!authority.ok()) return authority.status();
  Result<HostAddress> a = ParseHostAddress(*authority, default_port);
  if (!a.ok()) {
    return Status(ResultCode::kInvalidArgument,
                  std::string(what) + ": \"" + std::string(url) + "\": " + a.status().message());
  }
  return a;
}

bool NoProxyMatches(std::string_view no_proxy, std::string_view host) {
  const std::string h = Lower(host);
  std::size_t start = 0;
  while (start <= no_proxy.size()) {
    std::size_t comma = no_proxy.find(',', start);
    if (comma == std::string_view::npos) comma = no_proxy.size();
    std::string entry = Lower(no_proxy.substr(start, comma - start));
    start = comma + 1;
    entry.erase(0, entry.find_first_not_of(" \t"));
    entry.erase(entry.find_last_not_of(" \t") + 1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.front() == '.') entry.erase(0, 1);
    if (h == entry) return true;
    if (h.size() > entry.size() && h.compare(h.size() - entry.size(), entry.size(), entry) == 0 &&
        h[h.size() - entry.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

Status BadAnswer(std::string why) {
  return Status(ResultCode::kClearinghouseBadAnswer, "the clearinghouse's answer " + why);
}

Result<json::object> ParseObject(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return BadAnswer("is not JSON: " + ec.message());
  if (!v.is_object()) return BadAnswer("is not a JSON object");
  return std::move(v.as_object());
}

Result<std::string> StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string() || v->as_string().empty()) {
    return BadAnswer("has no \"" + std::string(key) + "\" string");
  }
  return std::string(v->as_string());
}

}  // namespace

Result<HostAddress> ParseClearinghouseUrl(std::string_view url, std::string_view what) {
  return ParseAuthority(url, "https", 443, what, "https://HOST[:PORT]");
}

Result<HostAddress> ParseProxyUrl(std::string_view url, std::string_view what) {
  if (url.find("://") == std::string_view::npos) {
    Result<HostAddress> a = ParseHostAddress(url, 1080);
    if (!a.ok()) {
      return Status(ResultCode::kInvalidArgument,
                    std::string(what) + ": \"" + std::string(url) + "\": " + a.status().message());
    }
    return a;
  }
  return ParseAuthority(url, "http", 1080, what, "http://HOST[:PORT]");
}

Result<std::optional<HostAddress>> ChooseProxy(std::string_view configured,
                                               std::string_view https_proxy,
                                               std::string_view no_proxy, std::string_view host) {
  std::string_view chosen = !configured.empty() ? configured : https_proxy;
  if (chosen.empty()) return std::optional<HostAddress>();
  Result<HostAddress> proxy =
      ParseProxyUrl(chosen, !configured.empty() ? "[client] proxy" : "https_proxy");
  if (!proxy.ok()) return proxy.status();
  if (NoProxyMatches(no_proxy, host)) return std::optional<HostAddress>();
  return std::optional<HostAddress>(*proxy);
}

bool IsValidPin(std::string_view pin) {
  constexpr std::string_view kPrefix = "sha256:";
  if (pin.size() != kPrefix.size() + 64 || pin.substr(0, kPrefix.size()) != kPrefix) return false;
  return std::all_of(pin.begin() + kPrefix.size(), pin.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string InstallationRequestBody(std::string_view installation_id) {
  return json::serialize(json::object{{"installation_id", installation_id}});
}

Result<ActivationAnswer> ParseActivationAnswer(std::string_view body) {
  Result<json::object> o = ParseObject(body);
  if (!o.ok()) return o.status();
  Result<std::string> cid = StringField(*o, "confirmation_id");
  if (!cid.ok()) return cid.status();
  Result<std::string> kind = StringField(*o, "kind");
  if (!kind.ok()) return kind.status();
  if (*kind != "host" && *kind != "mak") {
    return BadAnswer("names the kind \"" + *kind + "\", neither \"host\" nor \"mak\"");
  }
  return ActivationAnswer{*cid, *kind};
}

Result<std::string> ParseRenewalAnswer(std::string_view body) {
  Result<json::object> o = ParseObject(body);
  if (!o.ok()) return o.status();
  return StringField(*o, "confirmation_id");
}

Status ErrorFromAnswer(int http_status, std::string_view body, std::string_view url) {
  const std::string from = " (from the clearinghouse at " + std::string(url) + ")";
  ResultCode fallback = http_status == 429   ? ResultCode::kClearinghouseBusy
                        : http_status >= 500 ? ResultCode::kClearinghouseUnreachable
                                             : ResultCode::kClearinghouseBadAnswer;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* error = nullptr;
  if (!ec && v.is_object()) {
    if (const json::value* e = v.as_object().if_contains("error"); e && e->is_object()) {
      error = &e->as_object();
    }
  }
  if (error == nullptr) {
    return Status(fallback, "HTTP " + std::to_string(http_status) + from);
  }
  std::string message;
  if (const json::value* m = error->if_contains("message"); m && m->is_string()) {
    message = std::string(m->as_string());
  }
  if (const json::value* f = error->if_contains("field"); f && f->is_string()) {
    message += " (field \"" + std::string(f->as_string()) + "\")";
  }
  ResultCode code = fallback;
  if (const json::value* c = error->if_contains("code"); c && c->is_string()) {
    std::string_view text = c->as_string();
    std::uint32_t value = 0;
    if (text.size() == 10 && Lower(text.substr(0, 2)) == "0x") {
      auto [end, err] = std::from_chars(text.data() + 2, text.data() + text.size(), value, 16);
      if (err == std::errc() && end == text.data() + text.size()) {
        if (std::optional<ResultCode> known = ResultCodeFromValue(value)) {
          code = *known;
        } else {
          message = std::string(text) + " " + message;  // a code this version does not know
        }
      }
    }
  }
  if (message.empty()) message = "HTTP " + std::to_string(http_status);
  // A 429 stays "busy" whatever its body says: the caller backs off on it.
  if (http_status == 429) code = ResultCode::kClearinghouseBusy;
  return Status(code, message + from);
}

std::int64_t ParseRetryAfter(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  std::int64_t seconds = 0;
  auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || err != std::errc() || end != value.data() + value.size()) return 60;
  return std::clamp<std::int64_t>(seconds, 1, 86400);
}

}  // namespace activa::clearinghouse
