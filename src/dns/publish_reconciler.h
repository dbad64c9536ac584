// Keeps DNS in line with a PublishPlan: decides which updates to send and
// when, and learns from their results. It sends nothing itself and reads no
// clock: the caller passes "now", runs the actions with a DnsPublisher and
// reports each result, so a test can move time by a day in a microsecond.
//
// The rules (docs/dns.md, "Keeping the records"):
// - A planned domain is published at once, then refreshed every 24 hours.
// - A failed publish is retried after 1 minute, then 2, 4, ... at most every
//   hour; a success resets the wait.
// - A domain that leaves the plan, or whose record (service, target, port,
//   TTL) or way of updating (priority, weight, server, TSIG key) changed, is
//   withdrawn as it was published before the new record is published. Only
//   what a publish put there is withdrawn, and a failed withdrawal of it is
//   retried with the same backoff until it succeeds or the same record is
//   published again.
// - A plan with withdraw_all, given with `changed`, also withdraws from
//   each of its domains what an earlier run may have left there. That
//   withdrawal is tried once: on a network without dynamic DNS it would
//   otherwise fail every hour.
//
// Thread safety: none; one caller (the daemon's event loop).
#ifndef ACTIVA_DNS_PUBLISH_RECONCILER_H_
#define ACTIVA_DNS_PUBLISH_RECONCILER_H_

#include <chrono>
#include <map>
#include <vector>

#include "base/status.h"
#include "dns/dns_publisher.h"
#include "dns/publish_planner.h"

namespace activa::dns {

// One update to send: publisher.Publish(target, registration) or
// publisher.Withdraw(target, registration).
struct PublishAction {
  enum class Kind { kPublish, kWithdraw };
  Kind kind = Kind::kPublish;
  PublishTarget target;
  SrvRegistration registration;
};

// Runs `action` with `publisher`.
Status RunPublishAction(DnsPublisher& publisher, const PublishAction& action);

// True when `a` and `b` would put the same record into DNS the same way:
// same domain, priority, weight, server, server port and TSIG key, and the
// same service, target, port and TTL.
bool SamePublication(const PublishTarget& a, const SrvRegistration& ra, const PublishTarget& b,
                     const SrvRegistration& rb);

class PublishReconciler {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kRefresh = std::chrono::hours(24);
  static constexpr Clock::duration kFirstRetry = std::chrono::minutes(1);
  static constexpr Clock::duration kMaxRetry = std::chrono::hours(1);

  // Follows `plan` from now on. `changed`: the plan follows a change of
  // configuration or state (reload, /cdns, /sdns, /sprt, activation), the
  // only time withdraw_all is acted on. The targets' TSIG keys are already
  // parsed (configuration errors stop the daemon before this point).
  void SetPlan(const PublishPlan& plan, bool changed);

  // The actions due at `now`, withdrawals first (a withdrawal of an old
  // record must not follow the publish of its replacement). Report each
  // one's result before calling Due again: until then Due returns it again.
  std::vector<PublishAction> Due(Clock::time_point now) const;

  // The result of an action Due returned. A successful publish the plan
  // has dropped since is withdrawn; other results for dropped actions are
  // ignored.
  void Report(const PublishAction& action, const Status& result, Clock::time_point now);

  // When Due next has work: the earliest retry or refresh, at most
  // kRefresh after `now` (so the caller re-reads the plan's inputs, such as
  // the search domains, at least daily). `now` or earlier when work is due.
  Clock::time_point NextRun(Clock::time_point now) const;

 private:
  struct Record {
    PublishTarget target;
    SrvRegistration registration;
    Clock::time_point due = Clock::time_point::min();
    Clock::duration backoff{};
    bool in_dns = false;  // a publish of exactly this succeeded
  };
  struct Withdrawal {
    Record record;
    bool retry = false;  // on failure, try again with backoff
  };

  static void Back(Record& r, Clock::time_point now);
  void AddWithdrawal(const Record& record, bool retry);
  void ForgetWithdrawalsOf(const PublishTarget& target, const SrvRegistration& registration);

  std::map<std::string, Record> wanted_;  // by domain
  std::vector<Withdrawal> withdrawals_;
};

}  // namespace activa::dns

#endif  // ACTIVA_DNS_PUBLISH_RECONCILER_H_
