// Fuzz target for the two TOML files administrators and vendors write:
// activad's configuration and vendor.toml. Bad input must come back as an
// error naming the problem, never as a crash or an exception.
//
// The first byte picks the file: odd is activa.toml ('a'), even is
// vendor.toml ('v'); the rest is its text. toml++ reports a syntax error by
// exception, and unwinding was a third of the time: parsing each input as
// both files threw twice for most inputs.
#include <cstdint>
#include <string_view>

#include "daemon/daemon_config.h"
#include "vendor/vendor_definition.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 1) {
    (void)activa::ParseDaemonConfig(text, "activa.toml");
  } else {
    (void)activa::ParseVendorDefinition(text, "vendor.toml");
  }
  return 0;
}
