#include "clearinghouse/api_request.h"

#include <gtest/gtest.h>

#include "crypto/signing.h"
#include "keys/product_key.h"

namespace activa {
namespace {

std::string Iid(KeyKind kind) {
  InstallationId iid;
  iid.machine_tag.fill(7);
  iid.host_public_key = SigningKey::FromSeed(Bytes(32, 7)).public_key();
  Bytes secret(32, 1);
  iid.host_key = *MintProductKey(secret, kind, 0x1234, 5, 42);
  return FormatInstallationId(iid);
}

std::string Body(const std::string& iid) { return "{\"installation_id\":\"" + iid + "\"}"; }

TEST(ApiRequestTest, ActivationCarriesTheParsedInstallationId) {
  ParsedApiRequest p = ParseApiRequest("POST", "/v1/activations", Body(Iid(KeyKind::kHost)));
  ASSERT_TRUE(p.request) << p.error.message;
  EXPECT_EQ(p.request->route, ApiRoute::kActivate);
  EXPECT_EQ(p.request->installation_id.host_key.serial, 42u);
  EXPECT_TRUE(ParseApiRequest("POST", "/v1/activations", Body(Iid(KeyKind::kMak))).request);
  EXPECT_TRUE(ParseApiRequest("POST", "/v1/renewals", Body(Iid(KeyKind::kHost))).request);
  EXPECT_TRUE(ParseApiRequest("GET", "/v1/revocations", "").request);
  EXPECT_TRUE(ParseApiRequest("GET", "/metrics", "").request);
}

TEST(ApiRequestTest, EachBadInputGetsItsStatusAndNamesTheField) {
  struct Case {
    std::string method, target, body;
    int status;
    ResultCode code;
    std::string field;
  };
  const std::string host = Iid(KeyKind::kHost);
  const Case cases[] = {
      {"POST", "/v1/activations", "{", 400, ResultCode::kInvalidData, ""},
      {"POST", "/v1/activations", "[1]", 400, ResultCode::kInvalidData, ""},
      {"POST", "/v1/activations", "{}", 400, ResultCode::kInvalidArgument, "installation_id"},
      {"POST", "/v1/activations", R"({"installation_id": 5})", 400, ResultCode::kInvalidArgument,
       "installation_id"},
      {"POST", "/v1/activations", R"({"installation_id": "12-34"})", 400, ResultCode::kInvalidData,
       "installation_id"},
      {"POST", "/v1/activations", "{\"installation_id\":\"" + host + "\",\"extra\":1}", 400,
       ResultCode::kInvalidArgument, "extra"},
      {"POST", "/v1/activations", Body(Iid(KeyKind::kSetup)), 400, ResultCode::kWrongKeyKind,
       "installation_id"},
      {"POST", "/v1/renewals", Body(Iid(KeyKind::kMak)), 400, ResultCode::kWrongKeyKind,
       "installation_id"},
      {"GET", "/v1/activations", "", 405, ResultCode::kInvalidArgument, ""},
      {"POST", "/v1/revocations", "", 405, ResultCode::kInvalidArgument, ""},
      {"GET", "/v2/anything", "", 404, ResultCode::kNotFound, ""},
      {"GET", "/v1/revocations?x=1", "", 404, ResultCode::kNotFound, ""},
      {"POST", "/v1/activations", std::string(kMaxApiBodyBytes + 1, ' '), 413,
       ResultCode::kRequestTooLarge, ""},
  };
  for (const Case& c : cases) {
    ParsedApiRequest p = ParseApiRequest(c.method, c.target, c.body);
    ASSERT_FALSE(p.request) << c.method << " " << c.target << " " << c.body.substr(0, 60);
    EXPECT_EQ(p.error.http_status, c.status) << c.body.substr(0, 60);
    EXPECT_EQ(p.error.code, c.code) << c.body.substr(0, 60) << ": " << p.error.message;
    EXPECT_EQ(p.error.field, c.field) << c.body.substr(0, 60);
    EXPECT_FALSE(p.error.message.empty());
  }
  EXPECT_EQ(ParseApiRequest("GET", "/v1/renewals", "").error.allow, "POST");
}

TEST(ApiRequestTest, ErrorJsonHasTheFieldOnlyWhenOneIsAtFault) {
  ApiError e;
  e.code = ResultCode::kKeyOverLimit;
  e.message = "over";
  EXPECT_EQ(ApiErrorJson(e), R"({"error":{"code":"0xC004C008","message":"over"}})");
  e.field = "installation_id";
  EXPECT_EQ(ApiErrorJson(e),
            R"({"error":{"code":"0xC004C008","message":"over","field":"installation_id"}})");
}

TEST(ApiRequestTest, RefusalsMapToClientStatusesNever500) {
  EXPECT_EQ(HttpStatusForRefusal(ResultCode::kKeyOverLimit), 403);
  EXPECT_EQ(HttpStatusForRefusal(ResultCode::kKeyRevoked), 403);
  EXPECT_EQ(HttpStatusForRefusal(ResultCode::kInvalidKey), 403);
  EXPECT_EQ(HttpStatusForRefusal(ResultCode::kNotFound), 403);
  EXPECT_EQ(HttpStatusForRefusal(ResultCode::kWrongKeyKind), 400);
  EXPECT_EQ(HttpStatusForRefusal(ResultCode::kInvalidData), 400);
  EXPECT_EQ(HttpStatusForRefusal(ResultCode::kStorage), 503);
}

}  // namespace
}  // namespace activa
