// The DNS lookups a client needs to find activation hosts: SRV records, the
// addresses of their targets, and the domains to look in.
//
// Implementations: LdnsSrvResolver (ldns_srv_resolver.h) asks real servers;
// FakeSrvResolver (fake_srv_resolver.h) answers from memory for unit tests.
#ifndef ACTIVA_DNS_SRV_RESOLVER_H_
#define ACTIVA_DNS_SRV_RESOLVER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "dns/srv_record.h"

namespace activa::dns {

struct ResolverConfig {
  // An IPv4 or IPv6 address literal ("127.0.0.1", "::1"); "" = the
  // nameservers listed in `resolv_conf`, tried in order.
  std::string nameserver;
  // The port of `nameserver` (the system resolver's servers always use 53).
  std::uint16_t port = 53;
  // How long to wait for one server's answer.
  int timeout_ms = 2000;
  // Where the system's nameservers and search list are read from.
  std::string resolv_conf = "/etc/resolv.conf";
  // This machine's name, for SearchDomains(); "" = gethostname().
  std::string host_name;
};

// "127.0.0.1", "127.0.0.1:5300", "[::1]:5300" or "::1". Host names are not
// accepted (resolving them would need the resolver being configured).
struct ServerAddress {
  std::string host;  // the address literal, without brackets
  std::uint16_t port = 53;
};
// kInvalidArgument naming what is wrong; `default_port` when none is given.
Result<ServerAddress> ParseServerAddress(std::string_view text, std::uint16_t default_port = 53);

// Thread safety: implementations may be called from one thread at a time;
// use one resolver per thread otherwise.
class SrvResolver {
 public:
  virtual ~SrvResolver() = default;

  // The SRV records at `name` ("_activa._tcp.corp.example", with or without
  // the trailing dot), in the order the server gave them. No records
  // (NXDOMAIN or NODATA) is OK with an empty vector. A failure (timeout,
  // refused connection, SERVFAIL, REFUSED, a malformed answer) is
  // kNoHostReachable with a message naming `name`, the server and the error;
  // the caller may try again later.
  virtual Result<std::vector<SrvRecord>> QuerySrv(const std::string& name) = 0;

  // The A and AAAA records of `host` through the same servers, as text
  // ("192.0.2.1", "2001:db8::1"), IPv4 first. None is OK with an empty
  // vector; failures as for QuerySrv.
  virtual Result<std::vector<std::string>> ResolveAddresses(const std::string& host) = 0;

  // The domains to look for hosts in, in order and without duplicates: the
  // domain part of this machine's name, then the "domain" or "search" entries
  // of resolv.conf (the last such line wins, as in resolv.conf(5)). Names
  // carry no trailing dot. Empty when nothing is known.
  virtual std::vector<std::string> SearchDomains() = 0;
};

}  // namespace activa::dns

#endif  // ACTIVA_DNS_SRV_RESOLVER_H_
