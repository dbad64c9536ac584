// IP networks in CIDR form ("10.0.0.0/8", "fc00::/7"), for the host's list
// of networks whose clients it answers.
#ifndef ACTIVA_DAEMON_NETWORK_H_
#define ACTIVA_DAEMON_NETWORK_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace activa {

struct Network {
  // IPv4 networks are held as IPv4-mapped IPv6 (::ffff:a.b.c.d/96+n), so one
  // comparison serves both families.
  std::array<std::uint8_t, 16> address{};
  int prefix = 0;  // 0..128, in the mapped form
  std::string text;
};

std::optional<Network> ParseNetwork(std::string_view cidr);
// `address` is 16 bytes (IPv6, IPv4-mapped for IPv4).
bool Contains(const Network& net, const std::array<std::uint8_t, 16>& address);
bool ContainsAny(const std::vector<Network>& nets, const std::array<std::uint8_t, 16>& address);
// Loopback and the private ranges: 127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12,
// 192.168.0.0/16, 169.254.0.0/16, ::1/128, fc00::/7, fe80::/10.
std::vector<Network> DefaultAllowedNetworks();

// Where a client sends its requests.
struct HostAddress {
  std::string host;  // name or address, without brackets
  std::uint16_t port = 1688;
  std::string ToString() const;
};

// "name", "name:port", "1.2.3.4:port", "[v6]", "[v6]:port" (slmgr /skms).
Result<HostAddress> ParseHostAddress(std::string_view text, std::uint16_t default_port = 1688);

}  // namespace activa

#endif  // ACTIVA_DAEMON_NETWORK_H_
