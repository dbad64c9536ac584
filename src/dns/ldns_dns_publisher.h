// DnsPublisher sending RFC 2136 updates built and TSIG-signed by ldns.
//
// Finding the server: with PublishTarget.server set, that server (at
// server_port) is asked for the SOA of SERVICE.DOMAIN and receives the
// update. Otherwise the SOA is asked through `resolver` (ResolverConfig); its
// owner (from the answer, or the authority section of a NODATA/NXDOMAIN
// answer) is the zone, its MNAME the primary, whose address is looked up
// through the same resolver; the update goes to that address at server_port.
#ifndef ACTIVA_DNS_LDNS_DNS_PUBLISHER_H_
#define ACTIVA_DNS_LDNS_DNS_PUBLISHER_H_

#include "dns/dns_publisher.h"
#include "dns/srv_resolver.h"

namespace activa::dns {

class LdnsDnsPublisher : public DnsPublisher {
 public:
  // `resolver` is used for the SOA and primary lookups when a target names
  // no server; its timeout_ms also bounds each exchange with the primary.
  explicit LdnsDnsPublisher(ResolverConfig resolver) : resolver_(std::move(resolver)) {}

  Status Publish(const PublishTarget& target, const SrvRegistration& registration) override;
  Status Withdraw(const PublishTarget& target, const SrvRegistration& registration) override;

 private:
  // Deletes own records and, when `add` is set, adds the new one.
  Status Update(const PublishTarget& target, const SrvRegistration& registration, bool add);

  ResolverConfig resolver_;
};

}  // namespace activa::dns

#endif  // ACTIVA_DNS_LDNS_DNS_PUBLISHER_H_
