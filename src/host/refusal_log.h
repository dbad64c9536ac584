// Events for frames the host refuses (malformed, wrong version, not a
// request), rate-limited so a flood from the network cannot fill the event
// log or the disk (DESIGN.md section 4: "an event, and never a crash").
//
// In each interval the first `burst` refusals are logged one by one; the
// rest are only counted, and one summary event says how many there were
// (with the last reason) once the interval is over, or when the caller
// takes it earlier (at shutdown). Events are 12290, like every request the
// host processed.
//
// Pure: the caller passes the time and writes the events it gets back
// (through the commit queue, never one synchronous write per frame).
// Thread safety: none.
#ifndef ACTIVA_HOST_REFUSAL_LOG_H_
#define ACTIVA_HOST_REFUSAL_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/event.h"

namespace activa {

class RefusalLog {
 public:
  static constexpr std::int64_t kDefaultIntervalSeconds = 60;
  static constexpr std::uint32_t kDefaultBurst = 20;

  explicit RefusalLog(std::int64_t interval_seconds = kDefaultIntervalSeconds,
                      std::uint32_t burst = kDefaultBurst);

  // One refused frame at `now`, for `reason` (the peer's address and the
  // decoder's error). Returns the events to write now: the summary of an
  // earlier interval that ended, and this refusal's own event while the
  // burst lasts.
  std::vector<Event> Refused(std::int64_t now, std::string_view reason);

  // The summary of an interval that has ended, if refusals were only
  // counted in it. Call it now and then (say every minute), so the last
  // interval of a flood is reported though no further frame comes.
  std::optional<Event> Flush(std::int64_t now);

  // The summary of the refusals counted but not logged so far, whether or
  // not the interval is over, which then ends at `now`. Call it before
  // stopping, so the count is not lost.
  std::optional<Event> TakeSummary(std::int64_t now);

  // Refusals counted since start, logged or not.
  std::uint64_t total() const { return total_; }

 private:
  // Ends the current interval at `now`: its summary (covering `seconds`),
  // if refusals were only counted in it.
  std::optional<Event> EndInterval(std::int64_t now, std::int64_t seconds);

  std::int64_t interval_;
  std::uint32_t burst_;
  std::int64_t window_start_ = 0;
  std::uint32_t in_window_ = 0;
  std::uint64_t suppressed_ = 0;  // counted, not logged, in the current window
  std::string last_reason_;
  std::uint64_t total_ = 0;
};

}  // namespace activa

#endif  // ACTIVA_HOST_REFUSAL_LOG_H_
