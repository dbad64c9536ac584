#include "daemon/count_history.h"

#include "daemon/daemon_core.h"
#include "daemon/log.h"

namespace activa {

Status SampleCounts(DaemonCore& core) {
  HostRole& host = core.host();
  const Catalog* catalog = host.catalog();
  if (!host.key_installed() || catalog == nullptr) return Status::Ok();
  const std::int64_t now = core.clock().Now();
  std::vector<StateStore::CountSample> counts;
  for (const Application& a : catalog->applications) {
    counts.push_back({0, a.id, host.requests().Count(a.id, now)});
  }
  return core.store().SaveCountSample(DayOf(now), counts);
}

void CountSampler::Tick(DaemonCore& core) {
  if (!core.host().key_installed()) return;
  const std::int64_t day = DayOf(core.clock().Now());
  if (day == sampled_day_) return;
  Status s = SampleCounts(core);
  // Retried at the next tick; the history only misses a day if the
  // database refuses all day.
  if (!s.ok()) return LogWarning("cannot record the count history: " + s.ToString());
  sampled_day_ = day;
}

Status AttachHistory(DaemonCore& core, std::vector<management::ApplicationCount>& counts) {
  const std::int64_t today = DayOf(core.clock().Now());
  const std::int64_t since = today - (kHistoryShownDays - 1) * 86400;
  Result<std::vector<StateStore::CountSample>> samples = core.store().LoadCountHistory(since);
  if (!samples.ok()) return samples.status();
  for (management::ApplicationCount& c : counts) {
    for (const StateStore::CountSample& s : *samples) {
      if (s.application_id == c.application_id && s.day < today) {
        c.history.push_back({s.day, s.count});
      }
    }
    c.history.push_back({today, c.count});
  }
  return Status::Ok();
}

}  // namespace activa
