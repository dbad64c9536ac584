// Fuzz target for the two TOML files administrators and vendors write:
// activad's configuration and vendor.toml. Bad input must come back as an
// error naming the problem, never as a crash or an exception.
#include <cstdint>
#include <string_view>

#include "daemon/daemon_config.h"
#include "vendor/vendor_definition.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)activa::ParseDaemonConfig(text, "activa.toml");
  (void)activa::ParseVendorDefinition(text, "vendor.toml");
  return 0;
}
