#include "catalog/revocation_list.h"

#include <gtest/gtest.h>

#include "base/fake_system.h"
#include "catalog/catalog_set.h"

namespace activa {
namespace {

Uuid Id(const char* text) { return *ParseUuid(text); }

const Uuid kVendor = Id("3641377b-df3a-42d7-a253-fab0f61de8ca");

RevocationList Sample(std::uint64_t serial) {
  RevocationList r;
  r.vendor_id = kVendor;
  r.serial = serial;
  r.issued = 1795000000;
  r.host_keys = {{1, 2, 3, 4, 5, 6, 7, 8}};
  r.host_certificates = {SigningKey::FromSeed(Bytes(32, 5)).public_key()};
  r.maks = {{9, 9, 9, 9, 9, 9, 9, 9}};
  return r;
}

TEST(RevocationListTest, RoundTripsUnderATrustedKeyOnly) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey other = SigningKey::FromSeed(Bytes(32, 2));
  std::string text = SignRevocationList(Sample(3), vendor);
  Result<RevocationList> r = LoadTrustedRevocationList(text, {vendor.public_key()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->serial, 3u);
  EXPECT_EQ(r->vendor_id, kVendor);
  EXPECT_EQ(r->signer, vendor.public_key());
  EXPECT_TRUE(r->RevokesHost(PublicKey{}, {1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_TRUE(r->RevokesHost(SigningKey::FromSeed(Bytes(32, 5)).public_key(), {}));
  EXPECT_FALSE(r->RevokesHost(PublicKey{}, {}));
  EXPECT_TRUE(r->RevokesMak({9, 9, 9, 9, 9, 9, 9, 9}));
  EXPECT_EQ(LoadTrustedRevocationList(text, {other.public_key()}).status().code(),
            ResultCode::kBadSignature);
}

TEST(RevocationListTest, AnyChangedByteIsRefused) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  std::string text = SignRevocationList(Sample(3), vendor);
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string altered = text;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    Result<RevocationList> r = LoadTrustedRevocationList(altered, {vendor.public_key()});
    // Whitespace outside the body may change; the body and signature not.
    if (r.ok()) {
      EXPECT_EQ(r->serial, 3u) << i;
    }
  }
  // A catalog's signature is no revocation list's: another context.
  EXPECT_FALSE(LoadTrustedRevocationList("{\"activa_catalog\":1}", {vendor.public_key()}).ok());
}

class RevocationSetTest : public ::testing::Test {
 protected:
  RevocationSetTest() : vendor_(SigningKey::FromSeed(Bytes(32, 1))) {
    Catalog c;
    c.vendor_id = kVendor;
    c.vendor_name = "Example";
    c.vendor_keys = {vendor_.public_key()};
    c.applications = {{Id("aaaaaaaa-0000-4000-8000-000000000001"), "Suite"}};
    c.editions = {{Id("eeeeeeee-0000-4000-8000-000000000001"), c.applications[0].id, "Pro",
                   EditionKind::kClient, 25, 1, ""}};
    c.groups = {{Id("99999999-0000-4000-8000-000000000001"), "Clients", 10, {c.editions[0].id}}};
    system_.SetFile("/catalogs/example.json", *SignCatalog(c, vendor_));
    system_.SetFile("/trust/example.trust", FormatTrustFile(vendor_.public_key(), "Example"));
  }
  CatalogSet Load() {
    problems_.clear();
    std::vector<TrustedVendor> trusted = LoadTrustedVendors(system_, "/trust", &problems_);
    return CatalogSet::Load(system_, "/catalogs", trusted, &problems_);
  }
  SigningKey vendor_;
  FakeSystem system_;
  std::vector<std::string> problems_;
};

TEST_F(RevocationSetTest, TheNewestListBesideTheCatalogApplies) {
  system_.SetFile("/catalogs/a.revocations", SignRevocationList(Sample(5), vendor_));
  system_.SetFile("/catalogs/b.revocations", SignRevocationList(Sample(2), vendor_));
  CatalogSet set = Load();
  ASSERT_EQ(set.catalogs().size(), 1u);
  const RevocationList* r = set.RevocationsFor(set.catalogs()[0]);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->serial, 5u);
  EXPECT_TRUE(problems_.empty());
}

TEST_F(RevocationSetTest, AListSignedByAnUntrustedKeyIsRefused) {
  SigningKey rogue = SigningKey::FromSeed(Bytes(32, 9));
  system_.SetFile("/catalogs/a.revocations", SignRevocationList(Sample(5), rogue));
  CatalogSet set = Load();
  EXPECT_EQ(set.RevocationsFor(set.catalogs()[0]), nullptr);
  ASSERT_EQ(problems_.size(), 1u);
}

TEST_F(RevocationSetTest, AnOlderSerialNeverReplacesANewerOne) {
  CatalogSet set = Load();
  auto offer = [&](std::uint64_t serial) {
    return set.Offer(*LoadTrustedRevocationList(SignRevocationList(Sample(serial), vendor_),
                                                {vendor_.public_key()}));
  };
  EXPECT_TRUE(*offer(4));
  Result<bool> older = offer(3);
  EXPECT_EQ(older.status().code(), ResultCode::kInvalidArgument);
  EXPECT_FALSE(*offer(4));  // the same list again changes nothing
  EXPECT_EQ(set.RevocationsFor(set.catalogs()[0])->serial, 4u);
  EXPECT_TRUE(*offer(6));
  EXPECT_EQ(set.RevocationsFor(set.catalogs()[0])->serial, 6u);
}

}  // namespace
}  // namespace activa
