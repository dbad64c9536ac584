#include "management/codec.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "management/operations.h"

namespace activa::management {
namespace {

namespace json = boost::json;

Uuid Id(std::uint8_t n) {
  Uuid id{};
  id[0] = n;
  id[15] = n;
  return id;
}

// One filled-in value of every request alternative.
std::vector<Request> EveryRequest() {
  ProductSelector one{Id(1), false};
  ProductSelector all{std::nullopt, true};
  return {DliRequest{},
          DliRequest{all},
          DlvRequest{one},
          XprRequest{},
          DlcRequest{},
          DlcRequest{1000, Id(5), std::nullopt, std::nullopt},
          StatusRequest{Id(2), Id(3)},
          IpkRequest{"BCDFG-HJKMP-QRTVW-XY234-6789B"},
          UpkRequest{},
          UpkRequest{Id(4)},
          CpkyRequest{},
          AtoRequest{},
          AtoRequest{one},
          DtiRequest{},
          AtpRequest{"123-456", std::nullopt},
          IlcRequest{"{\"activa_revocations\":1}"},
          RearmRequest{},
          GeneralizeRequest{},
          SkmsRequest{"[::1]:1690"},
          CkmsRequest{},
          SkmsDomainRequest{"corp.example"},
          CkmsDomainRequest{},
          SkhcRequest{},
          CkhcRequest{},
          SaiRequest{60},
          SriRequest{43200},
          SprtRequest{1700},
          SdnsRequest{},
          CdnsRequest{},
          SpriRequest{},
          CpriRequest{},
          DleRequest{},
          DleRequest{12290, 1795000000, "pc1", ResultCode::kCountInsufficient, 20, 4711},
          TestAdvanceClockRequest{-86400}};
}

TEST(CodecTest, EveryRequestRoundTrips) {
  std::vector<bool> seen(std::variant_size_v<Request>, false);
  for (const Request& r : EveryRequest()) {
    seen[r.index()] = true;
    std::string line = EncodeRequest(r);
    Result<Request> back = DecodeRequest(line);
    ASSERT_TRUE(back.ok()) << line << ": " << back.status().ToString();
    EXPECT_EQ(*back, r) << line;
    EXPECT_EQ(EncodeRequest(*back), line);
  }
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_TRUE(seen[i]) << OperationName(Operation(i));
}

TEST(CodecTest, RequestsAreTodaysBytes) {
  EXPECT_EQ(EncodeRequest(DliRequest{}), R"({"op":"dli"})");
  EXPECT_EQ(EncodeRequest(DliRequest{{std::nullopt, true}}),
            R"({"op":"dli","activation_id":"all"})");
  EXPECT_EQ(EncodeRequest(SaiRequest{60}), R"({"op":"sai","minutes":60})");
  EXPECT_EQ(EncodeRequest(SkmsDomainRequest{"example.com"}),
            R"({"op":"skms_domain","domain":"example.com"})");
  EXPECT_EQ(EncodeRequest(IpkRequest{"A\"B"}), R"({"op":"ipk","key":"A\"B"})");
  Uuid app{}, sku{};
  app[0] = 0xAB;
  sku[15] = 0x01;
  EXPECT_EQ(EncodeRequest(StatusRequest{app, sku}),
            R"({"op":"status","application_id":"ab000000-0000-0000-0000-000000000000",)"
            R"("sku_id":"00000000-0000-0000-0000-000000000001"})");
}

TEST(CodecTest, DleResultIsANumberOrHex) {
  Result<Request> r = DecodeRequest(R"({"op":"dle","result":"0xC004F038"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(std::get<DleRequest>(*r).result, ResultCode::kCountInsufficient);
  r = DecodeRequest(R"({"op":"dle","result":3221549112})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<DleRequest>(*r).result, ResultCode::kCountInsufficient);
  for (const char* bad : {R"("0xZZ")", R"("0x")", "-1", "4294967296", R"("C004F038")"}) {
    r = DecodeRequest(std::string(R"({"op":"dle","result":)") + bad + "}");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ResultCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("\"result\""), std::string::npos) << bad;
  }
}

TEST(CodecTest, DlcPageSizeIsChecked) {
  Result<Request> r = DecodeRequest(R"({"op":"dlc","first":"7"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<DlcRequest>(*r).first, 7u);
  for (const char* bad : {R"({"op":"dlc","first":0})", R"({"op":"dlc","first":1001})",
                          R"({"op":"dlc","first":-1})", R"({"op":"dlc","after":"pc1"})"}) {
    Result<Request> refused = DecodeRequest(bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), ResultCode::kInvalidArgument) << bad;
  }
}

TEST(CodecTest, NumbersMayComeAsDecimalStrings) {
  Result<Request> r = DecodeRequest(R"({"op":"sprt","port":"1700"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<SprtRequest>(*r).port, 1700);
  r = DecodeRequest(R"({"op":"dli","activation_id":"All"})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::get<DliRequest>(*r).products.all);
  r = DecodeRequest(R"({"op":"upk","activation_id":""})");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(std::get<UpkRequest>(*r).activation_id.has_value());
}

TEST(CodecTest, StrictRequestErrors) {
  struct Case {
    const char* line;
    ResultCode code;
    const char* names;
  };
  const Case cases[] = {
      {"", ResultCode::kInvalidData, "not a JSON object"},
      {"[1]", ResultCode::kInvalidData, "not a JSON object"},
      {R"({"op":5})", ResultCode::kInvalidData, "\"op\""},
      {R"({"key":"x"})", ResultCode::kInvalidData, "\"op\""},
      {R"({"op":"nope"})", ResultCode::kInvalidArgument, "unknown operation \"nope\""},
      {R"({"op":"DLI"})", ResultCode::kInvalidArgument, "unknown operation \"DLI\""},
      {R"({"op":"ipk"})", ResultCode::kInvalidArgument, "\"key\""},
      {R"({"op":"ipk","key":5})", ResultCode::kInvalidArgument, "\"key\" must be a string"},
      {R"({"op":"dli","bogus":1})", ResultCode::kInvalidArgument, "\"bogus\""},
      {R"({"op":"dli","activation_id":"x"})", ResultCode::kInvalidArgument, "\"activation_id\""},
      {R"({"op":"status","application_id":"x","sku_id":"y"})", ResultCode::kInvalidArgument,
       "\"application_id\""},
      {R"({"op":"status","application_id":"00000000-0000-0000-0000-000000000001"})",
       ResultCode::kInvalidArgument, "\"sku_id\""},
      {R"({"op":"sai","minutes":14})", ResultCode::kInvalidArgument, "15..43200"},
      {R"({"op":"sai","minutes":"60x"})", ResultCode::kInvalidArgument, "\"minutes\""},
      {R"({"op":"sai","minutes":60.0})", ResultCode::kInvalidArgument, "\"minutes\""},
      {R"({"op":"sprt","port":0})", ResultCode::kInvalidArgument, "1 to 65535"},
      {R"({"op":"sprt","port":70000})", ResultCode::kInvalidArgument, "1 to 65535"},
      {R"({"op":"test_advance_clock","seconds":"1e3"})", ResultCode::kInvalidArgument,
       "\"seconds\""},
      {R"({"op":"dli"} trailing)", ResultCode::kInvalidData, "not a JSON object"},
  };
  for (const Case& c : cases) {
    Result<Request> r = DecodeRequest(c.line);
    ASSERT_FALSE(r.ok()) << c.line;
    EXPECT_EQ(r.status().code(), c.code) << c.line;
    EXPECT_NE(r.status().message().find(c.names), std::string::npos)
        << c.line << ": " << r.status().message();
  }
}

Product FullProduct() {
  Product p;
  p.activation_id = Id(1);
  p.application_id = Id(2);
  p.application = "Example Suite";
  p.name = "Example Suite Professional";
  p.vendor = "Example Software";
  p.kind = "client";
  p.key_kind = "setup";
  p.partial_product_key = "X44CK";
  p.license_status = 2;
  p.license_status_text = "Initial grace period";
  p.minutes_left = 43200;
  p.grace_end = 1795000000;
  p.rearms_left = 3;
  p.last_result = ResultCode::kNoHostReachable;
  p.last_result_text = "No activation host could be contacted.";
  p.next_attempt = 1792400000;
  p.required_count = 25;
  p.activation_interval = 120;
  p.renewal_interval = 10080;
  p.kms.configured = "kms.example:1688";
  p.kms.address = "10.0.0.5";
  p.kms.from_dns = true;
  p.kms.host_caching = false;
  return p;
}

Host FullHost() {
  Host h;
  h.activated = true;
  h.vendor = "Example Software";
  h.group = "Example Suite Volume";
  h.group_id = Id(7);
  h.partial_product_key = "JVFD3";
  h.host_id = Id(8);
  h.counts = {{Id(2), "Example Suite", 73, 50, {}, {}}};
  h.listening = {"0.0.0.0:1688", "[::]:1688"};
  h.dns_publishing = true;
  h.dns = {{"corp.example", ResultCode::kDnsUpdateFailed, "refused", 1795000000, true}};
  h.priority = Priority::kLow;
  h.activation_interval = 120;
  h.renewal_interval = 10080;
  h.requests = {40, 24, 1, 2, 3, 4, 5, 6};
  return h;
}

template <typename T>
void ExpectRoundTrip(Operation op, const T& payload) {
  std::string line = EncodeResponse(Response(ResponsePayload(payload)));
  Result<T> back = DecodeResponseAs<T>(line);
  ASSERT_TRUE(back.ok()) << line << ": " << back.status().ToString();
  EXPECT_EQ(*back, payload) << line;
  Result<ResponsePayload> generic = DecodeResponse(op, line);
  ASSERT_TRUE(generic.ok()) << line;
  EXPECT_EQ(EncodeResponse(generic), line);
}

TEST(CodecTest, EveryResponseRoundTrips) {
  LicenseInfo dli;
  dli.machine = {"pc1", Id(3), Id(4), true};
  dli.products = {FullProduct(), Product{}};
  dli.host = FullHost();
  ExpectRoundTrip(Operation::kDli, dli);
  dli.host.reset();
  dli.machine.previous_cmid.reset();
  ExpectRoundTrip(Operation::kDlv, dli);
  Host unknown_group = FullHost();
  unknown_group.group_id.reset();
  ExpectRoundTrip(Operation::kAtp, AtpResponse{unknown_group, std::nullopt});
  Host unreachable = FullHost();
  unreachable.clearinghouse_unreachable =
      ClearinghouseProblem{1795000000, "0xC0AC0040: connection refused"};
  ExpectRoundTrip(Operation::kAtp, AtpResponse{unreachable, std::nullopt});
  ExpectRoundTrip(Operation::kAtp, AtpResponse{});
  ExpectRoundTrip(
      Operation::kDlc,
      DlcResponse{{{Id(1), "pc1", Id(2), Id(3), "Pro", 1795000000, 2, true, 3}}, Id(1), 7});
  ExpectRoundTrip(Operation::kDlc, DlcResponse{{}, std::nullopt, 0});
  ExpectRoundTrip(Operation::kStatus, StatusResponse{FullProduct(), Id(4), std::nullopt});
  ExpectRoundTrip(
      Operation::kStatus,
      StatusResponse{
          FullProduct(), Id(4),
          ActivationProof{
              {0x41, 0x43, 0x54, 0x56, 0x00, 0xff}, R"({"activa_catalog": 1})", {}, {}}});
  ExpectRoundTrip(Operation::kIpk, IpkResponse{"host", "Example Suite Volume", true});
  ExpectRoundTrip(Operation::kUpk, UpkResponse{"host key"});
  ExpectRoundTrip(Operation::kAto, AtoResponse{Status::Ok(), {FullProduct()}, {}});
  ExpectRoundTrip(
      Operation::kAto,
      AtoResponse{Status(ResultCode::kCountInsufficient, "below"), {FullProduct()}, {}});
  ExpectRoundTrip(Operation::kDti, DtiResponse{"123456-234567"});
  ExpectRoundTrip(Operation::kRearm, RearmResponse{2});
  ExpectRoundTrip(Operation::kGeneralize, GeneralizeResponse{Id(5), Id(6)});
  ExpectRoundTrip(Operation::kTestAdvanceClock, TestAdvanceClockResponse{1795000000});
  ExpectRoundTrip(Operation::kSai, Empty{});
}

TEST(CodecTest, ErrorsCarryCodeCauseAndTheCodesText) {
  Status denied(ResultCode::kAccessDenied, "no");
  EXPECT_EQ(EncodeError(denied),
            R"({"result":2147942405,"message":"no",)"
            R"("result_text":"Access denied: this operation needs an administrator."})");
  EXPECT_EQ(EncodeResponse(Response(denied)), EncodeError(denied));
  EXPECT_EQ(EncodeResponse(Response(ResponsePayload(Empty{}))), R"({"result":0,"message":"OK"})");
  Result<LicenseInfo> r = DecodeDliResponse(R"({"result":2147942405,"message":"no"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kAccessDenied);
  EXPECT_EQ(r.status().message(), "no");
  // An ato that failed before any attempt has no products: a plain error.
  Result<AtoResponse> ato = DecodeResponseAs<AtoResponse>(R"({"result":3221549172})");
  ASSERT_FALSE(ato.ok());
  EXPECT_EQ(ato.status().code(), ResultCode::kNoHostReachable);
}

TEST(CodecTest, MalformedResponses) {
  for (const char* bad :
       {"", "not json", "[1,2]", R"({"message": "no result"})", R"({"result": -1})",
        R"({"result": 4294967296})", R"({"result": "0"})", R"({"result": 0.0})",
        R"({"result":0,"message":5})", "{\"result\":0,\"message\":\"\xff\"}"}) {
    Result<LicenseInfo> r = DecodeDliResponse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ResultCode::kInvalidData) << bad;
  }
  Result<LicenseInfo> r = DecodeDliResponse(R"({"result":0,"products":5})");
  EXPECT_NE(r.status().message().find("\"products\""), std::string::npos);
  EXPECT_NE(
      DecodeResponseAs<DtiResponse>(R"({"result":0})").status().message().find("installation_id"),
      std::string::npos);
  // A wrong type inside a product: an error when strict, the default when not.
  const char* odd = R"({"result":0,"products":[{"name":5,"license_status":"x","kms":1}]})";
  r = DecodeDliResponse(odd);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"products[0].name\""), std::string::npos)
      << r.status().message();
  r = DecodeDliResponse(odd, FieldCheck::kTolerant);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->products.at(0).name, "");
  // status needs what a product acts on.
  EXPECT_EQ(DecodeStatusResponse(R"({"result":0,"product":{"license_status":1,"minutes_left":0}})")
                .status()
                .code(),
            ResultCode::kInvalidData);
}

TEST(CodecTest, ResponseHeadReserializes) {
  Result<ResponseHead> h = DecodeResponseHead(R"({"result": 0, "message": "ok", "products": []})");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->json, R"({"result":0,"message":"ok","products":[]})");
}

}  // namespace
}  // namespace activa::management
