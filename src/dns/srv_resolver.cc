#include "dns/srv_resolver.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace activa::dns {
namespace {

bool IsAddress(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

Result<ServerAddress> ParseServerAddress(std::string_view text, std::uint16_t default_port) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  ServerAddress out;
  out.port = default_port;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {  // [v6]:port or [v6]
    auto close = text.find(']');
    if (close == std::string_view::npos) {
      return Status(ResultCode::kInvalidArgument, "server address " + quoted + " lacks ']'");
    }
    out.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return Status(ResultCode::kInvalidArgument,
                      "server address " + quoted + ": expected ':' after ']'");
      }
      port_text = rest.substr(1);
      if (port_text.empty()) {
        return Status(ResultCode::kInvalidArgument, "server address " + quoted + " has no port");
      }
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {  // v4:port
    auto colon = text.find(':');
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (port_text.empty()) {
      return Status(ResultCode::kInvalidArgument, "server address " + quoted + " has no port");
    }
  } else {  // v4 or bare v6
    out.host = std::string(text);
  }
  if (!IsAddress(out.host)) {
    return Status(ResultCode::kInvalidArgument,
                  "server address " + quoted + ": \"" + out.host + "\" is not an IP address");
  }
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return Status(ResultCode::kInvalidArgument, "server address " + quoted + ": port \"" +
                                                      std::string(port_text) +
                                                      "\" is not a number from 1 to 65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

}  // namespace activa::dns
