#include "net/network.h"

#include <arpa/inet.h>

#include <algorithm>
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

}  // namespace activa
