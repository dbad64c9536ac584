// One SRV resource record (RFC 2782), as discovery and publishing see it.
#ifndef ACTIVA_DNS_SRV_RECORD_H_
#define ACTIVA_DNS_SRV_RECORD_H_

#include <cstdint>
#include <string>

namespace activa::dns {

struct SrvRecord {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  // The host's name in presentation form without the trailing dot
  // ("kms1.corp.example"); the root target "." (RFC 2782: "no service") stays ".".
  std::string target;

  bool operator==(const SrvRecord&) const = default;
};

}  // namespace activa::dns

#endif  // ACTIVA_DNS_SRV_RECORD_H_
