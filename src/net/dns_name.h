// The rule for a DNS name that Activa accepts from a person or a
// configuration file (slmgr /skms-domain, [dns] settings, SRV targets).
#ifndef ACTIVA_NET_DNS_NAME_H_
#define ACTIVA_NET_DNS_NAME_H_

#include <cstddef>
#include <string_view>

namespace activa {

inline constexpr std::size_t kMaxDnsNameSize = 253;  // RFC 1035 2.3.4, without the root dot
inline constexpr std::size_t kMaxDnsLabelSize = 63;  // RFC 1035 2.3.4

// True for dot-separated labels of 1..63 letters, digits, hyphens and
// underscores, none starting or ending with a hyphen (RFC 1123 2.1), 253
// characters in all; one trailing dot is allowed. Underscores are not valid
// in host names but occur in SRV owner names and NetBIOS-style names; the
// resolver decides whether such a name resolves.
bool IsValidDnsName(std::string_view name);

}  // namespace activa

#endif  // ACTIVA_NET_DNS_NAME_H_
