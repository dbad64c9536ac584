// Feeds arbitrary text to the installation and confirmation ID parsers; an ID
// that parses must format and parse back to itself. Also checks that the
// base-24 number conversion round-trips the input bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keys/activation_codes.h"
#include "keys/base24.h"

namespace {

template <typename Id, typename Parse, typename Format>
void CheckRoundTrip(std::string_view text, Parse parse, Format format) {
  activa::Result<Id> id = parse(text);
  if (!id.ok()) return;
  std::string formatted = format(*id);
  activa::Result<Id> again = parse(formatted);
  if (!again.ok() || !(*again == *id)) std::abort();
  if (format(*again) != formatted) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckRoundTrip<activa::InstallationId>(text, activa::ParseInstallationId,
                                         activa::FormatInstallationId);
  CheckRoundTrip<activa::ConfirmationId>(text, activa::ParseConfirmationId,
                                         activa::FormatConfirmationId);

  // The conversion is quadratic in the length; the codes' payloads are 69
  // bytes at most.
  if (size <= 72) {
    activa::ByteSpan bytes(data, size);
    std::optional<std::vector<std::uint8_t>> digits =
        activa::BytesToBase24(bytes, activa::Base24DigitsForBytes(size));
    if (!digits) std::abort();
    std::optional<activa::Bytes> back = activa::Base24ToBytes(*digits, size);
    if (!back || !std::equal(back->begin(), back->end(), data)) std::abort();
    if (!digits->empty()) activa::EncodeBase24Groups(*digits);
  }
  return 0;
}
