#include "client/client_role.h"

#include <map>

#include <gtest/gtest.h>

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
  Status DeleteProduct(const Uuid& sku) override {
    if (!fail.ok()) return fail;
    saved.erase(sku);
    return Status::Ok();
  }
  Status fail;
  std::map<Uuid, ProductRecord> saved;
};

class ClientRoleTest : public ::testing::Test {
 protected:
  ClientRoleTest()
      : vendor_(SigningKey::FromSeed(Bytes(32, 1))),
        host_key_(SigningKey::FromSeed(Bytes(32, 2))),
        catalogs_(MakeCatalogs()),
        role_(clock_, store_, catalogs_, [this](int id, const std::string& m) {
          events_.emplace_back(id, m);
        }) {
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

}  // namespace
}  // namespace activa
