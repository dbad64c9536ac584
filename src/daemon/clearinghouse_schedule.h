// When a host talks to the vendor's clearinghouse on its own: renewing its
// certificate and fetching the revocation list, with backoff, and whether
// it is reachable (for /dli and event 12295). Pure: times in, decisions
// out (docs/activad.md, "Online activation").
//
// Thread safety: none; the event loop's.
#ifndef ACTIVA_DAEMON_CLEARINGHOUSE_SCHEDULE_H_
#define ACTIVA_DAEMON_CLEARINGHOUSE_SCHEDULE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"

namespace activa {

inline constexpr std::int64_t kRenewalWindowSeconds = 30 * 86400;
inline constexpr std::int64_t kRevocationFetchSeconds = 86400;
inline constexpr std::int64_t kFirstRetrySeconds = 300;
inline constexpr std::int64_t kMaxRetrySeconds = 6 * 3600;

// The first second a certificate valid from `issued` to `not_after` is
// renewed: 30 days before its not-after, or, for a certificate whose life
// is shorter than 90 days, once two thirds of its life have passed (so a
// short certificate is not renewed from its first day on).
std::int64_t RenewalTime(std::int64_t issued, std::int64_t not_after);

class ClearinghouseSchedule {
 public:
  enum class Task { kRenewal, kRevocations };

  struct Problem {
    std::int64_t since = 0;
    std::string cause;
  };

  // The renewal is due: within the window, and past the backoff of a
  // failed try.
  bool RenewalDue(std::int64_t issued, std::int64_t not_after, std::int64_t now) const;
  // The revocation list is due: never fetched since start, a day after the
  // last fetch, or past the backoff of a failed one.
  bool RevocationsDue(std::int64_t now) const { return now >= next_revocations_; }

  // An answer came: the task is done (the next fetch a day later), and the
  // clearinghouse is reachable.
  void Succeeded(Task task, std::int64_t now);
  // The task failed with `why`; it is retried after a backoff (5 minutes,
  // doubling, at most 6 hours) or `retry_after` seconds when that is
  // longer (a 429). Returns true when this failure made the clearinghouse
  // unreachable (log the event once, not at every try). Refusals the
  // server gave (a code in its answer) do not make it unreachable.
  bool Failed(Task task, std::int64_t now, const Status& why, std::int64_t retry_after);
  // The next time something may be due (for the daemon's timer), given
  // the certificate's renewal time (0: none).
  std::int64_t NextWake(std::int64_t renewal_time) const;

  const std::optional<Problem>& unreachable() const { return unreachable_; }

  // True for the codes of a clearinghouse that could not be reached or
  // believed (as opposed to one that answered with a refusal).
  static bool IsUnreachable(ResultCode code);

 private:
  struct Retry {
    int failures = 0;
    std::int64_t at = 0;
  };
  Retry& RetryOf(Task task) { return task == Task::kRenewal ? renewal_ : revocations_; }

  Retry renewal_;
  Retry revocations_;
  std::int64_t next_revocations_ = 0;
  std::optional<Problem> unreachable_;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_CLEARINGHOUSE_SCHEDULE_H_
