#include "net/host_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "net/dns_name.h"

namespace activa {
namespace {

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool IsZoneChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// "fe80::1" or "fe80::1%eth0".
bool IsIpv6WithZone(std::string_view host) {
  std::size_t percent = host.find('%');
  std::string address(host.substr(0, percent));
  in6_addr addr{};
  if (::inet_pton(AF_INET6, address.c_str(), &addr) != 1) return false;
  if (percent == std::string_view::npos) return true;
  std::string_view zone = host.substr(percent + 1);
  return !zone.empty() && std::all_of(zone.begin(), zone.end(), IsZoneChar);
}

}  // namespace

bool ParsePort(std::string_view text, std::uint16_t* port) {
  // At most 5 digits: "+5", " 5" and "0x10" are refused like any non-digit.
  if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return false;
  }
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value < 1 || value > 65535) return false;
  *port = static_cast<std::uint16_t>(value);
  return true;
}

bool IsValidHostName(std::string_view name) {
  if (!IsValidDnsName(name)) return false;
  std::string_view bare = name.ends_with('.') ? name.substr(0, name.size() - 1) : name;
  bool all_numeric = std::all_of(bare.begin(), bare.end(), [](char c) {
    return c == '.' || std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (!all_numeric) return true;
  // inet_pton accepts exactly four decimal parts, each 0..255.
  in_addr addr{};
  return ::inet_pton(AF_INET, std::string(bare).c_str(), &addr) == 1;
}

std::string FormatHostPort(std::string_view host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

std::string HostAddress::ToString() const { return FormatHostPort(host, port); }

Result<HostAddress> ParseHostAddress(std::string_view text, std::uint16_t default_port) {
  auto bad = [&](const std::string& why) {
    return Status(ResultCode::kInvalidArgument, Quote(text) + ": " + why);
  };
  if (text.empty()) return bad("no host name");
  HostAddress out;
  out.port = default_port;
  std::string_view port_text;
  bool has_port = false;
  if (text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("no closing ]");
    std::string_view host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected :Port after ]");
      port_text = rest.substr(1);
      has_port = true;
    }
    if (!IsIpv6WithZone(host)) return bad(Quote(host) + " is not an IPv6 address");
    out.host = std::string(host);
  } else {
    std::size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return bad("write an IPv6 address in brackets, as [" + std::string(text) +
                 "] or [ADDRESS]:Port");
    }
    if (colon == 0) return bad("a port alone is not supported; give the host too");
    std::string_view host = text.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
      has_port = true;
    }
    if (!IsValidHostName(host))
      return bad(Quote(host) + " is not a valid host name or IPv4 address");
    out.host = std::string(host);
  }
  if (has_port && !ParsePort(port_text, &out.port)) {
    return bad("the port must be a number from 1 to 65535, not " + Quote(port_text));
  }
  return out;
}

}  // namespace activa
