#include "dns/srv_resolver.h"

#include <arpa/inet.h>

#include <algorithm>
#include <string>

#include "net/host_address.h"

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
  // A bare IPv6 address ("::1") is accepted here, as resolv.conf writes it;
  // everything else is the common host[:port] form.
  if (!text.empty() && text.front() != '[' && std::count(text.begin(), text.end(), ':') > 1) {
    out.host = std::string(text);
  } else {
    Result<HostAddress> parsed = ParseHostAddress(text, default_port);
    if (!parsed.ok()) {
      return Status(ResultCode::kInvalidArgument, "server address " + parsed.status().message());
    }
    out.host = parsed->host;
    out.port = parsed->port;
  }
  if (!IsAddress(out.host)) {
    return Status(ResultCode::kInvalidArgument,
                  "server address " + quoted + ": \"" + out.host + "\" is not an IP address");
  }
  return out;
}

}  // namespace activa::dns
