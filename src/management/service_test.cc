#include "management/service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "management/codec.h"
#include "management/operations.h"

namespace activa::management {
namespace {

// Answers every operation with an empty success and counts the calls.
class CountingService : public Service {
 public:
  int calls = 0;
  std::function<void(Result<AtoResponse>)> pending_ato;

  Result<LicenseInfo> Dli(const DliRequest&) override { return Count(LicenseInfo{}); }
  Result<LicenseInfo> Dlv(const DlvRequest&) override { return Count(LicenseInfo{}); }
  Result<LicenseInfo> Xpr(const XprRequest&) override { return Count(LicenseInfo{}); }
  Result<DlcResponse> Dlc(const DlcRequest&) override { return Count(DlcResponse{}); }
  Result<StatusResponse> ProductStatus(const StatusRequest&) override {
    return Count(StatusResponse{});
  }
  Result<IpkResponse> Ipk(const IpkRequest&) override { return Count(IpkResponse{}); }
  Result<UpkResponse> Upk(const UpkRequest&) override { return Count(UpkResponse{}); }
  Result<Empty> Cpky(const CpkyRequest&) override { return Count(Empty{}); }
  void Ato(const AtoRequest&, std::function<void(Result<AtoResponse>)> done) override {
    ++calls;
    pending_ato = std::move(done);
  }
  Result<DtiResponse> Dti(const DtiRequest&) override { return Count(DtiResponse{"1-2"}); }
  Result<AtpResponse> Atp(const AtpRequest&) override { return Count(AtpResponse{}); }
  Result<IlcResponse> Ilc(const IlcRequest&) override { return Count(IlcResponse{}); }
  Result<RearmResponse> Rearm(const RearmRequest&) override { return Count(RearmResponse{}); }
  Result<GeneralizeResponse> Generalize(const GeneralizeRequest&) override {
    return Count(GeneralizeResponse{});
  }
  Result<Empty> Skms(const SkmsRequest&) override { return Count(Empty{}); }
  Result<Empty> Ckms(const CkmsRequest&) override { return Count(Empty{}); }
  Result<Empty> SkmsDomain(const SkmsDomainRequest&) override { return Count(Empty{}); }
  Result<Empty> CkmsDomain(const CkmsDomainRequest&) override { return Count(Empty{}); }
  Result<Empty> Skhc(const SkhcRequest&) override { return Count(Empty{}); }
  Result<Empty> Ckhc(const CkhcRequest&) override { return Count(Empty{}); }
  Result<Empty> Sai(const SaiRequest&) override { return Count(Empty{}); }
  Result<Empty> Sri(const SriRequest&) override { return Count(Empty{}); }
  Result<Empty> Sprt(const SprtRequest&) override { return Count(Empty{}); }
  Result<Empty> Sdns(const SdnsRequest&) override { return Count(Empty{}); }
  Result<Empty> Cdns(const CdnsRequest&) override { return Count(Empty{}); }
  Result<Empty> Spri(const SpriRequest&) override { return Count(Empty{}); }
  Result<Empty> Cpri(const CpriRequest&) override { return Count(Empty{}); }
  Result<DleResponse> Dle(const DleRequest&) override { return Count(DleResponse{}); }

 private:
  template <typename T>
  Result<T> Count(T value) {
    ++calls;
    return value;
  }
};

// The request of `spec` with its required arguments filled in.
std::string LineFor(const OperationSpec& spec) {
  boost::json::object o{{"op", spec.name}};
  for (const ArgumentSpec& a : spec.arguments()) {
    if (!a.required) continue;
    switch (a.kind) {
      case ArgumentKind::kUuid:
        o[a.name] = "00000000-0000-0000-0000-000000000001";
        break;
      case ArgumentKind::kMinutes:
        o[a.name] = 60;
        break;
      case ArgumentKind::kPort:
        o[a.name] = 1700;
        break;
      case ArgumentKind::kSeconds:
        o[a.name] = 5;
        break;
      default:
        o[a.name] = "x";
        break;
    }
  }
  return boost::json::serialize(o);
}

Peer AdminPeer() {
  Peer p;
  p.admin = true;
  return p;
}

std::uint32_t ResultOf(const std::string& line) {
  return static_cast<std::uint32_t>(
      boost::json::parse(line).at("result").to_number<std::uint64_t>());
}

TEST(ServiceTest, NonAdminIsRefusedEveryChange) {
  CountingService service;
  Peer user;
  user.uid = 1000;
  int read_only = 0;
  for (const OperationSpec& spec : Operations()) {
    std::string answer = service.HandleLine(LineFor(spec), user);
    if (!spec.admin_only) {
      ++read_only;
      EXPECT_EQ(ResultOf(answer), 0u) << spec.name;
      continue;
    }
    boost::json::object o = boost::json::parse(answer).as_object();
    EXPECT_EQ(ResultOf(answer), 0x80070005u) << spec.name;
    EXPECT_EQ(std::string(o.at("message").as_string()),
              "access denied: /" + std::string(spec.name) +
                  " changes this machine; run it as root or as a member of the group "
                  "activa-admin");
  }
  EXPECT_EQ(read_only, 6);  // dli, dlv, xpr, dlc, status, dle
  EXPECT_EQ(service.calls, 6);
}

TEST(ServiceTest, AdminReachesEveryMethod) {
  CountingService service;
  const Peer root = AdminPeer();
  for (const OperationSpec& spec : Operations()) {
    if (spec.operation == Operation::kAto) continue;
    std::string answer = service.HandleLine(LineFor(spec), root);
    std::uint32_t want = spec.operation == Operation::kTestAdvanceClock ? 0x80070057u : 0u;
    EXPECT_EQ(ResultOf(answer), want) << spec.name << ": " << answer;
  }
  EXPECT_EQ(service.calls, static_cast<int>(Operations().size()) - 2);
}

TEST(ServiceTest, AtoCompletesLater) {
  CountingService service;
  std::string answer = "not yet";
  service.HandleLine(R"({"op":"ato"})", AdminPeer(), [&](std::string a) { answer = std::move(a); });
  EXPECT_EQ(answer, "not yet");
  ASSERT_TRUE(service.pending_ato);
  service.pending_ato(AtoResponse{Status(ResultCode::kCountInsufficient, ""), {}, {}});
  EXPECT_EQ(ResultOf(answer), 0xC004F038u);
  EXPECT_NE(answer.find("\"products\":[]"), std::string::npos);
  // The synchronous form cannot wait for it.
  EXPECT_EQ(service.HandleLine(R"({"op":"ato"})", AdminPeer()), "");
}

TEST(ServiceTest, DecodeFailureIsAnErrorLine) {
  CountingService service;
  EXPECT_EQ(
      service.HandleLine("nonsense", AdminPeer()),
      R"({"result":2147942413,"message":"the request is not a JSON object","result_text":"The data is malformed."})");
  EXPECT_EQ(
      service.HandleLine(R"({"op":"nope"})", AdminPeer()),
      R"({"result":2147942487,"message":"unknown operation \"nope\"","result_text":"A parameter is incorrect."})");
  EXPECT_EQ(service.calls, 0);
}

TEST(ServiceTest, TableNamesAndTexts) {
  EXPECT_EQ(FindOperation("skms_domain")->operation, Operation::kSkmsDomain);
  EXPECT_EQ(FindOperation("skms-domain"), nullptr);
  EXPECT_EQ(OperationName(Operation::kTestAdvanceClock), "test_advance_clock");
  EXPECT_EQ(LicenseStatusText(3),
            "Additional grace period (KMS license expired or hardware out of tolerance)");
  EXPECT_EQ(LicenseStatusText(7), "");
}

}  // namespace
}  // namespace activa::management
