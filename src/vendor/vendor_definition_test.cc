#include "vendor/vendor_definition.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

TEST(VendorDefinitionTest, TemplateParsesIntoAWorkingCatalog) {
  std::string text = VendorDefinitionTemplate("Example \"Quoted\" Co");
  Result<Catalog> c = ParseVendorDefinition(text, "vendor.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->vendor_name, "Example \"Quoted\" Co");
  ASSERT_EQ(c->editions.size(), 2u);
  EXPECT_EQ(c->editions[0].threshold, 25);
  EXPECT_EQ(c->editions[0].kind, EditionKind::kClient);
  EXPECT_EQ(c->editions[1].threshold, 5);
  EXPECT_EQ(c->editions[1].kind, EditionKind::kServer);
  ASSERT_EQ(c->groups.size(), 1u);
  EXPECT_TRUE(c->GroupCovers(c->groups[0].code, c->editions[0].id));
  EXPECT_TRUE(c->GroupCovers(c->groups[0].code, c->editions[1].id));
  // Two templates get different IDs.
  Result<Catalog> d = ParseVendorDefinition(VendorDefinitionTemplate("X"), "vendor.toml");
  EXPECT_NE(c->vendor_id, d->vendor_id);
}

// Keys name an edition by a 12-bit code of its ID: a template whose two
// random IDs shared a code would make a catalog that cannot be signed (once
// in 4,096 templates before the template drew the second ID again).
TEST(VendorDefinitionTest, TemplateEditionsNeverShareAKeyCode) {
  for (int i = 0; i < 20000; ++i) {
    Result<Catalog> c = ParseVendorDefinition(VendorDefinitionTemplate("X"), "vendor.toml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_NE(c->editions[0].code, c->editions[1].code) << "template " << i;
  }
}

constexpr char kBase[] = R"(
[vendor]
id = "11111111-2222-4333-8444-555555555555"
name = "Example"

[[application]]
id = "aaaaaaaa-0000-4000-8000-000000000001"
name = "Suite"

[[edition]]
id = "eeeeeeee-0000-4000-8000-000000000001"
application = "Suite"
name = "Pro"
kind = "client"
threshold = 10
code = 77

[[group]]
id = "99999999-0000-4000-8000-000000000001"
name = "Volume"
editions = ["Pro"]
)";

TEST(VendorDefinitionTest, ExplicitThresholdAndCode) {
  Result<Catalog> c = ParseVendorDefinition(kBase, "vendor.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->editions[0].threshold, 10);
  EXPECT_EQ(c->editions[0].code, 77);
}

void ExpectError(std::string text, std::string_view needle) {
  Result<Catalog> c = ParseVendorDefinition(text, "vendor.toml");
  ASSERT_FALSE(c.ok()) << "accepted: " << text;
  EXPECT_EQ(c.status().code(), ResultCode::kInvalidData);
  EXPECT_NE(c.status().message().find(needle), std::string::npos) << c.status().message();
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  s.replace(s.find(from), from.size(), to);
  return s;
}

TEST(VendorDefinitionTest, ErrorsNameTheKeyAndLine) {
  ExpectError(Replace(kBase, "threshold = 10", "treshold = 10"),
              "vendor.toml:15: edition #1: unknown key \"treshold\"");
  ExpectError(Replace(kBase, "kind = \"client\"", "kind = \"desktop\""), "\"kind\" must be");
  ExpectError(Replace(kBase, "threshold = 10", "threshold = 0"), "\"threshold\" must be 1 to 1000");
  ExpectError(Replace(kBase, "application = \"Suite\"", "application = \"Other\""),
              "no [[application]] is named \"Other\"");
  ExpectError(Replace(kBase, "editions = [\"Pro\"]", "editions = [\"Home\"]"),
              "no [[edition]] is named \"Home\"");
  ExpectError(Replace(kBase, "id = \"11111111-2222-4333-8444-555555555555\"", "id = \"x\""),
              "not a UUID");
  ExpectError(Replace(kBase, "[vendor]", "[vendor]\nname2 = 1"), "unknown key \"name2\"");
  ExpectError(Replace(kBase, "[vendor]", "[vendors]"), "unknown key \"vendors\"");
  ExpectError("[vendor\n", "vendor.toml:1:");
}

}  // namespace
}  // namespace activa
