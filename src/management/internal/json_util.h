// What the request and response halves of the management codec share:
// strict JSON parsing and integer reading, without exceptions.
// Internal to src/management.
#ifndef ACTIVA_MANAGEMENT_INTERNAL_JSON_UTIL_H_
#define ACTIVA_MANAGEMENT_INTERNAL_JSON_UTIL_H_

#include <boost/json.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace activa::management::internal {
namespace json = boost::json;

inline std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Parses without exceptions; nullopt for anything but one JSON object.
inline std::optional<json::object> ParseObject(std::string_view line, std::string* why) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  json::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec) {
    *why = "not JSON (" + ec.message() + ")";
    return std::nullopt;
  }
  if (!v.is_object()) {
    *why = "not a JSON object";
    return std::nullopt;
  }
  return std::move(v.get_object());
}

// A JSON integer that fits Int; doubles are refused even when whole, because
// the daemon never writes them and accepting 1e3 would hide a bug there.
template <typename Int>
bool ReadInteger(const json::value& v, Int* out) {
  using L = std::numeric_limits<Int>;
  if (v.is_int64()) {
    std::int64_t n = v.get_int64();
    if constexpr (std::is_signed_v<Int>) {
      if (n < static_cast<std::int64_t>(L::min()) || n > static_cast<std::int64_t>(L::max())) {
        return false;
      }
    } else {
      if (n < 0 || static_cast<std::uint64_t>(n) > static_cast<std::uint64_t>(L::max())) {
        return false;
      }
    }
    *out = static_cast<Int>(n);
    return true;
  }
  if (v.is_uint64()) {
    std::uint64_t n = v.get_uint64();
    if (n > static_cast<std::uint64_t>(L::max())) return false;
    *out = static_cast<Int>(n);
    return true;
  }
  return false;
}

}  // namespace activa::management::internal

#endif  // ACTIVA_MANAGEMENT_INTERNAL_JSON_UTIL_H_
