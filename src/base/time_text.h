// Times as people read them in Activa's output and events: always UTC, so
// nothing depends on the machine's time zone.
#ifndef ACTIVA_BASE_TIME_TEXT_H_
#define ACTIVA_BASE_TIME_TEXT_H_

#include <cstdint>
#include <string>

namespace activa {

// "2027-05-26 12:00:00 UTC" for Unix seconds; a time gmtime cannot show
// becomes "(invalid time N)".
std::string FormatUtcTime(std::int64_t unix_seconds);

}  // namespace activa

#endif  // ACTIVA_BASE_TIME_TEXT_H_
