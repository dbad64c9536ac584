// Feeds arbitrary text to ParseProductKey; a key that parses must format and
// parse back to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "keys/product_key.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  activa::Result<activa::ProductKey> key = activa::ParseProductKey(text);
  if (!key.ok()) return 0;
  if (!activa::ValidateProductKey(*key).ok()) std::abort();
  std::string formatted = activa::FormatProductKey(*key);
  activa::Result<activa::ProductKey> again = activa::ParseProductKey(formatted);
  if (!again.ok() || !(*again == *key)) std::abort();
  if (activa::FormatProductKey(*again) != formatted) std::abort();
  if (activa::PartialProductKey(*key) != formatted.substr(formatted.size() - 5)) std::abort();
  activa::Result<activa::ProductKey> unpacked =
      activa::UnpackProductKey(activa::PackProductKey(*key));
  if (!unpacked.ok() || !(*unpacked == *key)) std::abort();
  return 0;
}
