#include "daemon/network.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace activa {

std::optional<Network> ParseNetwork(std::string_view cidr) {
  std::size_t slash = cidr.find('/');
  std::string addr(cidr.substr(0, slash));
  Network net;
  net.text = std::string(cidr);
  bool v4 = false;
  in_addr a4;
  in6_addr a6;
  if (::inet_pton(AF_INET, addr.c_str(), &a4) == 1) {
    v4 = true;
    net.address[10] = net.address[11] = 0xff;
    std::copy_n(reinterpret_cast<const std::uint8_t*>(&a4), 4, net.address.begin() + 12);
  } else if (::inet_pton(AF_INET6, addr.c_str(), &a6) == 1) {
    std::copy_n(reinterpret_cast<const std::uint8_t*>(&a6), 16, net.address.begin());
  } else {
    return std::nullopt;
  }
  int max = v4 ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = cidr.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc() || end != p.data() + p.size() || prefix < 0 || prefix > max) {
      return std::nullopt;
    }
  }
  net.prefix = v4 ? prefix + 96 : prefix;
  return net;
}

bool Contains(const Network& net, const std::array<std::uint8_t, 16>& address) {
  int bits = net.prefix;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((net.address[i] & mask) != (address[i] & mask)) return false;
  }
  return true;
}

bool ContainsAny(const std::vector<Network>& nets, const std::array<std::uint8_t, 16>& address) {
  for (const Network& n : nets) {
    if (Contains(n, address)) return true;
  }
  return false;
}

std::vector<Network> DefaultAllowedNetworks() {
  std::vector<Network> out;
  for (const char* cidr : {"127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                           "169.254.0.0/16", "::1/128", "fc00::/7", "fe80::/10"}) {
    out.push_back(*ParseNetwork(cidr));
  }
  return out;
}

std::string HostAddress::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<HostAddress> ParseHostAddress(std::string_view text, std::uint16_t default_port) {
  auto bad = [&](const std::string& why) {
    return Status(ResultCode::kInvalidArgument,
                  "\"" + std::string(text) + "\" is not a host: " + why +
                      " (expected name[:port], IPv4[:port] or [IPv6][:port])");
  };
  HostAddress a;
  a.port = default_port;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    a.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("unexpected text after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
  } else {
    std::size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return bad("an IPv6 address needs brackets");
    }
    a.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
      if (port_text.empty()) return bad("empty port");
    }
  }
  if (a.host.empty()) return bad("no host name");
  for (char c : a.host) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
              c == '_' || c == '%';
    if (!ok) return bad("the name has a character that no host name has");
  }
  if (!port_text.empty()) {
    std::uint64_t port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return bad("the port must be 1 to 65535");
    }
    a.port = static_cast<std::uint16_t>(port);
  }
  return a;
}

}  // namespace activa
