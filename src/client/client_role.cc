#include "client/client_role.h"

#include <string>
#include <utility>

#include "base/event.h"
#include "base/time_arithmetic.h"
#include "crypto/signing.h"
#include "protocol/chain.h"

namespace activa {

using licensing_internal::AddSeconds;

ClientRole::ClientRole(const Clock& clock, ProductStore& store, const CatalogSet& catalogs,
                       EventLog log)
    : clock_(clock), store_(store), catalogs_(catalogs), log_(std::move(log)) {}

const ProductRecord* ClientRole::Find(const Uuid& sku) const {
  for (const ProductRecord& p : products_) {
    if (p.sku_id == sku) return &p;
  }
  return nullptr;
}

ProductRecord* ClientRole::FindMutable(const Uuid& sku) {
  return const_cast<ProductRecord*>(Find(sku));
}

std::string ClientRole::NameOf(const Uuid& sku) const {
  const Edition* e = catalogs_.FindEdition(sku);
  return e ? e->name : FormatUuid(sku);
}

Status ClientRole::Update(ProductRecord& live, ProductRecord updated) {
  ACTIVA_RETURN_IF_ERROR(store_.SaveProduct(updated));
  live = std::move(updated);
  return Status::Ok();
}

std::int64_t ClientRole::Now() { return TimeSeen(clock_.Now()); }

std::int64_t ClientRole::TimeSeen(std::int64_t system_now) {
  std::int64_t back = 0;
  const std::int64_t now = Observe(license_clock_, system_now, &back);
  // A host refuses a client whose clock is off by more than this, so a
  // larger step is no correction a working clock makes.
  if (back > kMaxClockSkewSeconds) {
    log_(kEventClientResult,
         "The system clock went back by " + std::to_string(back / 60) + " minutes (to " +
             std::to_string(system_now) + "), more than the " +
             std::to_string(kMaxClockSkewSeconds / 3600) +
             "-hour tolerance: it is wrong or has been set back. License times stay judged "
             "from the latest time seen (" +
             std::to_string(now) + "); the step back extends no grace period or activation.");
  }
  SaveClock(back > 0);
  return now;
}

void ClientRole::SaveClock(bool force) {
  // Once a minute is enough: the time between the last save and a restart
  // is what a restart cannot check, and a minute of it is no gain.
  const bool moved = license_clock_.latest_seen >= AddSeconds(saved_clock_.latest_seen, 60) ||
                     license_clock_.latest_seen <= AddSeconds(saved_clock_.latest_seen, -60);
  if (!force && !moved && saved_clock_.system_clock != 0) return;
  if (license_clock_ == saved_clock_) return;
  Status s = store_.SaveLicenseClock(license_clock_);
  if (!s.ok()) {
    // Kept in memory all the same: the time seen is a fact, not a change
    // to undo; the next reading tries the save again.
    log_(0, "the latest time seen could not be saved: " + s.ToString());
    return;
  }
  saved_clock_ = license_clock_;
}

std::vector<Uuid> ClientRole::DueProducts() {
  std::vector<Uuid> due;
  const std::int64_t now = Now();
  for (const ProductRecord& p : products_) {
    if (p.key_kind != KeyKind::kMak && AttemptDue(p.license, now)) due.push_back(p.sku_id);
  }
  return due;
}

std::int64_t ClientRole::NextAttemptTime() const {
  std::int64_t next = 0;
  for (const ProductRecord& p : products_) {
    if (p.key_kind == KeyKind::kMak) continue;
    if (next == 0 || p.license.next_attempt < next) next = p.license.next_attempt;
  }
  return next;
}

Result<Attempt> ClientRole::Prepare(const Uuid& sku, const MachineIdentity& machine) {
  // The request carries the system clock, which the host checks; its
  // license state comes from the latest time seen.
  const std::int64_t system_now = clock_.Now();
  const std::int64_t now = TimeSeen(system_now);
  ProductRecord* p = FindMutable(sku);
  if (p == nullptr) return Status(ResultCode::kNotFound, "no product " + FormatUuid(sku));
  if (p->key_kind == KeyKind::kMak) {
    return Status(ResultCode::kWrongKeyKind,
                  NameOf(sku) + " has a MAK: the vendor activates it, not an activation host");
  }
  const Edition* e = catalogs_.FindEdition(sku);
  if (e == nullptr) {
    Status s(ResultCode::kInvalidKey, "edition " + FormatUuid(sku) + " is in no installed catalog");
    ProductRecord next = *p;
    ApplyFailure(next.license, s.code(), now);
    ACTIVA_RETURN_IF_ERROR(Update(*p, std::move(next)));
    return s;
  }
  Attempt a;
  a.sku_id = sku;
  if (discovery_.kms_host) {
    Result<HostAddress> h = ParseHostAddress(*discovery_.kms_host);
    if (h.ok()) a.hosts.push_back(*h);
  } else {
    a.discover = true;
    a.service = discovery_.service;
    if (discovery_.kms_domain) a.lookup_domains.push_back(*discovery_.kms_domain);
    // Host caching: the host that answered last is tried first, and DNS is
    // asked again only when it fails.
    if (discovery_.host_caching && !p->host_in_use.empty()) {
      Result<HostAddress> h = ParseHostAddress(p->host_in_use);
      if (h.ok()) a.hosts.push_back(*h);
    }
  }
  ActivationRequest& r = a.request;
  r.cmid = machine.cmid;
  r.previous_cmid = machine.previous_cmid;
  r.application_id = e->application_id;
  r.sku_id = sku;
  r.machine_name = machine.machine_name.substr(0, kMaxMachineNameSize);
  r.is_virtual_machine = machine.is_virtual_machine;
  r.license_state = StateAt(p->license, now);
  r.minutes_left = MinutesLeft(p->license, now);
  r.required_count = static_cast<std::uint16_t>(e->threshold);
  r.client_time = system_now;
  RandomBytes(r.nonce);
  log_(kEventClientRequest,
       "An activation request has been sent. Host: " +
           (a.hosts.empty() ? std::string("(from DNS)") : a.hosts.front().ToString()) +
           "; CMID: " + FormatUuid(machine.cmid) + "; client time: " + std::to_string(system_now) +
           "; license state: " + std::to_string(static_cast<int>(r.license_state)) +
           "; minutes left: " + std::to_string(r.minutes_left) + "; edition: " + e->name +
           "; required count: " + std::to_string(r.required_count));
  return a;
}

ResultCode ClientRole::Finish(const Attempt& attempt, const AttemptOutcome& outcome,
                              AttemptReport* report) {
  const std::int64_t system_now = clock_.Now();
  std::int64_t now = TimeSeen(system_now);
  ProductRecord* live = FindMutable(attempt.sku_id);
  if (live == nullptr) {  // uninstalled meanwhile
    if (report != nullptr) {
      *report = {ResultCode::kNotFound, "the product was uninstalled during the attempt",
                 outcome.steps};
    }
    return ResultCode::kNotFound;
  }
  // Worked on a copy: the product in memory changes once it is saved.
  ProductRecord next = *live;
  const Catalog* catalog = nullptr;
  catalogs_.FindEdition(attempt.sku_id, &catalog);
  ResultCode result;
  std::string detail;
  if (!outcome.answer) {
    result = ResultCode::kNoHostReachable;
    detail = outcome.errors;
    ApplyFailure(next.license, result, now);
    next.host_in_use.clear();  // a cached host that failed is forgotten
  } else if (const auto* err = std::get_if<ErrorMessage>(&*outcome.answer)) {
    // Unsigned: it may only make us retry later, never change the license.
    result = err->result;
    detail = "the host answered with an error: " + err->message;
    ApplyFailure(next.license, result, now);
  } else if (const auto* resp = std::get_if<ActivationResponse>(&*outcome.answer)) {
    Result<HostCertificate> chain =
        catalog ? VerifyResponseChain(*resp, attempt.request, *catalog, system_now,
                                      catalogs_.RevocationsFor(*catalog))
                : Result<HostCertificate>(Status(ResultCode::kInvalidKey, "no catalog"));
    if (!chain.ok()) {
      result = chain.status().code();
      detail = "the response from " + outcome.host.ToString() +
               " was rejected and changed nothing: " + chain.status().message();
      ApplyFailure(next.license, result, now);
    } else {
      // A host vouched for the time: the latest time seen follows it.
      ObserveHostTime(license_clock_, resp->host_time, system_now);
      SaveClock(/*force=*/true);
      now = license_clock_.latest_seen;
      result = resp->result;
      ApplyResponse(next.license, *resp, now);
      next.last_count = resp->current_count;
      next.host_in_use = outcome.host.ToString();
      next.host_address = outcome.address;
      next.discovered = outcome.discovered;
      if (resp->result == ResultCode::kOk) {
        next.proof_response = EncodeResponse(*resp);
        next.proof_catalog = catalogs_.SignedText(*catalog);
      }
      detail = "count " + std::to_string(resp->current_count) + " (threshold " +
               std::to_string(resp->required_count) + "), activation interval " +
               std::to_string(resp->activation_interval_minutes) + " min, renewal interval " +
               std::to_string(resp->renewal_interval_minutes) + " min";
    }
  } else {
    result = ResultCode::kInvalidData;
    detail = "the host sent a request instead of a response";
    ApplyFailure(next.license, result, now);
  }
  Status saved = Update(*live, std::move(next));
  if (report != nullptr) {
    report->result = saved.ok() ? result : saved.code();
    report->cause = saved.ok() ? (result == ResultCode::kOk ? "" : detail)
                               : "the product's new state could not be saved: " + saved.message();
    report->steps = outcome.steps;
    // The host that answered: what its answer meant.
    if (outcome.answer && !report->steps.empty() &&
        report->steps.back().kind == AttemptStep::Kind::kHost) {
      report->steps.back().result = result;
      report->steps.back().what = detail;
    }
  }
  if (!saved.ok()) return saved.code();
  log_(kEventClientResult, "Activation of " + NameOf(attempt.sku_id) +
                               (result == ResultCode::kOk ? " succeeded" : " failed") +
                               ". Result: " + FormatResultCode(result) + " " +
                               std::string(ResultCodeMessage(result)) + "; " + detail);
  return result;
}

Status ClientRole::Install(const Edition& edition, const std::string& key_text,
                           std::uint32_t activation_interval, std::uint32_t renewal_interval,
                           KeyKind kind) {
  ProductRecord* existing = FindMutable(edition.id);
  ProductRecord p;
  if (existing != nullptr) {
    p = *existing;  // reinstalling the same edition keeps its license
    if (p.key_kind != kind || p.key_text != key_text) {
      // Another key: a MAK activation belongs to the MAK it was given for.
      p.mak_confirmation.clear();
      if (kind == KeyKind::kSetup && p.key_kind != KeyKind::kSetup) {
        // Back to a KMS client: find a host now, not at a time set before.
        p.license.next_attempt = Now();
      }
      if (kind == KeyKind::kMak) p.host_in_use.clear();
    }
  } else {
    Result<std::optional<EditionTimers>> kept = store_.LoadEditionTimers(edition.id);
    if (!kept.ok()) return kept.status();
    p.sku_id = edition.id;
    p.license = NewClientLicense(Now());
    p.license.activation_interval_minutes = activation_interval;
    p.license.renewal_interval_minutes = renewal_interval;
    if (*kept) {
      // Installed before: its timers go on where they were; only the
      // attempt (due at once) and the history are new.
      p.license.rearms_used = (*kept)->rearms_used;
      p.license.grace_end = (*kept)->grace_end;
      p.license.validity_end = (*kept)->validity_end;
    }
  }
  p.application_id = edition.application_id;
  p.key_text = key_text;
  p.key_kind = kind;
  ACTIVA_RETURN_IF_ERROR(store_.SaveProduct(p));
  if (existing != nullptr) {
    *existing = std::move(p);
  } else {
    products_.push_back(std::move(p));
  }
  return Status::Ok();
}

Status ClientRole::SetMakActivation(const Uuid& sku, const std::string& confirmation_text,
                                    const std::string& catalog_text) {
  ProductRecord* live = FindMutable(sku);
  if (live == nullptr) {
    return Status(ResultCode::kNotFound,
                  "no product with activation ID " + FormatUuid(sku) + " is installed");
  }
  if (live->key_kind != KeyKind::kMak) {
    return Status(ResultCode::kWrongKeyKind, NameOf(sku) + " has no MAK installed");
  }
  const std::int64_t now = Now();
  ProductRecord next = *live;
  next.mak_confirmation = confirmation_text;
  next.proof_catalog = catalog_text;
  next.license.last_result = ResultCode::kOk;
  next.license.last_attempt = now;
  next.license.last_activation = now;
  return Update(*live, std::move(next));
}

Result<std::string> ClientRole::Remove(const Uuid& sku) {
  for (auto it = products_.begin(); it != products_.end(); ++it) {
    if (it->sku_id != sku) continue;
    ACTIVA_RETURN_IF_ERROR(store_.RemoveProduct(
        {sku, it->license.rearms_used, it->license.grace_end, it->license.validity_end}));
    std::string name = NameOf(sku);
    products_.erase(it);
    return name;
  }
  return Status(ResultCode::kNotFound,
                "no product key with activation ID " + FormatUuid(sku) + " is installed");
}

Status ClientRole::CheckRearmsLeft() const {
  for (const ProductRecord& p : products_) {
    if (RearmsLeft(p.license) <= 0) {
      return Status(ResultCode::kNoRearmsLeft, NameOf(p.sku_id) + " has used all " +
                                                   std::to_string(kMaxRearms) +
                                                   " of its rearms; nothing was changed");
    }
  }
  return Status::Ok();
}

Result<int> ClientRole::RearmAll() {
  if (products_.empty()) return Status(ResultCode::kNotFound, "no product is installed");
  const std::int64_t now = Now();
  // All or nothing, as slmgr.vbs's rearm is one operation for the machine.
  ACTIVA_RETURN_IF_ERROR(CheckRearmsLeft());
  int left = 0;
  for (ProductRecord& p : products_) {
    ProductRecord next = p;
    ACTIVA_RETURN_IF_ERROR(::activa::Rearm(next.license, now));
    ACTIVA_RETURN_IF_ERROR(Update(p, std::move(next)));
    left = RearmsLeft(p.license);
  }
  return left;
}

Status ClientRole::GeneralizeAll() {
  const std::int64_t now = Now();
  // All or nothing: sysprep /generalize is one operation for the machine.
  ACTIVA_RETURN_IF_ERROR(CheckRearmsLeft());
  for (ProductRecord& p : products_) {
    ProductRecord next = p;
    ACTIVA_RETURN_IF_ERROR(::activa::Generalize(next.license, now));
    next.host_in_use.clear();
    next.last_count = 0;
    next.mak_confirmation.clear();
    ACTIVA_RETURN_IF_ERROR(Update(p, std::move(next)));
  }
  return Status::Ok();
}

Status ClientRole::SetInterval(bool activation, std::uint32_t minutes) {
  for (ProductRecord& p : products_) {
    ProductRecord next = p;
    (activation ? next.license.activation_interval_minutes
                : next.license.renewal_interval_minutes) = minutes;
    ACTIVA_RETURN_IF_ERROR(Update(p, std::move(next)));
  }
  return Status::Ok();
}

void ClientRole::ForgetHosts() {
  for (ProductRecord& p : products_) p.host_in_use.clear();
}

}  // namespace activa
