// Online renewal, the audit log and the database URL (the clearinghouse's
// needs of the vendor).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "keys/activation_codes.h"
#include "offline/offline_activation.h"
#include "vendor/registry_url.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

constexpr std::int64_t kNow = 1795000000;

class VendorRenewalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "activa-renew-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl + "/vendor";
    ASSERT_TRUE(Vendor::Init(dir_, "Example").ok());
    Result<Vendor> v = Vendor::Open(dir_);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vendor_.emplace(std::move(v).value());
    Result<MintedKey> minted =
        vendor_->MintHostKey(vendor_->catalog().groups[0].name, 2, /*max_activations=*/1, kNow);
    ASSERT_TRUE(minted.ok());
    key_ = *ParseProductKey(minted->text);
  }
  void TearDown() override {
    vendor_.reset();
    std::filesystem::remove_all(std::filesystem::path(dir_).parent_path());
  }
  InstallationId HostIid(std::uint8_t machine) {
    InstallationId iid;
    iid.machine_tag.fill(machine);
    iid.host_public_key = SigningKey::FromSeed(Bytes(32, machine)).public_key();
    iid.host_key = key_;
    return iid;
  }

  std::string dir_;
  std::optional<Vendor> vendor_;
  ProductKey key_;
};

TEST_F(VendorRenewalTest, RenewalUsesNoReactivationAndCarriesAFreshCertificate) {
  const std::string iid = FormatInstallationId(HostIid(1));
  ASSERT_TRUE(vendor_->Confirm(iid, kNow).ok());
  // The key allows one activation per host: a second is refused, renewals
  // are not.
  EXPECT_EQ(vendor_->Confirm(iid, kNow).status().code(), ResultCode::kKeyOverLimit);
  const std::int64_t later = kNow + 300 * 86400;
  for (int i = 0; i < 3; ++i) {
    Result<std::string> cid = vendor_->Renew(iid, later);
    ASSERT_TRUE(cid.ok()) << cid.status().ToString();
    Result<HostCertificate> cert =
        CertificateFromConfirmation(HostIid(1), *ParseConfirmationId(*cid), vendor_->catalog());
    ASSERT_TRUE(cert.ok()) << cert.status().ToString();
    EXPECT_GT(cert->not_after, later + 364 * 86400);
  }
  Result<std::vector<MintedKey>> keys = vendor_->ListKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)[0].activations_used, 1);
  EXPECT_EQ((*keys)[0].hosts_used, 1);
}

TEST_F(VendorRenewalTest, OnlyTheKeyPairThatActivatedRenews) {
  ASSERT_TRUE(vendor_->Confirm(FormatInstallationId(HostIid(1)), kNow).ok());
  // Another key pair, even with host 1's machine tag, has nothing to renew:
  // a free renewal for it would be an activation past the limits.
  InstallationId other = HostIid(2);
  other.machine_tag = HostIid(1).machine_tag;
  EXPECT_EQ(vendor_->Renew(FormatInstallationId(other), kNow).status().code(),
            ResultCode::kNotFound);
  Result<std::vector<MintedKey>> keys = vendor_->ListKeys();
  EXPECT_EQ((*keys)[0].hosts_used, 1);
}

TEST_F(VendorRenewalTest, RevokedKeysAndHostsDoNotRenew) {
  const std::string iid1 = FormatInstallationId(HostIid(1));
  const std::string iid2 = FormatInstallationId(HostIid(2));
  ASSERT_TRUE(vendor_->Confirm(iid1, kNow).ok());
  ASSERT_TRUE(vendor_->Confirm(iid2, kNow).ok());
  ASSERT_TRUE(vendor_->RevokeHost(iid1, kNow).ok());
  EXPECT_EQ(vendor_->Renew(iid1, kNow).status().code(), ResultCode::kKeyRevoked);
  EXPECT_TRUE(vendor_->Renew(iid2, kNow).ok());
  ASSERT_TRUE(vendor_->Revoke(FormatProductKey(key_)).ok());
  EXPECT_EQ(vendor_->Renew(iid2, kNow).status().code(), ResultCode::kKeyRevoked);
}

TEST_F(VendorRenewalTest, RevocationStateChangesOnlyWithRevocations) {
  Result<std::string> before = vendor_->RevocationState();
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(vendor_->Confirm(FormatInstallationId(HostIid(1)), kNow).ok());
  EXPECT_EQ(*vendor_->RevocationState(), *before);
  ASSERT_TRUE(vendor_->RevokeHost(FormatInstallationId(HostIid(1)), kNow).ok());
  Result<std::string> after_host = vendor_->RevocationState();
  EXPECT_NE(*after_host, *before);
  ASSERT_TRUE(vendor_->Revoke(FormatProductKey(key_)).ok());
  EXPECT_NE(*vendor_->RevocationState(), *after_host);
}

TEST_F(VendorRenewalTest, AuditListsByKeyAndTimeInOrder) {
  for (int i = 0; i < 4; ++i) {
    AuditRecord r;
    r.time = kNow + i;
    r.source = i == 0 ? "phone" : "127.0.0.1";
    r.operation = i == 0 ? "confirm" : "activate";
    r.key_serial = i % 2 == 0 ? 1 : 2;
    r.key_kind = "host";
    r.machine = "0101010101010101";
    r.result = i == 3 ? 0xC004C008 : 0;
    r.message = "m" + std::to_string(i);
    ASSERT_TRUE(vendor_->AppendAudit(r).ok());
  }
  Result<std::vector<AuditRecord>> all = vendor_->ListAudit(std::nullopt, 0, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].source, "phone");
  EXPECT_EQ((*all)[3].result, 0xC004C008u);
  EXPECT_EQ((*all)[3].message, "m3");
  Result<std::vector<AuditRecord>> key2 = vendor_->ListAudit(2u, 0, 100);
  ASSERT_EQ(key2->size(), 2u);
  EXPECT_EQ((*key2)[0].time, kNow + 1);
  EXPECT_EQ(vendor_->ListAudit(std::nullopt, kNow + 2, 100)->size(), 2u);
  EXPECT_EQ(vendor_->ListAudit(std::nullopt, 0, 1)->size(), 1u);
}

TEST_F(VendorRenewalTest, DatabaseUrls) {
  EXPECT_TRUE(vendor_->CheckDatabase().ok());
  // PostgreSQL is selected by its URL; where no server answers, the error
  // names the database (tests/key_registry_contract_test.cc has a real one).
  Result<Vendor> pg = Vendor::Open(dir_, "postgresql://u@127.0.0.1:1/db?connect_timeout=2");
  EXPECT_EQ(pg.status().code(), ResultCode::kStorage);
  EXPECT_NE(pg.status().message().find("postgresql://u@127.0.0.1:1/db"), std::string::npos)
      << pg.status().message();
  EXPECT_EQ(Vendor::Open(dir_, "mysql://x").status().code(), ResultCode::kInvalidArgument);
  // The default file by its path, and a missing one named.
  EXPECT_TRUE(Vendor::Open(dir_, "sqlite:" + dir_ + "/vendor.db").ok());
  Result<Vendor> missing = Vendor::Open(dir_, dir_ + "/nothing.db");
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace activa
