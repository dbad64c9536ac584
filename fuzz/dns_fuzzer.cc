// Arbitrary bytes as a DNS server's answer: parsing must never crash, read
// out of bounds or loop (src/dns/dns_message.h).
#include <cstddef>
#include <cstdint>

#include "dns/dns_message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  activa::ByteSpan wire(data, size);
  (void)activa::dns::ParseSrvAnswer(wire);
  (void)activa::dns::ParseAddressAnswer(wire);
  (void)activa::dns::ParseSoaAnswer(wire);
  return 0;
}
