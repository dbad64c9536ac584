// Where an activation host or a name server is: `host[:port]` as slmgr /skms,
// the daemon's settings, DNS SRV answers and the configuration write it.
//
//   name | name:port | IPv4 | IPv4:port | [IPv6] | [IPv6]:port
//
// An IPv6 address always needs brackets here, so "a:b" is never ambiguous;
// it may carry a zone ("[fe80::1%eth0]"). Pure: no resolution, no sockets.
#ifndef ACTIVA_NET_HOST_ADDRESS_H_
#define ACTIVA_NET_HOST_ADDRESS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace activa {

struct HostAddress {
  std::string host;  // a name or an address, without brackets
  std::uint16_t port = 1688;

  // "name:1688", "10.0.0.1:1688", "[::1]:1688" (FormatHostPort).
  std::string ToString() const;
  bool operator==(const HostAddress&) const = default;
};

// Parses one of the forms above; `default_port` when none is given.
// Failures are kInvalidArgument with a message that quotes `text` and says
// what is wrong ("no closing ]", "the port must be a number from 1 to
// 65535", "write an IPv6 address in brackets", "is not a valid host name or
// IPv4 address", ...), fit to show after the option or setting's name.
Result<HostAddress> ParseHostAddress(std::string_view text, std::uint16_t default_port = 1688);

// "host:port", with brackets around a host that contains ':' (IPv6).
std::string FormatHostPort(std::string_view host, std::uint16_t port);

// A DNS name (IsValidDnsName) or a dotted IPv4 address: a name whose labels
// are all digits must be a real IPv4 address, so a typo such as 10.0.0.300
// is caught before it becomes a failed DNS lookup.
bool IsValidHostName(std::string_view name);

// True for "1..65535" written in decimal digits only.
bool ParsePort(std::string_view text, std::uint16_t* port);

}  // namespace activa

#endif  // ACTIVA_NET_HOST_ADDRESS_H_
