#include "base/uuid.h"

#include <sodium.h>

#include <cstdlib>

#include "base/bytes.h"

namespace activa {
namespace {

// As HexDecode takes them: either case.
int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

UuidText FormatUuidText(const Uuid& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  UuidText out;
  std::size_t at = 0;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.chars[at++] = '-';
    out.chars[at++] = kHex[id[i] >> 4];
    out.chars[at++] = kHex[id[i] & 0x0f];
  }
  return out;
}

std::string FormatUuid(const Uuid& id) { return std::string(FormatUuidText(id).view()); }

std::optional<Uuid> ParseUuid(std::string_view text) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') {
    text = text.substr(1, 36);
  }
  if (text.size() != 36) return std::nullopt;
  // Decoded in place, without building a hex string: a host parses two of
  // these per client record at start-up, a million or more.
  Uuid id{};
  std::size_t byte = 0;
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position != (text[i] == '-')) return std::nullopt;
    if (dash_position) continue;
    int v = HexDigitValue(text[i]);
    if (v < 0) return std::nullopt;
    if (high < 0) {
      high = v;
    } else {
      id[byte++] = static_cast<std::uint8_t>(high << 4 | v);
      high = -1;
    }
  }
  return id;
}

Uuid NewRandomUuid() {
  if (sodium_init() < 0) std::abort();  // no safe randomness: cannot go on
  Uuid id;
  randombytes_buf(id.data(), id.size());
  id[6] = static_cast<std::uint8_t>((id[6] & 0x0f) | 0x40);  // version 4
  id[8] = static_cast<std::uint8_t>((id[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return id;
}

}  // namespace activa
