// Which catalogs a machine trusts: only those signed by a pinned vendor key,
// never one that vouches for itself, and neither of two vendors that claim
// the same edition.
#include "catalog/catalog_set.h"

#include <gtest/gtest.h>

#include "base/fake_system.h"

namespace activa {
namespace {

Uuid Id(const char* text) { return *ParseUuid(text); }

Catalog Example(const SigningKey& key, std::string vendor, const char* sku) {
  Catalog c;
  c.vendor_name = std::move(vendor);
  c.vendor_keys = {key.public_key()};
  c.applications = {{Id("aaaaaaaa-0000-4000-8000-000000000001"), "Suite"}};
  c.editions = {{Id(sku), c.applications[0].id, "Pro", EditionKind::kClient, 25, 1, ""}};
  c.groups = {{Id("99999999-0000-4000-8000-000000000001"), "Clients", 10, {Id(sku)}}};
  return c;
}

class CatalogSetTest : public ::testing::Test {
 protected:
  CatalogSetTest()
      : vendor_(SigningKey::FromSeed(Bytes(32, 1))), other_(SigningKey::FromSeed(Bytes(32, 7))) {
    system_.SetFile("/catalogs/example.json",
                    *SignCatalog(Example(vendor_, "Example", kSku), vendor_));
  }
  void Trust(const std::string& name, const SigningKey& key) {
    system_.SetFile("/trust/" + name + ".trust", FormatTrustFile(key.public_key(), name));
  }
  CatalogSet Load() {
    problems_.clear();
    std::vector<TrustedVendor> trusted = LoadTrustedVendors(system_, "/trust", &problems_);
    return CatalogSet::Load(system_, "/catalogs", trusted, &problems_);
  }
  std::string Problems() const {
    std::string all;
    for (const std::string& p : problems_) all += p + "\n";
    return all;
  }

  static constexpr const char* kSku = "eeeeeeee-0000-4000-8000-000000000001";
  SigningKey vendor_, other_;
  FakeSystem system_;
  std::vector<std::string> problems_;
};

TEST_F(CatalogSetTest, APinnedVendorsCatalogLoads) {
  Trust("example", vendor_);
  CatalogSet set = Load();
  ASSERT_EQ(set.catalogs().size(), 1u) << Problems();
  EXPECT_NE(set.FindEdition(Id(kSku)), nullptr);
  // The file as it was signed, for products to verify again.
  EXPECT_EQ(set.SignedText(set.catalogs()[0]), *system_.ReadFile("/catalogs/example.json"));
  EXPECT_EQ(CatalogSet({Example(vendor_, "Example", kSku)}).SignedText(set.catalogs()[0]), "");
}

// Before: the catalog's own key list verified it, so any self-signed
// catalog loaded.
TEST_F(CatalogSetTest, ACatalogDoesNotVouchForItself) {
  Trust("example", vendor_);
  system_.SetFile(
      "/catalogs/selfmade.json",
      *SignCatalog(Example(other_, "Selfmade", "eeeeeeee-0000-4000-8000-0000000000aa"), other_));
  CatalogSet set = Load();
  ASSERT_EQ(set.catalogs().size(), 1u);
  EXPECT_EQ(set.catalogs()[0].vendor_name, "Example");
  EXPECT_NE(Problems().find("/catalogs/selfmade.json refused"), std::string::npos) << Problems();
  EXPECT_NE(Problems().find("does not trust"), std::string::npos) << Problems();
}

TEST_F(CatalogSetTest, NoTrustFileTrustsNobody) {
  CatalogSet set = Load();
  EXPECT_TRUE(set.catalogs().empty());
  EXPECT_NE(Problems().find("no vendor is trusted"), std::string::npos) << Problems();
}

// Before: the first catalog by file name that listed an edition won, so a
// second vendor copying this vendor's IDs took its clients over.
TEST_F(CatalogSetTest, TwoVendorsClaimingOneEditionAreTrustedInNeither) {
  Trust("example", vendor_);
  Trust("other", other_);
  system_.SetFile("/catalogs/0-copycat.json",
                  *SignCatalog(Example(other_, "Copycat", kSku), other_));
  CatalogSet set = Load();
  EXPECT_TRUE(set.catalogs().empty());
  EXPECT_EQ(set.FindEdition(Id(kSku)), nullptr);
  EXPECT_NE(Problems().find("/catalogs/0-copycat.json"), std::string::npos) << Problems();
  EXPECT_NE(Problems().find("/catalogs/example.json"), std::string::npos) << Problems();
}

TEST_F(CatalogSetTest, TrustFilesOthersMayChangeAreRefused) {
  Trust("example", vendor_);
  system_.SetFileInfo("/trust/example.trust", {0, 0666, false, false});
  EXPECT_TRUE(Load().catalogs().empty());
  EXPECT_NE(Problems().find("chmod go-w"), std::string::npos) << Problems();

  system_.SetFileInfo("/trust/example.trust", {1000, 0644, false, false});  // a user's
  EXPECT_TRUE(Load().catalogs().empty());
  EXPECT_NE(Problems().find("owned by uid 1000"), std::string::npos) << Problems();

  system_.SetFileInfo("/trust/example.trust", {0, 0644, false, false});
  system_.SetFileInfo("/trust", {0, 0777, true, false});  // anyone may add a file
  EXPECT_TRUE(Load().catalogs().empty());
  EXPECT_NE(Problems().find("/trust: mode 0777"), std::string::npos) << Problems();
}

TEST_F(CatalogSetTest, TrustFileRoundTrips) {
  std::string text = FormatTrustFile(vendor_.public_key(), "Example Software");
  Result<TrustedVendor> v = ParseTrustFile(text, "x.trust");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->key, vendor_.public_key());
  EXPECT_EQ(v->name, "Example Software");
  EXPECT_FALSE(ParseTrustFile("activa-trusted-vendor-v1 bm90IGEga2V5 X", "y.trust").ok());
  EXPECT_FALSE(ParseTrustFile("", "z.trust").ok());
}

}  // namespace
}  // namespace activa
