#include "capi/status_message.h"

#include <string>

#include "gtest/gtest.h"

namespace activa::capi {
namespace {

std::string WithProduct(const std::string& product) {
  return R"({"result":0,"message":"ok","product":)" + product + "}";
}

TEST(StatusMessageTest, RequestLineIsOneLowerCaseJsonLine) {
  Uuid app{}, sku{};
  app[0] = 0xAB;
  sku[15] = 0x01;
  EXPECT_EQ(R"({"op":"status","application_id":"ab000000-0000-0000-0000-000000000000",)"
            R"("sku_id":"00000000-0000-0000-0000-000000000001"})",
            StatusRequestLine(app, sku));
}

TEST(StatusMessageTest, ParsesTheDocumentedProduct) {
  Result<LicenseStatus> s = ParseStatusReply(
      WithProduct(R"({"license_status":3,"minutes_left":4294967295,"last_result":3221549128,)"
                  R"("last_result_text":"count","name":"Suite","grace_end":1795000000})"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(3, s->state);
  EXPECT_EQ(4294967295u, s->minutes_left);
  EXPECT_EQ(0xC004F048u, s->last_result);
  EXPECT_EQ("count", s->last_result_text);
  EXPECT_EQ("Suite", s->name);
}

TEST(StatusMessageTest, PassesTheDaemonsFailureThrough) {
  Result<LicenseStatus> s = ParseStatusReply(R"({"result":2147942405,"message":"admins only"})");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(ResultCode::kAccessDenied, s.status().code());
  EXPECT_EQ("admins only", s.status().message());
  // A code this build does not know still reaches the caller.
  s = ParseStatusReply(R"({"result":3232497919})");
  EXPECT_EQ(0xC0AC00FFu, static_cast<std::uint32_t>(s.status().code()));
}

TEST(StatusMessageTest, RefusesWhatIsNotTheDocumentedShape) {
  const char* bad[] = {
      "",
      "{",
      "null",
      R"({"result":0})",
      R"({"result":-1})",
      R"({"result":4294967296})",
      R"({"result":0.0,"product":{}})",
      R"({"result":"0"})",
      R"({"result":0,"product":[]})",
      R"({"result":0,"product":{"license_status":1,"minutes_left":0}})",
      R"({"result":0,"product":{"license_status":7,"minutes_left":0,"last_result":0}})",
      R"({"result":0,"product":{"license_status":1,"minutes_left":-5,"last_result":0}})",
      R"({"result":0,"product":{"license_status":1,"minutes_left":1.5,"last_result":0}})",
      R"({"result":0,"product":{"license_status":1,"minutes_left":0,"last_result":0,"name":1}})",
      R"({"result":0,"product":{"license_status":1,"minutes_left":0,"last_result":0,)"
      R"("last_result_text":[]}})",
      "{\"result\":0,\"message\":\"\xff\"}",  // not UTF-8
      R"({"result":0} trailing)",
  };
  for (const char* line : bad) {
    Result<LicenseStatus> s = ParseStatusReply(line);
    ASSERT_FALSE(s.ok()) << line;
    EXPECT_EQ(ResultCode::kInvalidData, s.status().code()) << line;
  }
  EXPECT_EQ(ResultCode::kInvalidData,
            ParseStatusReply(std::string(kMaxLineBytes + 1, ' ')).status().code());
}

}  // namespace
}  // namespace activa::capi
