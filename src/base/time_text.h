// Unix seconds as text for a person, always in UTC, so what slmgr prints and
// what the daemon logs do not depend on the machine's time zone.
#ifndef ACTIVA_BASE_TIME_TEXT_H_
#define ACTIVA_BASE_TIME_TEXT_H_

#include <cstdint>
#include <string>

namespace activa {

// "2027-05-26 12:00:00 UTC".
std::string FormatUtcTime(std::int64_t unix_seconds);

// "2027-05-26 12:00:00", for tables whose heading says UTC. A time that
// gmtime_r cannot represent gives "(invalid time N)".
std::string FormatUtcTimeBare(std::int64_t unix_seconds);

}  // namespace activa

#endif  // ACTIVA_BASE_TIME_TEXT_H_
