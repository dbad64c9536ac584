#include "base/intervals.h"

#include <string>

namespace activa {

Status ValidateInterval(std::int64_t minutes) {
  if (minutes >= kMinIntervalMinutes && minutes <= kMaxIntervalMinutes) return Status::Ok();
  return Status(ResultCode::kInvalidArgument,
                "the interval " + std::to_string(minutes) + " minutes is outside " +
                    std::to_string(kMinIntervalMinutes) + ".." +
                    std::to_string(kMaxIntervalMinutes) + " minutes (15 minutes to 30 days)");
}

}  // namespace activa
