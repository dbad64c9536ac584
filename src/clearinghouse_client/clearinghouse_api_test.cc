#include "clearinghouse_client/clearinghouse_api.h"

#include <gtest/gtest.h>

namespace activa::clearinghouse {
namespace {

TEST(ClearinghouseUrlTest, TakesHttpsHostAndPort) {
  Result<HostAddress> a = ParseClearinghouseUrl("https://activation.example.com", "x");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(*a, (HostAddress{"activation.example.com", 443}));
  a = ParseClearinghouseUrl("HTTPS://[::1]:8443/", "x");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(*a, (HostAddress{"::1", 8443}));
}

TEST(ClearinghouseUrlTest, RefusesWhatItWouldNotUseNamingTheSetting) {
  for (const char* bad :
       {"http://a.example", "https://", "https://a.example/v1", "https://user:pw@a.example",
        "a.example:443", "https://a.example:99999"}) {
    Result<HostAddress> a = ParseClearinghouseUrl(bad, "[client] clearinghouse");
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.status().code(), ResultCode::kInvalidArgument);
    EXPECT_NE(a.status().message().find("[client] clearinghouse"), std::string::npos);
  }
}

TEST(ProxyTest, ConfiguredWinsOverTheEnvironment) {
  auto p = ChooseProxy("http://proxy.corp:3128", "http://other:8080", "", "ch.example");
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ(**p, (HostAddress{"proxy.corp", 3128}));
  p = ChooseProxy("", "http://other:8080/", "", "ch.example");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(**p, (HostAddress{"other", 8080}));
  p = ChooseProxy("", "other", "", "ch.example");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(**p, (HostAddress{"other", 1080}));
  p = ChooseProxy("", "", "", "ch.example");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->has_value());
}

TEST(ProxyTest, NoProxyMatchesHostsAndTheirSubdomains) {
  for (const char* list : {"*", "ch.example", ".example", "x.org, example ,y", "CH.EXAMPLE"}) {
    auto p = ChooseProxy("http://proxy:3128", "", list, "ch.example");
    ASSERT_TRUE(p.ok());
    EXPECT_FALSE(p->has_value()) << list;
  }
  for (const char* list : {"", "h.example", "xample", "other.example"}) {
    auto p = ChooseProxy("http://proxy:3128", "", list, "ch.example");
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->has_value()) << list;
  }
  auto p = ChooseProxy("", "http://proxy:3128", "127.0.0.1", "127.0.0.1");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->has_value());
}

TEST(ProxyTest, RefusesCredentialsAndOtherSchemes) {
  auto p = ChooseProxy("http://u:p@proxy:3128", "", "", "h");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("[client] proxy"), std::string::npos);
  p = ChooseProxy("", "socks5://proxy:1080", "", "h");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("https_proxy"), std::string::npos);
}

TEST(PinTest, IsSha256AndLowerCaseHex) {
  const std::string hex(64, 'a');
  EXPECT_TRUE(IsValidPin("sha256:" + hex));
  EXPECT_FALSE(IsValidPin("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(IsValidPin("sha256:" + hex.substr(1)));
  EXPECT_FALSE(IsValidPin("sha1:" + hex));
}

TEST(BodiesTest, RequestAndAnswers) {
  EXPECT_EQ(InstallationRequestBody("ABC-123"), R"({"installation_id":"ABC-123"})");
  Result<ActivationAnswer> a = ParseActivationAnswer(
      R"({"confirmation_id":"CID","kind":"host","issued_by":"a newer server"})");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->confirmation_id, "CID");
  EXPECT_EQ(a->kind, "host");
  for (const char* bad : {"", "[]", R"({"kind":"host"})", R"({"confirmation_id":"C","kind":"x"})",
                          R"({"confirmation_id":5,"kind":"host"})"}) {
    Result<ActivationAnswer> b = ParseActivationAnswer(bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.status().code(), ResultCode::kClearinghouseBadAnswer);
  }
  Result<std::string> r = ParseRenewalAnswer(R"({"confirmation_id":"CID2"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "CID2");
}

TEST(ErrorTest, CarriesTheServersCodeMessageAndWhere) {
  Status s = ErrorFromAnswer(
      403,
      R"({"error":{"code":"0xC004C008","message":"the key has activated 6 hosts","field":"installation_id"}})",
      "https://ch.example");
  EXPECT_EQ(s.code(), ResultCode::kKeyOverLimit);
  EXPECT_EQ(s.ToString(),
            "0xC004C008: the key has activated 6 hosts (field \"installation_id\") (from the "
            "clearinghouse at https://ch.example)");
}

TEST(ErrorTest, FallsBackOnTheHttpStatus) {
  EXPECT_EQ(ErrorFromAnswer(429, "slow down", "u").code(), ResultCode::kClearinghouseBusy);
  EXPECT_EQ(ErrorFromAnswer(429, R"({"error":{"code":"0xC004F050","message":"m"}})", "u").code(),
            ResultCode::kClearinghouseBusy);
  EXPECT_EQ(ErrorFromAnswer(503, "", "u").code(), ResultCode::kClearinghouseUnreachable);
  Status s = ErrorFromAnswer(404, "<html>", "https://h");
  EXPECT_EQ(s.code(), ResultCode::kClearinghouseBadAnswer);
  EXPECT_EQ(s.message(), "HTTP 404 (from the clearinghouse at https://h)");
  s = ErrorFromAnswer(403, R"({"error":{"code":"0xC0DE0001","message":"new"}})", "u");
  EXPECT_EQ(s.code(), ResultCode::kClearinghouseBadAnswer);
  EXPECT_NE(s.message().find("0xC0DE0001 new"), std::string::npos);
}

TEST(RetryAfterTest, SecondsClampedElseAMinute) {
  EXPECT_EQ(ParseRetryAfter("120"), 120);
  EXPECT_EQ(ParseRetryAfter(" 5 "), 5);
  EXPECT_EQ(ParseRetryAfter("0"), 1);
  EXPECT_EQ(ParseRetryAfter("9999999"), 86400);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), 60);
  EXPECT_EQ(ParseRetryAfter(""), 60);
}

}  // namespace
}  // namespace activa::clearinghouse
