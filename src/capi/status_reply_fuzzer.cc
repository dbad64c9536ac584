// Feeds arbitrary bytes to the parser of activad's status reply: it must
// return a value or a Status, never crash, whatever the daemon sends.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "capi/status_message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto reply =
      activa::capi::ParseStatusReply(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)reply.ok();
  return 0;
}
