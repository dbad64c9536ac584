// Announcing this host in DNS: its SRV record at SERVICE.DOMAIN, added and
// removed by RFC 2136 dynamic updates.
//
// Implementations: LdnsDnsPublisher (ldns_dns_publisher.h) sends real
// updates; FakeDnsPublisher (fake_dns_publisher.h) records calls for tests.
#ifndef ACTIVA_DNS_DNS_PUBLISHER_H_
#define ACTIVA_DNS_DNS_PUBLISHER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace activa::dns {

// A TSIG key (RFC 8945) as BIND's `tsig-keygen` makes it. The secret is never
// put into a Status message or a log line.
struct TsigKey {
  std::string name;                       // "activa-host"
  std::string algorithm = "hmac-sha256";  // one of kTsigAlgorithms
  std::string secret_base64;
};

// The algorithms ldns signs with, by BIND's names (hmac-md5 is sent as
// "hmac-md5.sig-alg.reg.int").
inline constexpr std::string_view kTsigAlgorithms[] = {"hmac-md5",    "hmac-sha1",   "hmac-sha224",
                                                       "hmac-sha256", "hmac-sha384", "hmac-sha512"};

// "keyname:hmac-sha256:BASE64SECRET" -> TsigKey. kInvalidArgument naming the
// part that is wrong (missing parts, an unknown algorithm, a secret that is
// not base64); the message never contains the secret.
Result<TsigKey> ParseTsigKey(std::string_view text);

// The contents of a key file: that one line (surrounding white space
// ignored), or BIND's key statement as `tsig-keygen` writes it,
//   key "activa-host" { algorithm hmac-sha256; secret "BASE64"; };
// with `#`, `//` and `/* */` comments. Errors as for ParseTsigKey; none
// quotes the file's text, which holds the secret.
Result<TsigKey> ParseTsigKeyFile(std::string_view text);

// Where to publish.
struct PublishTarget {
  std::string domain;  // "corp.example": the record goes to SERVICE.DOMAIN
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  // The server that receives the update, an address literal; "" = the zone's
  // primary, the MNAME of the SOA found through the resolver, resolved to an
  // address through the same resolver.
  std::string server;
  // The port the update goes to, also when `server` is "" (so a test's
  // server on a non-standard port can be found through its SOA).
  std::uint16_t server_port = 53;
  std::optional<TsigKey> tsig;  // sign the update when set
};

// What to publish.
struct SrvRegistration {
  std::string service = "_activa._tcp";  // the owner's first labels
  std::string target;                    // this host's FQDN, no trailing dot
  std::uint16_t port = 1688;
  std::uint32_t ttl = 600;
};

// Thread safety: one call at a time per object.
class DnsPublisher {
 public:
  virtual ~DnsPublisher() = default;

  // Sends one RFC 2136 update to the zone holding SERVICE.DOMAIN that deletes
  // this host's SRV records there (those with the same target and port,
  // whatever their priority, weight and TTL; learnt by a query to the same
  // server first) and adds the record with the target's priority and weight.
  // Other hosts' records at the same name are left alone, so several hosts
  // share the name. Signed with TSIG when the target has a key.
  //
  // Errors: kDnsUpdateFailed naming the server and the DNS error (REFUSED,
  // NOTAUTH with the TSIG error BADSIG or BADKEY, NOTZONE, SERVFAIL...,
  // "timeout", "connection refused") — retry later, after fixing the zone's
  // permissions or the key; kInvalidArgument for a bad target or
  // registration.
  virtual Status Publish(const PublishTarget& target, const SrvRegistration& registration) = 0;

  // Deletes this host's records (same target and port) at SERVICE.DOMAIN,
  // leaving other hosts' records. OK when there were none. Errors as for
  // Publish.
  virtual Status Withdraw(const PublishTarget& target, const SrvRegistration& registration) = 0;
};

}  // namespace activa::dns

#endif  // ACTIVA_DNS_DNS_PUBLISHER_H_
