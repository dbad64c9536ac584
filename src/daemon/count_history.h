// The host's count history: one sample per application and UTC day in the
// state database (StateStore::SaveCountSample), for the web console's plot
// of the last 30 days. The daemon samples at start and then each day; a
// day it did not run has no sample (the plot shows a gap, not a guess).
#ifndef ACTIVA_DAEMON_COUNT_HISTORY_H_
#define ACTIVA_DAEMON_COUNT_HISTORY_H_

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "management/types.h"

namespace activa {

class DaemonCore;

// The first second of `now`'s UTC day.
constexpr std::int64_t DayOf(std::int64_t now) {
  return now >= 0 ? now - now % 86400 : now - (86400 + now % 86400) % 86400;
}

// How many days the overview shows.
inline constexpr std::int64_t kHistoryShownDays = 30;

// Writes today's count of every application of the host's catalog. Nothing
// when no host key or catalog is installed.
Status SampleCounts(DaemonCore& core);

// Samples at the first call with a host key installed, then at the first
// call of each new UTC day. The daemon calls Tick() from a loop that runs
// at least every minute. Event loop only.
class CountSampler {
 public:
  void Tick(DaemonCore& core);

 private:
  std::int64_t sampled_day_ = -1;
};

// Fills each count's `history` with its samples of the last
// kHistoryShownDays days; today's is the count now (`count`), so the plot
// ends where the overview's number stands.
Status AttachHistory(DaemonCore& core, std::vector<management::ApplicationCount>& counts);

}  // namespace activa

#endif  // ACTIVA_DAEMON_COUNT_HISTORY_H_
