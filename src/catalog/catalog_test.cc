#include "catalog/catalog.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

Uuid Id(const char* text) { return *ParseUuid(text); }

Catalog Sample(const SigningKey& key) {
  Catalog c;
  c.vendor_id = Id("11111111-2222-4333-8444-555555555555");
  c.vendor_name = "Example Software";
  c.clearinghouse_url = "https://activation.example.com";
  c.vendor_keys = {key.public_key()};
  c.issued = 1790000000;
  c.applications = {{Id("aaaaaaaa-0000-4000-8000-000000000001"), "Example Suite"}};
  Edition pro{Id("eeeeeeee-0000-4000-8000-000000000001"),
              c.applications[0].id,
              "Example Suite Professional",
              EditionKind::kClient,
              25,
              0,
              "SETUP-KEY-1"};
  pro.code = ItemCode(pro.id);
  Edition srv{Id("eeeeeeee-0000-4000-8000-000000000002"),
              c.applications[0].id,
              "Example Suite Server",
              EditionKind::kServer,
              5,
              0,
              "SETUP-KEY-2"};
  srv.code = ItemCode(srv.id);
  c.editions = {pro, srv};
  ProductGroup all{Id("99999999-0000-4000-8000-000000000001"), "Suite Volume", 0, {pro.id, srv.id}};
  all.code = ItemCode(all.id);
  ProductGroup servers{Id("99999999-0000-4000-8000-000000000002"), "Suite Servers", 0, {srv.id}};
  servers.code = ItemCode(servers.id);
  c.groups = {all, servers};
  return c;
}

TEST(CatalogTest, SignAndLoadRoundTrip) {
  SigningKey key = SigningKey::FromSeed(Bytes(32, 7));
  Catalog c = Sample(key);
  Result<std::string> text = SignCatalog(c, key);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  Result<Catalog> loaded = LoadCatalog(*text);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->vendor_name, "Example Software");
  EXPECT_EQ(loaded->vendor_keys, c.vendor_keys);
  ASSERT_EQ(loaded->editions.size(), 2u);
  EXPECT_EQ(loaded->editions[1].threshold, 5);
  EXPECT_EQ(loaded->editions[1].kind, EditionKind::kServer);
  EXPECT_EQ(loaded->editions[0].setup_key, "SETUP-KEY-1");
  const Uuid server = c.editions[1].id, client = c.editions[0].id;
  EXPECT_TRUE(loaded->GroupCovers(c.groups[0].code, client));
  EXPECT_TRUE(loaded->GroupCovers(c.groups[1].code, server));
  EXPECT_FALSE(loaded->GroupCovers(c.groups[1].code, client));
  EXPECT_EQ(loaded->vendor_tag(), (key.key_id()[0] << 8) | key.key_id()[1]);
}

TEST(CatalogTest, ClearinghousePinsRoundTripAndAreOptional) {
  SigningKey key = SigningKey::FromSeed(Bytes(32, 7));
  Catalog c = Sample(key);
  // A catalog without pins is written as before the field existed, and
  // loads with none.
  Result<std::string> old = SignCatalog(c, key);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->find("clearinghouse_pins"), std::string::npos);
  EXPECT_TRUE(LoadCatalog(*old)->clearinghouse_pins.empty());

  const std::string pin = "sha256:" + std::string(64, 'a');
  c.clearinghouse_pins = {pin, "sha256:" + std::string(64, '0')};
  Result<Catalog> loaded = LoadCatalog(*SignCatalog(c, key));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->clearinghouse_pins, c.clearinghouse_pins);

  for (const std::string& bad : {std::string("sha256:") + std::string(64, 'A'),
                                 std::string("sha1:") + std::string(40, 'a'), std::string("")}) {
    c.clearinghouse_pins = {bad};
    Result<Catalog> refused = LoadCatalog(*SignCatalog(c, key));
    EXPECT_EQ(refused.status().code(), ResultCode::kInvalidData) << bad;
    EXPECT_NE(refused.status().message().find("clearinghouse_pins"), std::string::npos);
  }
}

// Any single changed byte, anywhere in the file, must make loading fail.
TEST(CatalogTest, EveryChangedByteIsRefused) {
  SigningKey key = SigningKey::FromSeed(Bytes(32, 7));
  std::string text = *SignCatalog(Sample(key), key);
  for (std::size_t i = 0; i < text.size(); ++i) {
    for (char flip : {'\x01', '\x20'}) {
      std::string altered = text;
      altered[i] = static_cast<char>(altered[i] ^ flip);
      Result<Catalog> loaded = LoadCatalog(altered);
      EXPECT_FALSE(loaded.ok()) << "byte " << i << " changed from '" << text[i] << "' to '"
                                << altered[i] << "' was accepted";
    }
  }
}

TEST(CatalogTest, ForeignSignatureIsRefused) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 7));
  SigningKey other = SigningKey::FromSeed(Bytes(32, 8));
  // A catalog that names the vendor's key but was signed by another key.
  Catalog c = Sample(other);
  std::string forged = *SignCatalog(c, other);
  std::string vendor_b64 = Base64Encode(vendor.public_key());
  std::string other_b64 = Base64Encode(other.public_key());
  forged.replace(forged.find(other_b64), other_b64.size(), vendor_b64);
  Result<Catalog> loaded = LoadCatalog(forged);
  EXPECT_FALSE(loaded.ok());
}

TEST(CatalogTest, SigningKeyMustBeTheCatalogsOwn) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 7));
  SigningKey other = SigningKey::FromSeed(Bytes(32, 8));
  EXPECT_EQ(SignCatalog(Sample(vendor), other).status().code(), ResultCode::kInvalidArgument);
}

TEST(CatalogTest, ValidationNamesTheProblem) {
  SigningKey key = SigningKey::FromSeed(Bytes(32, 7));
  Catalog c = Sample(key);
  c.groups[1].editions.push_back(Id("eeeeeeee-0000-4000-8000-0000000000ff"));
  Status s = ValidateCatalog(c);
  EXPECT_EQ(s.code(), ResultCode::kInvalidData);
  EXPECT_NE(s.message().find("Suite Servers"), std::string::npos) << s.message();
  c = Sample(key);
  c.editions[1].threshold = 0;
  EXPECT_NE(ValidateCatalog(c).message().find("threshold"), std::string::npos);
}

TEST(CatalogTest, GarbageIsRefusedWithAClearError) {
  EXPECT_EQ(LoadCatalog("not json").status().code(), ResultCode::kInvalidData);
  EXPECT_EQ(LoadCatalog("{}").status().code(), ResultCode::kInvalidData);
  EXPECT_EQ(LoadCatalog("{\"activa_catalog\": 2}").status().code(),
            ResultCode::kUnsupportedVersion);
}

}  // namespace
}  // namespace activa
