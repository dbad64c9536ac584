// Turning DNS answers (wire format, from untrusted servers) into values.
// Pure: bytes in, values out; every input, however malformed, gives a value
// or an error, never a crash (fuzz/dns_fuzzer.cc).
#ifndef ACTIVA_DNS_DNS_MESSAGE_H_
#define ACTIVA_DNS_DNS_MESSAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "dns/srv_record.h"

namespace activa::dns {

// True when `answer` is the server's answer to `query`, and false for any
// other bytes (RFC 5452 9.1): the same ID and opcode, the QR bit set, and
// exactly one question (for an UPDATE, the zone section) with the same QNAME,
// compared without regard to ASCII case (RFC 4343), the same QTYPE and
// QCLASS. `query` is a message with one question, such as BuildQuery makes;
// a query without one matches nothing. A name in the answer's question may
// not be compressed: there is no earlier name for a pointer to point to.
bool IsAnswerTo(ByteSpan query, ByteSpan answer);

// The SRV records of a response to an SRV query: those in the answer section
// owned by the question's name, or by a name a CNAME in the answer leads to.
// NXDOMAIN and NODATA give an empty vector. Another rcode is
// kNoHostReachable "DNS error SERVFAIL"; bytes that are not a DNS response
// are kInvalidData.
Result<std::vector<SrvRecord>> ParseSrvAnswer(ByteSpan wire);

// The A and AAAA addresses of a response to an A or AAAA query, as text,
// chosen and failing as ParseSrvAnswer does.
Result<std::vector<std::string>> ParseAddressAnswer(ByteSpan wire);

// The zone a name belongs to, from a response to an SOA query: the owner and
// MNAME of the SOA record in the answer section or, for a name below the
// zone's apex (NXDOMAIN or NODATA), in the authority section. Names carry no
// trailing dot. kNotFound when the response has no SOA; rcode errors and
// malformed bytes as for ParseSrvAnswer.
struct SoaInfo {
  std::string zone;     // "corp.example"
  std::string primary;  // "ns.corp.example"
};
Result<SoaInfo> ParseSoaAnswer(ByteSpan wire);

// "NOERROR", "SERVFAIL", "NOTAUTH"... for a DNS rcode (RFC 1035, 2136, and
// TSIG's 16-18: BADSIG, BADKEY, BADTIME); "RCODE 23" for the others.
std::string RcodeName(int rcode);

}  // namespace activa::dns

#endif  // ACTIVA_DNS_DNS_MESSAGE_H_
