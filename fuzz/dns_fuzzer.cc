// Arbitrary bytes as a DNS server's answer: parsing must never crash, read
// out of bounds or loop (src/dns/dns_message.h); and as the text of a TSIG
// key file (dns/dns_publisher.h), which an administrator writes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dns/dns_message.h"
#include "dns/dns_publisher.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  activa::ByteSpan wire(data, size);
  (void)activa::dns::ParseSrvAnswer(wire);
  (void)activa::dns::ParseAddressAnswer(wire);
  (void)activa::dns::ParseSoaAnswer(wire);
  // The answer matched against a question: the first half of the input as
  // the query, the rest as the answer.
  activa::ByteSpan query(data, size / 2);
  activa::ByteSpan answer(data + size / 2, size - size / 2);
  (void)activa::dns::IsAnswerTo(query, answer);
  (void)activa::dns::IsAnswerTo(wire, wire);
  (void)activa::dns::ParseTsigKeyFile(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
