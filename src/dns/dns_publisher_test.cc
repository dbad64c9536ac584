#include "dns/dns_publisher.h"

#include <gtest/gtest.h>

#include "dns/fake_dns_publisher.h"

namespace activa::dns {
namespace {

TEST(ParseTsigKeyTest, ReadsAllThreeParts) {
  auto key = ParseTsigKey("activa-host:HMAC-SHA256:c2VjcmV0c2VjcmV0");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->name, "activa-host");
  EXPECT_EQ(key->algorithm, "hmac-sha256");
  EXPECT_EQ(key->secret_base64, "c2VjcmV0c2VjcmV0");
  for (std::string_view alg : kTsigAlgorithms) {
    EXPECT_TRUE(ParseTsigKey("k:" + std::string(alg) + ":c2VjcmV0").ok()) << alg;
  }
  EXPECT_EQ(ParseTsigKey("k:hmac-md5.sig-alg.reg.int:c2VjcmV0")->algorithm, "hmac-md5");
}

TEST(ParseTsigKeyFileTest, OneLine) {
  auto key = ParseTsigKeyFile("  activa-host:hmac-sha256:c2VjcmV0c2VjcmV0\n");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->name, "activa-host");
  EXPECT_EQ(key->secret_base64, "c2VjcmV0c2VjcmV0");
  auto two = ParseTsigKeyFile("a:hmac-sha256:c2VjcmV0\nb:hmac-sha256:c2VjcmV0\n");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("one line"), std::string::npos);
}

TEST(ParseTsigKeyFileTest, BindKeyStatementAsTsigKeygenWritesIt) {
  auto key = ParseTsigKeyFile(
      "key \"activa-host\" {\n"
      "\talgorithm hmac-sha256;\n"
      "\tsecret \"5aYfq3vXWz0P1bFq9Gk3cQbR2m1y6tIuN0a7sXxvE0w=\";\n"
      "};\n");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->name, "activa-host");
  EXPECT_EQ(key->algorithm, "hmac-sha256");
  EXPECT_EQ(key->secret_base64, "5aYfq3vXWz0P1bFq9Gk3cQbR2m1y6tIuN0a7sXxvE0w=");
  // Comments, another order, an unquoted name, all on one line.
  key = ParseTsigKeyFile(
      "# made by tsig-keygen\n// for activad\n/* two\nlines */ key k.example. "
      "{ secret \"c2VjcmV0\"; algorithm HMAC-SHA512; };");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->name, "k.example");
  EXPECT_EQ(key->algorithm, "hmac-sha512");
}

TEST(ParseTsigKeyFileTest, BindErrorsNeverQuoteTheFile) {
  const std::string secret = "c2VjcmV0c2VjcmV0";
  for (const std::string& text : std::vector<std::string>{
           "key \"k\" { algorithm hmac-sha256; secret \"" + secret + "\"; }",  // no ';'
           "key \"k\" { algorithm hmac-sha256; secret \"" + secret + "; };",   // open string
           "key \"k\" { secret \"" + secret + "\"; };",                        // no algorithm
           std::string("key \"k\" { algorithm hmac-sha256; };"),               // no secret
           "key \"k\" { algorithm hmac-sha256; secret " + secret + " x; };",   // junk
           "key \"k\" { algorithm hmac-sha256; secret \"" + secret +
               "\"; };\n"
               "key \"l\" { algorithm hmac-sha256; secret \"" +
               secret + "\"; };",               // two keys
           "/* " + secret + " key \"k\" { };",  // open comment
       }) {
    auto key = ParseTsigKeyFile(text);
    ASSERT_FALSE(key.ok()) << text;
    EXPECT_EQ(key.status().code(), ResultCode::kInvalidArgument);
    EXPECT_EQ(key.status().message().find(secret), std::string::npos) << key.status().message();
  }
  auto bad_secret = ParseTsigKeyFile("key k { algorithm hmac-sha256; secret \"not base64!\"; };");
  ASSERT_FALSE(bad_secret.ok());
  EXPECT_NE(bad_secret.status().message().find("the secret of key \"k\" is not base64"),
            std::string::npos);
}

TEST(ParseTsigKeyTest, ErrorsNameThePartButNotTheSecret) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c :
       {Case{"k:hmac-sha256", "keyname:algorithm"},
        Case{"k:hmac-sha256:c2Vj:x", "keyname:algorithm"},
        Case{":hmac-sha256:c2VjcmV0", "name is empty"},
        Case{"k y:hmac-sha256:c2VjcmV0", "character"},
        Case{"k:hmac-sha999:c2VjcmV0", "unknown algorithm"},
        Case{"k:hmac-sha256:not*base64!", "not base64"}, Case{"k:hmac-sha256:", "not base64"}}) {
    auto key = ParseTsigKey(c.text);
    ASSERT_FALSE(key.ok()) << c.text;
    EXPECT_EQ(key.status().code(), ResultCode::kInvalidArgument);
    EXPECT_NE(key.status().message().find(c.says), std::string::npos) << key.status().message();
    EXPECT_EQ(key.status().message().find("not*base64"), std::string::npos);
  }
}

TEST(FakeDnsPublisherTest, ReplacesOnlyOwnRecord) {
  FakeDnsPublisher fake;
  SrvRegistration a;
  a.target = "kms1.corp.example";
  SrvRegistration b;
  b.target = "kms2.corp.example";
  PublishTarget t;
  t.domain = "corp.example";
  ASSERT_TRUE(fake.Publish(t, a).ok());
  ASSERT_TRUE(fake.Publish(t, b).ok());
  t.priority = 5;
  ASSERT_TRUE(fake.Publish(t, a).ok());
  const auto& records = fake.records("_activa._tcp.corp.example");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], (SrvRecord{0, 0, 1688, "kms2.corp.example"}));
  EXPECT_EQ(records[1], (SrvRecord{5, 0, 1688, "kms1.corp.example"}));
  ASSERT_TRUE(fake.Withdraw(t, b).ok());
  EXPECT_EQ(fake.records("_activa._tcp.corp.example").size(), 1u);
  fake.SetError("corp.example", Status(ResultCode::kDnsUpdateFailed, "REFUSED"));
  EXPECT_EQ(fake.Publish(t, a).code(), ResultCode::kDnsUpdateFailed);
}

}  // namespace
}  // namespace activa::dns
