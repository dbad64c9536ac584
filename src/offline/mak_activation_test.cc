#include "offline/mak_activation.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

constexpr std::int64_t kNow = 1795000000;  // some time on a day in 2026

Uuid Id(std::uint8_t b) {
  Uuid u;
  u.fill(b);
  return u;
}

// Two editions of one application, codes 0x0abc and 0x0abd.
Catalog CatalogFor(const SigningKey& vendor) {
  Catalog c;
  c.vendor_id = Id(0x11);
  c.vendor_name = "Example";
  c.vendor_keys = {vendor.public_key()};
  Edition pro;
  pro.id = Id(0x21);
  pro.code = 0x0abc;
  Edition home;
  home.id = Id(0x22);
  home.code = 0x0abd;
  c.editions = {pro, home};
  return c;
}

InstallationId MakIid(const SigningKey& machine, std::uint16_t edition_code = 0x0abc) {
  InstallationId iid;
  iid.machine_tag = MachineTagOf(Id(0x31));
  iid.host_public_key = machine.public_key();
  iid.host_key = {KeyKind::kMak, 0x1234, edition_code, 42, 0xdeadbeef};
  return iid;
}

class MakActivationTest : public ::testing::Test {
 protected:
  SigningKey vendor_ = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey machine_ = SigningKey::FromSeed(Bytes(32, 2));
  Catalog catalog_ = CatalogFor(vendor_);
};

TEST_F(MakActivationTest, MachineRebuildsTheVendorsRecord) {
  InstallationId iid = MakIid(machine_);
  ConfirmationId issued = IssueMakActivation(iid, catalog_.vendor_id, Id(0x21), vendor_, kNow);
  EXPECT_EQ(issued.issue_day, kNow / 86400);
  EXPECT_EQ(issued.valid_days, kMakValidDays);

  // Through the text forms, as an administrator would carry them.
  Result<ConfirmationId> cid = ParseConfirmationId(FormatConfirmationId(issued));
  ASSERT_TRUE(cid.ok()) << cid.status().ToString();
  Result<MakActivation> a = MakActivationFromConfirmation(iid, *cid, catalog_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->vendor_id, catalog_.vendor_id);
  EXPECT_EQ(a->edition_id, Id(0x21));
  EXPECT_EQ(a->machine_tag, MachineTagOf(Id(0x31)));
  EXPECT_EQ(a->machine_public_key, machine_.public_key());
  EXPECT_EQ(a->mak_key_id, ProductKeyId(iid.host_key));
  EXPECT_EQ(a->issue_day, kNow / 86400);
  EXPECT_TRUE(VerifyMakActivation(*a, vendor_.public_key()));
}

TEST_F(MakActivationTest, ForgedSignatureIsRefused) {
  InstallationId iid = MakIid(machine_);
  ConfirmationId cid = IssueMakActivation(iid, catalog_.vendor_id, Id(0x21), vendor_, kNow);
  cid.signature[7] ^= 0x01;
  EXPECT_EQ(MakActivationFromConfirmation(iid, cid, catalog_).status().code(),
            ResultCode::kBadSignature);
  // Signed by a key that is not the vendor's.
  SigningKey other = SigningKey::FromSeed(Bytes(32, 9));
  cid = IssueMakActivation(iid, catalog_.vendor_id, Id(0x21), other, kNow);
  EXPECT_EQ(MakActivationFromConfirmation(iid, cid, catalog_).status().code(),
            ResultCode::kBadSignature);
}

TEST_F(MakActivationTest, AnotherMachinesCodeIsRefused) {
  InstallationId mine = MakIid(machine_);
  ConfirmationId cid = IssueMakActivation(mine, catalog_.vendor_id, Id(0x21), vendor_, kNow);
  // Same MAK, another CMID.
  InstallationId other_tag = mine;
  other_tag.machine_tag = MachineTagOf(Id(0x32));
  EXPECT_EQ(MakActivationFromConfirmation(other_tag, cid, catalog_).status().code(),
            ResultCode::kBadSignature);
  // Same CMID, another key pair.
  InstallationId other_key = mine;
  other_key.host_public_key = SigningKey::FromSeed(Bytes(32, 3)).public_key();
  EXPECT_EQ(MakActivationFromConfirmation(other_key, cid, catalog_).status().code(),
            ResultCode::kBadSignature);
  // Another MAK of the same edition.
  InstallationId other_mak = mine;
  other_mak.host_key.serial = 43;
  EXPECT_EQ(MakActivationFromConfirmation(other_mak, cid, catalog_).status().code(),
            ResultCode::kBadSignature);
}

TEST_F(MakActivationTest, AnotherEditionsCodeIsRefused) {
  // The vendor signed the record for edition 0x21; a MAK of the other
  // edition, on the same machine, cannot take it.
  InstallationId pro = MakIid(machine_, 0x0abc);
  ConfirmationId cid = IssueMakActivation(pro, catalog_.vendor_id, Id(0x21), vendor_, kNow);
  InstallationId home = pro;
  home.host_key.item = 0x0abd;
  EXPECT_EQ(MakActivationFromConfirmation(home, cid, catalog_).status().code(),
            ResultCode::kBadSignature);
  // And a record the vendor signed for another edition than the MAK's.
  ConfirmationId wrong = IssueMakActivation(pro, catalog_.vendor_id, Id(0x22), vendor_, kNow);
  EXPECT_EQ(MakActivationFromConfirmation(pro, wrong, catalog_).status().code(),
            ResultCode::kBadSignature);
}

TEST_F(MakActivationTest, HostConfirmationIsNotAMakActivation) {
  InstallationId iid = MakIid(machine_);
  ConfirmationId cid = IssueMakActivation(iid, catalog_.vendor_id, Id(0x21), vendor_, kNow);
  cid.valid_days = 365;
  EXPECT_EQ(MakActivationFromConfirmation(iid, cid, catalog_).status().code(),
            ResultCode::kBadSignature);
}

TEST_F(MakActivationTest, WrongKindsAndUnknownEditions) {
  InstallationId host = MakIid(machine_);
  host.host_key.kind = KeyKind::kHost;
  ConfirmationId cid = IssueMakActivation(host, catalog_.vendor_id, Id(0x21), vendor_, kNow);
  EXPECT_EQ(MakActivationFromConfirmation(host, cid, catalog_).status().code(),
            ResultCode::kWrongKeyKind);
  InstallationId unknown = MakIid(machine_, 0x0123);
  EXPECT_EQ(MakActivationFromConfirmation(unknown, cid, catalog_).status().code(),
            ResultCode::kInvalidKey);
}

TEST_F(MakActivationTest, SignedBytesAreTheDocumentedLayout) {
  MakActivation a;
  a.vendor_id = Id(1);
  a.machine_tag.fill(2);
  a.machine_public_key.fill(3);
  a.edition_id = Id(4);
  a.mak_key_id.fill(5);
  a.issue_day = 0x1234;
  Bytes b = MakActivationSignedBytes(a);
  ASSERT_EQ(b.size(), 16u + 8 + 32 + 16 + 8 + 2);
  EXPECT_EQ(b[0], 1);
  EXPECT_EQ(b[16], 2);
  EXPECT_EQ(b[24], 3);
  EXPECT_EQ(b[56], 4);
  EXPECT_EQ(b[72], 5);
  EXPECT_EQ(b[80], 0x12);
  EXPECT_EQ(b[81], 0x34);
}

}  // namespace
}  // namespace activa
