// SrvResolver over UDP (TCP when an answer is truncated) to the configured
// nameserver or the system's, with ldns building the queries and reading the
// answers (dns_message.h).
#ifndef ACTIVA_DNS_LDNS_SRV_RESOLVER_H_
#define ACTIVA_DNS_LDNS_SRV_RESOLVER_H_

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "dns/srv_resolver.h"

namespace activa::dns {

class LdnsSrvResolver : public SrvResolver {
 public:
  // kInvalidArgument when config.nameserver is not an address literal or the
  // timeout is not positive. resolv.conf is read at each call, so a changed
  // file takes effect without a restart; a missing file means no system
  // nameserver (queries then fail with kNoHostReachable) and no search list.
  static Result<std::unique_ptr<SrvResolver>> Create(const ResolverConfig& config);

  Result<std::vector<SrvRecord>> QuerySrv(const std::string& name) override;
  Result<std::vector<std::string>> ResolveAddresses(const std::string& host) override;
  std::vector<std::string> SearchDomains() override;

 private:
  explicit LdnsSrvResolver(ResolverConfig config) : config_(std::move(config)) {}
  ResolverConfig config_;
};

}  // namespace activa::dns

#endif  // ACTIVA_DNS_LDNS_SRV_RESOLVER_H_
