// IP networks in CIDR form ("10.0.0.0/8", "fc00::/7"), for the host's list
// of networks whose clients it answers.
#ifndef ACTIVA_NET_NETWORK_H_
#define ACTIVA_NET_NETWORK_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace activa

#endif  // ACTIVA_NET_NETWORK_H_
