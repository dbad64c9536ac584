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
