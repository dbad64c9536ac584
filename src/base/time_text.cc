#include "base/time_text.h"

#include <ctime>

namespace activa {

std::string FormatUtcTimeBare(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (::gmtime_r(&t, &tm) == nullptr) return "(invalid time " + std::to_string(unix_seconds) + ")";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string FormatUtcTime(std::int64_t unix_seconds) {
  return FormatUtcTimeBare(unix_seconds) + " UTC";
}

}  // namespace activa
