#include "dns/publish_reconciler.h"

#include <algorithm>

namespace activa::dns {
namespace {

// Not in constant time: both keys come from this host's configuration, and
// nobody outside can time the comparison.
bool SameKey(const std::optional<TsigKey>& a, const std::optional<TsigKey>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->name == b->name && a->algorithm == b->algorithm &&
                a->secret_base64 == b->secret_base64);
}

// The records a Publish of (target, registration) deletes before it adds its
// own: this host's at SERVICE.DOMAIN with the same target and port.
bool SameRecordSet(const PublishTarget& a, const SrvRegistration& ra, const PublishTarget& b,
                   const SrvRegistration& rb) {
  return a.domain == b.domain && ra.service == rb.service && ra.target == rb.target &&
         ra.port == rb.port;
}

}  // namespace

Status RunPublishAction(DnsPublisher& publisher, const PublishAction& action) {
  return action.kind == PublishAction::Kind::kPublish
             ? publisher.Publish(action.target, action.registration)
             : publisher.Withdraw(action.target, action.registration);
}

bool SamePublication(const PublishTarget& a, const SrvRegistration& ra, const PublishTarget& b,
                     const SrvRegistration& rb) {
  return SameRecordSet(a, ra, b, rb) && a.priority == b.priority && a.weight == b.weight &&
         a.server == b.server && a.server_port == b.server_port && SameKey(a.tsig, b.tsig) &&
         ra.ttl == rb.ttl;
}

void PublishReconciler::SetPlan(const PublishPlan& plan, bool changed) {
  std::map<std::string, PublishTarget> wanted;
  if (plan.publish) {
    for (const PublishTarget& t : plan.targets) wanted[t.domain] = t;
  }
  // Withdraw what is no longer wanted as it was published. Withdrawing even
  // when only the priority or weight changed costs one update and keeps the
  // rule simple: the next publish starts from a clean slate.
  for (auto it = wanted_.begin(); it != wanted_.end();) {
    auto w = wanted.find(it->first);
    if (w == wanted.end() || !SamePublication(w->second, plan.registration, it->second.target,
                                              it->second.registration)) {
      if (it->second.in_dns) AddWithdrawal(it->second, /*retry=*/true);
      it = wanted_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [domain, target] : wanted) {
    if (wanted_.contains(domain)) continue;
    Record r;
    r.target = target;
    r.registration = plan.registration;
    wanted_.emplace(domain, std::move(r));  // due at once
  }
  // An earlier run (before a restart) may have published where this one has
  // not: withdraw there too, once.
  if (changed && plan.withdraw_all && !plan.registration.target.empty()) {
    for (const PublishTarget& t : plan.targets) {
      Record r;
      r.target = t;
      r.registration = plan.registration;
      AddWithdrawal(r, /*retry=*/false);
    }
  }
}

std::vector<PublishAction> PublishReconciler::Due(Clock::time_point now) const {
  std::vector<PublishAction> out;
  for (const Withdrawal& w : withdrawals_) {
    if (w.record.due <= now) {
      out.push_back({PublishAction::Kind::kWithdraw, w.record.target, w.record.registration});
    }
  }
  for (const auto& [domain, r] : wanted_) {
    if (r.due <= now) out.push_back({PublishAction::Kind::kPublish, r.target, r.registration});
  }
  return out;
}

void PublishReconciler::Report(const PublishAction& action, const Status& result,
                               Clock::time_point now) {
  if (action.kind == PublishAction::Kind::kWithdraw) {
    auto it = std::find_if(withdrawals_.begin(), withdrawals_.end(), [&](const Withdrawal& w) {
      return SamePublication(w.record.target, w.record.registration, action.target,
                             action.registration);
    });
    if (it == withdrawals_.end()) return;
    if (result.ok() || !it->retry) {
      withdrawals_.erase(it);
    } else {
      Back(it->record, now);
    }
    return;
  }
  auto it = wanted_.find(action.target.domain);
  if (it == wanted_.end() || !SamePublication(it->second.target, it->second.registration,
                                              action.target, action.registration)) {
    // The plan changed while this publish was under way: what it put into
    // DNS is no longer wanted.
    if (result.ok()) {
      Record r;
      r.target = action.target;
      r.registration = action.registration;
      AddWithdrawal(r, /*retry=*/true);
    }
    return;
  }
  Record& r = it->second;
  if (result.ok()) {
    r.in_dns = true;
    r.backoff = {};
    r.due = now + kRefresh;
    // The publish deleted this host's records of the same target and port
    // before adding its own: an older withdrawal of them is done, and if it
    // ran later it would delete the record just published.
    ForgetWithdrawalsOf(r.target, r.registration);
  } else {
    // in_dns stays: a failed refresh leaves the earlier record in the zone.
    Back(r, now);
  }
}

PublishReconciler::Clock::time_point PublishReconciler::NextRun(Clock::time_point now) const {
  Clock::time_point next = now + kRefresh;
  for (const Withdrawal& w : withdrawals_) next = std::min(next, w.record.due);
  for (const auto& [domain, r] : wanted_) next = std::min(next, r.due);
  return next;
}

void PublishReconciler::Back(Record& r, Clock::time_point now) {
  r.backoff = r.backoff == Clock::duration{} ? kFirstRetry : std::min(r.backoff * 2, kMaxRetry);
  r.due = now + r.backoff;
}

void PublishReconciler::AddWithdrawal(const Record& record, bool retry) {
  for (Withdrawal& w : withdrawals_) {
    if (SamePublication(w.record.target, w.record.registration, record.target,
                        record.registration)) {
      // Already queued: due now again, and retried if either asks for it.
      w.record.due = Clock::time_point::min();
      w.record.backoff = {};
      w.retry = w.retry || retry;
      return;
    }
  }
  Withdrawal w;
  w.record = record;
  w.record.due = Clock::time_point::min();
  w.record.backoff = {};
  w.retry = retry;
  withdrawals_.push_back(std::move(w));
}

void PublishReconciler::ForgetWithdrawalsOf(const PublishTarget& target,
                                            const SrvRegistration& registration) {
  std::erase_if(withdrawals_, [&](const Withdrawal& w) {
    return SameRecordSet(w.record.target, w.record.registration, target, registration);
  });
}

}  // namespace activa::dns
