// Reading resolv.conf(5): the system resolver's servers and search list.
// Pure: text in, values out.
#ifndef ACTIVA_DNS_RESOLV_CONF_H_
#define ACTIVA_DNS_RESOLV_CONF_H_

#include <string>
#include <string_view>
#include <vector>

namespace activa::dns {

struct ResolvConf {
  std::vector<std::string> nameservers;  // address literals, in file order
  // From the last "domain" or "search" line (they override each other, as
  // resolv.conf(5) says), without trailing dots.
  std::vector<std::string> search;
};

// Unknown lines, comments ('#' or ';') and malformed entries are ignored, as
// the C library does.
ResolvConf ParseResolvConf(std::string_view text);

// The domain part of `host_name` ("kms1.corp.example" -> "corp.example"),
// then `conf.search`, without duplicates (compared without case) and without
// the root.
std::vector<std::string> SearchDomainsFor(std::string_view host_name, const ResolvConf& conf);

}  // namespace activa::dns

#endif  // ACTIVA_DNS_RESOLV_CONF_H_
