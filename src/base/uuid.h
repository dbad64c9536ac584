// 16-byte identifiers (application, edition/SKU, client machine IDs) in the
// usual 8-4-4-4-12 hex text form.
#ifndef ACTIVA_BASE_UUID_H_
#define ACTIVA_BASE_UUID_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace activa {

using Uuid = std::array<std::uint8_t, 16>;

// "0f8c2d9e-..." in lower case.
std::string FormatUuid(const Uuid& id);
// The same text in a fixed buffer, for hot loops that bind or compare it
// and should not allocate (the host's commit thread binds three per
// client record).
struct UuidText {
  char chars[36];
  std::string_view view() const { return std::string_view(chars, sizeof chars); }
};
UuidText FormatUuidText(const Uuid& id);
// Accepts either case, with or without braces; nullopt on anything else.
std::optional<Uuid> ParseUuid(std::string_view text);

// A new random (version 4, RFC 4122) identifier.
Uuid NewRandomUuid();

}  // namespace activa

#endif  // ACTIVA_BASE_UUID_H_
