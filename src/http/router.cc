#include "http/router.h"

#include <string_view>
#include <utility>

namespace activa::http {
namespace {

bool Matches(const std::string& route, std::string_view path) {
  if (!route.empty() && route.back() == '/') return path.substr(0, route.size()) == route;
  return path == route;
}

std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

Response JsonError(unsigned status, std::string_view message) {
  Response response;
  response.status = status;
  response.body = "{\"error\":{\"status\":" + std::to_string(status) + ",\"message\":\"" +
                  JsonEscape(message) + "\"}}";
  return response;
}

void Router::Add(std::string method, std::string path, Handler handler) {
  for (Route& route : routes_) {
    if (route.method == method && route.path == path) {
      route.handler = std::move(handler);
      return;
    }
  }
  routes_.push_back({std::move(method), std::move(path), std::move(handler)});
}

void Router::Dispatch(const Request& request, Reply reply) const {
  const Route* best = nullptr;
  std::size_t best_length = 0;
  std::string allow;
  std::size_t allow_length = 0;
  for (const Route& route : routes_) {
    if (!Matches(route.path, request.path)) continue;
    if (route.method == request.method) {
      if (best == nullptr || route.path.size() > best_length) {
        best = &route;
        best_length = route.path.size();
      }
    } else if (route.path.size() >= allow_length) {
      if (route.path.size() > allow_length) allow.clear();
      allow_length = route.path.size();
      if (!allow.empty()) allow += ", ";
      allow += route.method;
    }
  }
  if (best != nullptr && best_length >= allow_length) {
    best->handler(request, std::move(reply));
    return;
  }
  if (!allow.empty()) {
    Response response = JsonError(405, request.method + " is not allowed for " + request.path);
    response.headers.emplace_back("Allow", allow);
    reply(std::move(response));
    return;
  }
  reply(JsonError(404, "no such path: " + request.path));
}

}  // namespace activa::http
