#include "client/client_role.h"

#include <gtest/gtest.h>

#include <map>

#include "base/event.h"
#include "cert/host_certificate.h"

namespace activa {
namespace {

constexpr std::int64_t kNow = 1795000000;

Uuid Id(const char* text) { return *ParseUuid(text); }

// Products in memory; writes fail on demand.
class FakeProductStore : public ProductStore {
 public:
  Status SaveProduct(const ProductRecord& p) override {
    if (!fail.ok()) return fail;
    saved[p.sku_id] = p;
    return Status::Ok();
  }
  Status RemoveProduct(const EditionTimers& kept) override {
    if (!fail.ok()) return fail;
    saved.erase(kept.sku_id);
    timers[kept.sku_id] = kept;
    return Status::Ok();
  }
  Result<std::optional<EditionTimers>> LoadEditionTimers(const Uuid& sku) override {
    if (!fail.ok()) return fail;
    auto it = timers.find(sku);
    if (it == timers.end()) return std::optional<EditionTimers>();
    return std::optional<EditionTimers>(it->second);
  }
  Status SaveLicenseClock(const LicenseClock& c) override {
    if (!fail.ok()) return fail;
    clock = c;
    return Status::Ok();
  }
  Status fail;
  std::map<Uuid, ProductRecord> saved;
  std::map<Uuid, EditionTimers> timers;
  LicenseClock clock;
};

class ClientRoleTest : public ::testing::Test {
 protected:
  ClientRoleTest()
      : vendor_(SigningKey::FromSeed(Bytes(32, 1))),
        host_key_(SigningKey::FromSeed(Bytes(32, 2))),
        catalogs_(MakeCatalogs()),
        role_(clock_, store_, catalogs_,
              [this](int id, const std::string& m) { events_.emplace_back(id, m); }) {
    clock_.Set(kNow);
    machine_.cmid = Id("c0000000-0000-4000-8000-000000000001");
    machine_.machine_name = "pc1";
  }

  CatalogSet MakeCatalogs() {
    Catalog c;
    c.vendor_name = "Example";
    c.vendor_keys = {vendor_.public_key()};
    c.applications = {{Id("aaaaaaaa-0000-4000-8000-000000000001"), "Suite"}};
    c.editions = {{sku_, c.applications[0].id, "Pro", EditionKind::kClient, 25, 1, "KEY"}};
    c.groups = {{Id("99999999-0000-4000-8000-000000000001"), "Clients", 10, {sku_}}};
    return CatalogSet({c});
  }
  const Edition& edition() const { return catalogs_.catalogs()[0].editions[0]; }

  // A signed answer from an activated host to `request`.
  AttemptOutcome Licensed(const ActivationRequest& request) {
    HostCertificate cert;
    cert.host_public_key = host_key_.public_key();
    cert.group_codes = {10};
    cert.issued = kNow - 86400;
    cert.not_after = kNow + 365 * 86400;
    SignCertificate(cert, vendor_);
    ActivationResponse r;
    r.cmid = request.cmid;
    r.nonce = request.nonce;
    r.sku_id = request.sku_id;
    r.current_count = 25;
    r.required_count = request.required_count;
    r.activation_interval_minutes = 120;
    r.renewal_interval_minutes = 10080;
    r.host_time = kNow;
    r.validity_end = kNow + 180 * 86400;
    r.host_certificate = EncodeCertificate(cert);
    SignResponse(r, host_key_);
    AttemptOutcome out;
    out.answer = Message(r);
    out.host = HostAddress{"kms.corp.example", 1688};
    out.address = "127.0.0.5";
    return out;
  }

  SigningKey vendor_, host_key_;
  Uuid sku_ = Id("eeeeeeee-0000-4000-8000-000000000001");
  FakeClock clock_;
  FakeProductStore store_;
  CatalogSet catalogs_;
  std::vector<std::pair<int, std::string>> events_;
  ClientRole role_;
  MachineIdentity machine_;
};

TEST_F(ClientRoleTest, InstallStartsInGraceAndIsDueAtOnce) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  ASSERT_EQ(store_.saved.count(sku_), 1u);
  EXPECT_EQ(StateAt(role_.Find(sku_)->license, kNow), LicenseState::kInitialGrace);
  EXPECT_EQ(role_.DueProducts(), std::vector<Uuid>{sku_});
}

// The deployment guide's conversion: a KMS client becomes a MAK client by
// installing a MAK, keeping its timers, and asks no host from then on; the
// setup key makes it a KMS client that asks a host at once.
TEST_F(ClientRoleTest, MakProductKeepsItsTimersAndAsksNoHost) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  Result<Attempt> a = role_.Prepare(sku_, machine_);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(role_.Finish(*a, Licensed(a->request)), ResultCode::kOk);
  const ClientLicense as_kms = role_.Find(sku_)->license;

  ASSERT_TRUE(role_.Install(edition(), "MAK", 120, 10080, KeyKind::kMak).ok());
  const ProductRecord* p = role_.Find(sku_);
  EXPECT_EQ(p->key_kind, KeyKind::kMak);
  EXPECT_EQ(p->license, as_kms);
  EXPECT_EQ(ProductState(*p, kNow), LicenseState::kLicensed);  // the host's activation
  EXPECT_FALSE(HoldsMakActivation(*p));
  // Months later, when a KMS client would renew or retry: nothing is due,
  // and a request cannot even be built.
  clock_.Set(kNow + 200 * 86400);
  EXPECT_TRUE(role_.DueProducts().empty());
  EXPECT_EQ(role_.NextAttemptTime(), 0);
  EXPECT_EQ(role_.Prepare(sku_, machine_).status().code(), ResultCode::kWrongKeyKind);
  EXPECT_EQ(ProductState(*role_.Find(sku_), kNow + 200 * 86400),
            LicenseState::kOutOfToleranceGrace);

  ASSERT_TRUE(role_.SetMakActivation(sku_, "CID", "CATALOG").ok());
  p = role_.Find(sku_);
  EXPECT_TRUE(HoldsMakActivation(*p));
  EXPECT_EQ(store_.saved[sku_].mak_confirmation, "CID");  // saved, not only in memory
  EXPECT_EQ(ProductState(*p, kNow + 3650 * 86400), LicenseState::kLicensed);
  EXPECT_EQ(ProductMinutesLeft(*p, kNow + 3650 * 86400), 0u);

  // Back to KMS: the MAK activation goes, a host is asked at once.
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  p = role_.Find(sku_);
  EXPECT_EQ(p->key_kind, KeyKind::kSetup);
  EXPECT_FALSE(HoldsMakActivation(*p));
  EXPECT_EQ(role_.DueProducts(), std::vector<Uuid>{sku_});
  EXPECT_EQ(role_.SetMakActivation(sku_, "CID", "CATALOG").code(), ResultCode::kWrongKeyKind);
}

TEST_F(ClientRoleTest, GeneralizeDropsAMakActivation) {
  ASSERT_TRUE(role_.Install(edition(), "MAK", 120, 10080, KeyKind::kMak).ok());
  ASSERT_TRUE(role_.SetMakActivation(sku_, "CID", "CATALOG").ok());
  ASSERT_TRUE(role_.GeneralizeAll().ok());
  EXPECT_FALSE(HoldsMakActivation(*role_.Find(sku_)));
}

TEST_F(ClientRoleTest, AFailedWriteChangesNothingInMemory) {
  store_.fail = Status(ResultCode::kStorage, "disk full");
  EXPECT_EQ(role_.Install(edition(), "KEY", 120, 10080).code(), ResultCode::kStorage);
  EXPECT_EQ(role_.Find(sku_), nullptr);

  store_.fail = Status::Ok();
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  Result<Attempt> a = role_.Prepare(sku_, machine_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  store_.fail = Status(ResultCode::kStorage, "disk full");
  // A licence the client could not save is not a licence it holds.
  EXPECT_EQ(role_.Finish(*a, Licensed(a->request)), ResultCode::kStorage);
  EXPECT_EQ(StateAt(role_.Find(sku_)->license, kNow), LicenseState::kInitialGrace);
  EXPECT_EQ(role_.RearmAll().status().code(), ResultCode::kStorage);
  EXPECT_EQ(RearmsLeft(role_.Find(sku_)->license), 3);
}

TEST_F(ClientRoleTest, ASignedAnswerLicensesAndNamesTheHost) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  Result<Attempt> a = role_.Prepare(sku_, machine_);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->request.required_count, 25);
  EXPECT_EQ(a->request.cmid, machine_.cmid);
  EXPECT_TRUE(a->discover);  // no /skms
  EXPECT_EQ(role_.Finish(*a, Licensed(a->request)), ResultCode::kOk);
  const ProductRecord* p = role_.Find(sku_);
  EXPECT_EQ(StateAt(p->license, kNow), LicenseState::kLicensed);
  EXPECT_EQ(p->host_in_use, "kms.corp.example:1688");
  EXPECT_EQ(store_.saved[sku_].last_count, 25u);
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[0].first, kEventClientRequest);
  EXPECT_EQ(events_[1].first, kEventClientResult);
  // Host caching: the host that answered is tried first next time.
  a = role_.Prepare(sku_, machine_);
  ASSERT_EQ(a->hosts.size(), 1u);
  EXPECT_EQ(a->hosts[0].ToString(), "kms.corp.example:1688");
}

TEST_F(ClientRoleTest, AForgedAnswerChangesOnlyTheLastResult) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  Result<Attempt> a = role_.Prepare(sku_, machine_);
  AttemptOutcome forged = Licensed(a->request);
  std::get<ActivationResponse>(*forged.answer).current_count = 1000;  // after signing
  EXPECT_EQ(role_.Finish(*a, forged), ResultCode::kBadSignature);
  EXPECT_EQ(StateAt(role_.Find(sku_)->license, kNow), LicenseState::kInitialGrace);
  EXPECT_TRUE(role_.Find(sku_)->host_in_use.empty());
}

TEST_F(ClientRoleTest, TheReportGivesTheCauseAndWhatTheAnsweringHostMeant) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  Result<Attempt> a = role_.Prepare(sku_, machine_);
  ASSERT_TRUE(a.ok());
  // A rejected answer: its host's step carries the rejection.
  AttemptOutcome forged = Licensed(a->request);
  std::get<ActivationResponse>(*forged.answer).current_count = 1000;  // after signing
  forged.steps = {{AttemptStep::Kind::kHost, "down.example:1688", ResultCode::kNoHostReachable,
                   "connection refused"},
                  {AttemptStep::Kind::kHost, "kms.corp.example:1688", ResultCode::kOk,
                   "answered from 127.0.0.5"}};
  AttemptReport report;
  EXPECT_EQ(role_.Finish(*a, forged, &report), ResultCode::kBadSignature);
  EXPECT_EQ(report.result, ResultCode::kBadSignature);
  EXPECT_EQ(report.cause.rfind("the response from kms.corp.example:1688 was rejected", 0), 0u)
      << report.cause;
  ASSERT_EQ(report.steps.size(), 2u);
  EXPECT_EQ(report.steps[0].what, "connection refused");
  EXPECT_EQ(report.steps[1].result, ResultCode::kBadSignature);
  EXPECT_EQ(report.steps[1].what, report.cause);

  // No host answered: the cause is each host and why.
  a = role_.Prepare(sku_, machine_);
  AttemptOutcome none;
  none.errors = "127.0.0.1:17688: connection refused";
  EXPECT_EQ(role_.Finish(*a, none, &report), ResultCode::kNoHostReachable);
  EXPECT_EQ(report.cause, "127.0.0.1:17688: connection refused");

  // Success: no cause.
  a = role_.Prepare(sku_, machine_);
  EXPECT_EQ(role_.Finish(*a, Licensed(a->request), &report), ResultCode::kOk);
  EXPECT_EQ(report.result, ResultCode::kOk);
  EXPECT_EQ(report.cause, "");
}

TEST_F(ClientRoleTest, SkmsHostAndNoDiscovery) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  role_.discovery().kms_host = "[::1]:1700";
  Result<Attempt> a = role_.Prepare(sku_, machine_);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->discover);
  ASSERT_EQ(a->hosts.size(), 1u);
  EXPECT_EQ(a->hosts[0].ToString(), "[::1]:1700");
}

TEST_F(ClientRoleTest, RearmThreeTimesThenNone) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  for (int left = 2; left >= 0; --left) EXPECT_EQ(*role_.RearmAll(), left);
  EXPECT_EQ(role_.RearmAll().status().code(), ResultCode::kNoRearmsLeft);
}

// The /generalize attack: it used to restart the grace period without
// using a rearm, so it could be repeated forever.
TEST_F(ClientRoleTest, GeneralizeUsesARearmAndWithNoneLeftChangesNothing) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  EXPECT_EQ(*role_.RearmAll(), 2);
  clock_.Advance(29 * 86400);
  ASSERT_TRUE(role_.GeneralizeAll().ok());
  EXPECT_EQ(RearmsLeft(role_.Find(sku_)->license), 1);
  EXPECT_EQ(role_.Find(sku_)->license.grace_end, kNow + 59 * 86400);
  EXPECT_EQ(*role_.RearmAll(), 0);

  clock_.Advance(40 * 86400);
  const ProductRecord before = *role_.Find(sku_);
  EXPECT_EQ(role_.CheckRearmsLeft().code(), ResultCode::kNoRearmsLeft);
  Status s = role_.GeneralizeAll();
  EXPECT_EQ(s.code(), ResultCode::kNoRearmsLeft);
  EXPECT_NE(s.message().find("Pro"), std::string::npos) << s.message();
  EXPECT_EQ(role_.Find(sku_)->license, before.license);
  EXPECT_EQ(store_.saved[sku_].license, before.license);
  EXPECT_EQ(StateAt(role_.Find(sku_)->license, clock_.Now()), LicenseState::kNotification);
}

// The /upk + /ipk attack: removing the key and installing it again used to
// give back three rearms and a fresh grace period.
TEST_F(ClientRoleTest, UpkThenIpkRestoresNeitherRearmsNorGrace) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(role_.RearmAll().ok());
  const std::int64_t grace_end = role_.Find(sku_)->license.grace_end;
  clock_.Advance(40 * 86400);
  ASSERT_EQ(StateAt(role_.Find(sku_)->license, clock_.Now()), LicenseState::kNotification);

  ASSERT_EQ(*role_.Remove(sku_), "Pro");
  EXPECT_EQ(store_.saved.count(sku_), 0u);
  clock_.Advance(86400);
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  const ProductRecord* p = role_.Find(sku_);
  EXPECT_EQ(RearmsLeft(p->license), 0);
  EXPECT_EQ(p->license.grace_end, grace_end);
  EXPECT_EQ(StateAt(p->license, clock_.Now()), LicenseState::kNotification);
  EXPECT_EQ(MinutesLeft(p->license, clock_.Now()), 0u);
  EXPECT_EQ(role_.DueProducts(), std::vector<Uuid>{sku_});  // tries a host at once
  EXPECT_EQ(store_.saved[sku_].license, p->license);
  EXPECT_EQ(role_.RearmAll().status().code(), ResultCode::kNoRearmsLeft);
}

TEST_F(ClientRoleTest, ReinstallKeepsAnActivationAndAFailedReadInstallsNothing) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  Result<Attempt> a = role_.Prepare(sku_, machine_);
  ASSERT_EQ(role_.Finish(*a, Licensed(a->request)), ResultCode::kOk);
  const ClientLicense licensed = role_.Find(sku_)->license;
  ASSERT_TRUE(role_.Remove(sku_).ok());
  EXPECT_EQ(store_.timers[sku_],
            (EditionTimers{sku_, 0, licensed.grace_end, licensed.validity_end}));

  // The kept timers cannot be read: installing "fresh" would be the attack.
  store_.fail = Status(ResultCode::kStorage, "disk error");
  EXPECT_EQ(role_.Install(edition(), "KEY", 120, 10080).code(), ResultCode::kStorage);
  EXPECT_EQ(role_.Find(sku_), nullptr);
  store_.fail = Status::Ok();
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  EXPECT_EQ(role_.Find(sku_)->license.validity_end, licensed.validity_end);
  EXPECT_EQ(StateAt(role_.Find(sku_)->license, kNow), LicenseState::kLicensed);
}

// The clock attack: a client judged by its own clock alone kept its grace
// (or its activation) for as long as the clock was set back.
TEST_F(ClientRoleTest, AClockSetBackThirtyDaysExtendsNoGrace) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  const std::int64_t grace_end = role_.Find(sku_)->license.grace_end;
  clock_.Advance(20 * 86400);
  ASSERT_EQ(role_.Now(), kNow + 20 * 86400);
  events_.clear();

  clock_.Advance(-30 * 86400);
  EXPECT_EQ(role_.Now(), kNow + 20 * 86400);  // judged from the latest time seen
  const ProductRecord* p = role_.Find(sku_);
  EXPECT_EQ(p->license.grace_end, grace_end);
  EXPECT_EQ(MinutesLeft(p->license, role_.Now()), 10u * 24 * 60);
  ASSERT_EQ(events_.size(), 1u);  // once, at the step
  EXPECT_EQ(events_[0].first, kEventClientResult);
  EXPECT_NE(events_[0].second.find("went back by 43200 minutes"), std::string::npos)
      << events_[0].second;
  EXPECT_EQ(store_.clock, role_.license_clock());  // saved at once

  // The latest time seen runs on with the clock: ten more days end the grace
  // although the clock reads the very time of the install.
  clock_.Advance(10 * 86400);
  EXPECT_EQ(StateAt(p->license, role_.Now()), LicenseState::kNotification);
  EXPECT_EQ(events_.size(), 1u);
  // Its request carries the clock as it is, for the host to judge.
  Result<Attempt> a = role_.Prepare(sku_, machine_);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->request.client_time, kNow);
  EXPECT_EQ(a->request.license_state, LicenseState::kNotification);
  EXPECT_EQ(a->request.minutes_left, 0u);
}

TEST_F(ClientRoleTest, AClockSetBackKeepsNoActivationAlive) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  Result<Attempt> a = role_.Prepare(sku_, machine_);
  ASSERT_EQ(role_.Finish(*a, Licensed(a->request)), ResultCode::kOk);
  const std::int64_t validity_end = role_.Find(sku_)->license.validity_end;
  // 170 days on, the clock is set back 170 days, and then runs 20 more.
  clock_.Advance(170 * 86400);
  role_.DueProducts();
  clock_.Advance(-170 * 86400);
  role_.DueProducts();
  clock_.Advance(20 * 86400);
  EXPECT_EQ(role_.Now(), kNow + 190 * 86400);
  EXPECT_GT(role_.Now(), validity_end);
  EXPECT_EQ(StateAt(role_.Find(sku_)->license, role_.Now()), LicenseState::kOutOfToleranceGrace);
}

// A restart does not forget: the latest time seen is loaded, so a clock set
// back while the daemon was down is seen at the first reading.
TEST_F(ClientRoleTest, TheLatestTimeSeenSurvivesARestart) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  clock_.Advance(15 * 86400);
  role_.DueProducts();
  ASSERT_EQ(store_.clock.latest_seen, kNow + 15 * 86400);

  ClientRole restarted(clock_, store_, catalogs_,
                       [this](int id, const std::string& m) { events_.emplace_back(id, m); });
  std::vector<ProductRecord> products;
  for (const auto& [sku, p] : store_.saved) products.push_back(p);
  restarted.Load(products, store_.clock);
  events_.clear();
  clock_.Advance(-15 * 86400 - 3600);
  EXPECT_EQ(restarted.Now(), kNow + 15 * 86400);
  EXPECT_EQ(events_.size(), 1u);
  EXPECT_EQ(MinutesLeft(restarted.Find(sku_)->license, restarted.Now()), 15u * 24 * 60);
}

// A verified answer re-anchors the latest time seen on the host's time: a
// clock correction absorbed before is forgiven, and no more.
TEST_F(ClientRoleTest, AVerifiedAnswerSetsTheLatestTimeSeenToTheHosts) {
  ASSERT_TRUE(role_.Install(edition(), "KEY", 120, 10080).ok());
  clock_.Advance(2 * 3600);
  role_.DueProducts();
  clock_.Advance(-2 * 3600);  // the clock was fast; NTP steps it back
  EXPECT_EQ(role_.Now(), kNow + 2 * 3600);
  EXPECT_TRUE(events_.empty());  // within the tolerance: no tampering
  Result<Attempt> a = role_.Prepare(sku_, machine_);
  EXPECT_EQ(a->request.client_time, kNow);
  ASSERT_EQ(role_.Finish(*a, Licensed(a->request)), ResultCode::kOk);  // host_time kNow
  EXPECT_EQ(role_.Now(), kNow);
  EXPECT_EQ(store_.clock, role_.license_clock());
  EXPECT_EQ(role_.Find(sku_)->license.last_activation, kNow);
}

}  // namespace
}  // namespace activa
