#include "daemon/clearinghouse_schedule.h"

#include <algorithm>

namespace activa {

std::int64_t RenewalTime(std::int64_t issued, std::int64_t not_after) {
  const std::int64_t life = std::max<std::int64_t>(not_after - issued, 0);
  return not_after - std::min(kRenewalWindowSeconds, life / 3);
}

bool ClearinghouseSchedule::RenewalDue(std::int64_t issued, std::int64_t not_after,
                                       std::int64_t now) const {
  return now >= RenewalTime(issued, not_after) && now >= renewal_.at;
}

bool ClearinghouseSchedule::IsUnreachable(ResultCode code) {
  return code == ResultCode::kClearinghouseUnreachable ||
         code == ResultCode::kClearinghouseUntrusted || code == ResultCode::kClearinghouseBadAnswer;
}

void ClearinghouseSchedule::Succeeded(Task task, std::int64_t now) {
  RetryOf(task) = Retry{};
  if (task == Task::kRevocations) next_revocations_ = now + kRevocationFetchSeconds;
  unreachable_.reset();
}

bool ClearinghouseSchedule::Failed(Task task, std::int64_t now, const Status& why,
                                   std::int64_t retry_after) {
  Retry& r = RetryOf(task);
  std::int64_t wait = kFirstRetrySeconds;
  for (int i = 0; i < r.failures && wait < kMaxRetrySeconds; ++i) wait *= 2;
  wait = std::max(std::min(wait, kMaxRetrySeconds), retry_after);
  ++r.failures;
  r.at = now + wait;
  if (task == Task::kRevocations) next_revocations_ = r.at;
  if (!IsUnreachable(why.code())) {
    // It answered: reachable, whatever it said.
    unreachable_.reset();
    return false;
  }
  const bool fresh = !unreachable_.has_value();
  if (fresh) unreachable_ = Problem{now, ""};
  unreachable_->cause = why.ToString();
  return fresh;
}

std::int64_t ClearinghouseSchedule::NextWake(std::int64_t renewal_time) const {
  std::int64_t next = next_revocations_;
  if (renewal_time != 0) next = std::min(next, std::max(renewal_time, renewal_.at));
  return next;
}

}  // namespace activa
