#include "host/request_handler.h"

#include <gtest/gtest.h>

#include "base/time_text.h"
#include "protocol/chain.h"

namespace activa {
namespace {

constexpr std::int64_t kNow = 1795000000;

Uuid Id(const char* text) { return *ParseUuid(text); }

class RequestHandlerTest : public ::testing::Test {
 protected:
  RequestHandlerTest()
      : vendor_(SigningKey::FromSeed(Bytes(32, 1))), host_key_(SigningKey::FromSeed(Bytes(32, 2))) {
    catalog_.vendor_name = "Example";
    catalog_.vendor_keys = {vendor_.public_key()};
    catalog_.applications = {{Id("aaaaaaaa-0000-4000-8000-000000000001"), "Suite"}};
    catalog_.editions = {
        {sku_, catalog_.applications[0].id, "Pro", EditionKind::kClient, 2, 1, ""}};
    catalog_.groups = {{Id("99999999-0000-4000-8000-000000000001"), "Clients", 10, {sku_}}};
    cert_.host_public_key = host_key_.public_key();
    cert_.group_codes = {10};
    cert_.issued = kNow - 86400;
    cert_.not_after = kNow + 365 * 86400;
    SignCertificate(cert_, vendor_);
    cert_bytes_ = EncodeCertificate(cert_);
    host_.catalog = &catalog_;
    host_.certificate = &cert_;
    host_.certificate_bytes = cert_bytes_;
    host_.signing_key = &host_key_;
  }

  ActivationRequest Request(int machine) const {
    ActivationRequest r;
    r.cmid = Id("c0000000-0000-4000-8000-000000000001");
    r.cmid[15] = static_cast<std::uint8_t>(machine);
    r.application_id = catalog_.applications[0].id;
    r.sku_id = sku_;
    r.machine_name = "pc" + std::to_string(machine);
    r.license_state = LicenseState::kInitialGrace;
    r.required_count = 2;  // the edition's threshold
    r.client_time = kNow;
    r.nonce.fill(static_cast<std::uint8_t>(machine));
    return r;
  }

  ResultCode ResultOf(const Bytes& frame) const {
    Result<Message> m = DecodeFrame(frame);
    EXPECT_TRUE(m.ok());
    if (const auto* r = std::get_if<ActivationResponse>(&*m)) return r->result;
    return std::get<ErrorMessage>(*m).result;
  }

  SigningKey vendor_, host_key_;
  Uuid sku_ = Id("eeeeeeee-0000-4000-8000-000000000001");
  Catalog catalog_;
  HostCertificate cert_;
  Bytes cert_bytes_;
  HostContext host_;
  RequestHandler handler_{ClientCounter::HashKey{}};
};

// The 12290 sentence as the host built it on the event loop before the
// event's fields were stored as columns, copied from that code unchanged:
// what is rendered when an event is read must be this, byte for byte.
std::string OldEventMessage(const RequestHandler::Admission& a, ResultCode result,
                            std::uint32_t current_count) {
  const ActivationRequest& request = a.request;
  std::string message =
      "An activation request has been processed. Result: " + FormatResultCode(result) +
      "; count: " + std::to_string(current_count) +
      "; required count: " + std::to_string(request.required_count) +
      (a.known_edition ? "; threshold: " + std::to_string(a.threshold) : std::string()) +
      "; client: " + request.machine_name + "; CMID: " + FormatUuid(request.cmid) +
      "; edition: " + a.edition_name + "; client time: " + FormatUtcTime(request.client_time) +
      "; license state: " + std::to_string(static_cast<int>(request.license_state)) +
      "; minutes to expiry: " + std::to_string(request.minutes_left) +
      "; virtual machine: " + (request.is_virtual_machine ? "yes" : "no");
  if (result == ResultCode::kThresholdMismatch) {
    message += ". The request's required count " + std::to_string(request.required_count) +
               " does not match the edition's threshold " + std::to_string(a.threshold) +
               " in this host's catalog: the client holds another catalog, or the request was "
               "altered on its way";
  }
  return message;
}

TEST_F(RequestHandlerTest, EventRendersAsTheOldSentence) {
  std::vector<ActivationRequest> requests;
  requests.push_back(Request(1));  // count insufficient
  requests.push_back(Request(2));  // licensed: the threshold is reached
  ActivationRequest vm = Request(3);
  vm.is_virtual_machine = true;
  vm.license_state = LicenseState::kLicensed;
  vm.minutes_left = 43200;
  vm.client_time = kNow - 3600;
  vm.machine_name = "Build-Server; 7";
  requests.push_back(vm);
  ActivationRequest mismatch = Request(4);
  mismatch.required_count = 1;
  requests.push_back(mismatch);
  ActivationRequest unknown = Request(5);
  unknown.sku_id = Id("eeeeeeee-0000-4000-8000-0000000000ff");  // not in the catalog
  requests.push_back(unknown);
  std::vector<ResultCode> seen;
  for (const ActivationRequest& r : requests) {
    RequestHandler::Admission a = handler_.Admit(r, kNow, host_);
    RequestHandler::Answer answer = handler_.Respond(a, host_);
    ASSERT_TRUE(answer.event.request.has_value());
    EXPECT_TRUE(answer.event.message.empty());  // rendered when read, not here
    EXPECT_EQ(answer.event.time, kNow);
    EXPECT_EQ(answer.event.event_id, kEventHostRequest);
    EXPECT_EQ(EventText(answer.event), OldEventMessage(a, answer.result, answer.count));
    seen.push_back(answer.result);
  }
  // The cases above are the ones meant: each branch of the sentence.
  EXPECT_EQ(seen, (std::vector<ResultCode>{ResultCode::kCountInsufficient, ResultCode::kOk,
                                           ResultCode::kOk, ResultCode::kThresholdMismatch,
                                           ResultCode::kEditionNotCovered}));
}

TEST_F(RequestHandlerTest, AdmitCountsNothingUntilRespond) {
  RequestHandler::Admission a = handler_.Admit(Request(1), kNow, host_);
  EXPECT_TRUE(a.known_edition);
  EXPECT_TRUE(a.covered);
  EXPECT_EQ(a.record->cmid, Request(1).cmid);
  EXPECT_EQ(a.record->application_id, catalog_.applications[0].id);
  EXPECT_EQ(handler_.Count(a.application, kNow), 0u);
  RequestHandler::Answer answer = handler_.Respond(a, host_);
  EXPECT_EQ(answer.count, 1u);
  EXPECT_EQ(answer.result, ResultCode::kCountInsufficient);
  EXPECT_EQ(handler_.Count(a.application, kNow), 1u);
  EXPECT_EQ(handler_.stats().total, 1u);
  EXPECT_EQ(answer.event.event_id, kEventHostRequest);
}

// The fault the two steps exist for: the commit of a request fails. Nothing
// counts it, so the next machine is not licensed on the strength of a record
// that was lost; once the first machine's write succeeds on its retry, it
// counts and both are licensed.
TEST_F(RequestHandlerTest, FailedCommitCountsNothing) {
  RequestHandler::Admission first = handler_.Admit(Request(1), kNow, host_);
  Bytes failed = RequestHandler::CommitFailed(Status(ResultCode::kStorage, "disk full"));
  EXPECT_EQ(ResultOf(failed), ResultCode::kStorage);
  // (No Respond(): the caller answers with `failed`.)
  RequestHandler::Admission second = handler_.Admit(Request(2), kNow, host_);
  RequestHandler::Answer a2 = handler_.Respond(second, host_);
  EXPECT_EQ(a2.count, 1u);
  EXPECT_EQ(ResultOf(a2.frame), ResultCode::kCountInsufficient);
  // The first machine asks again and its record is written this time.
  RequestHandler::Answer a1 = handler_.Respond(handler_.Admit(Request(1), kNow, host_), host_);
  EXPECT_EQ(a1.count, 2u);
  EXPECT_EQ(ResultOf(a1.frame), ResultCode::kOk);
}

// Once it holds a list that withdraws it, a host answers nobody, enough
// clients or not, with an unsigned kKeyRevoked.
TEST_F(RequestHandlerTest, ARevokedHostStopsAnswering) {
  handler_.Respond(handler_.Admit(Request(1), kNow, host_), host_);
  host_.revoked = true;
  RequestHandler::Answer a = handler_.Respond(handler_.Admit(Request(2), kNow, host_), host_);
  EXPECT_EQ(a.result, ResultCode::kKeyRevoked);
  Result<Message> m = DecodeFrame(a.frame);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(std::holds_alternative<ErrorMessage>(*m));
  EXPECT_EQ(std::get<ErrorMessage>(*m).result, ResultCode::kKeyRevoked);
}

TEST_F(RequestHandlerTest, SignedAnswerVerifies) {
  handler_.Respond(handler_.Admit(Request(1), kNow, host_), host_);
  ActivationRequest req = Request(2);
  RequestHandler::Answer a = handler_.Respond(handler_.Admit(req, kNow, host_), host_);
  Result<Message> m = DecodeFrame(a.frame);
  ASSERT_TRUE(m.ok());
  const auto& resp = std::get<ActivationResponse>(*m);
  EXPECT_EQ(resp.result, ResultCode::kOk);
  EXPECT_TRUE(VerifyResponseChain(resp, req, catalog_, kNow).ok());
}

// The attack: a client (or a proxy rewriting one byte) says "required 1" for
// an edition whose threshold in the host's catalog is 2. With the count at 1
// the host used to answer "licensed"; it decides from its catalog instead.
TEST_F(RequestHandlerTest, RequiredCountOtherThanTheCatalogsThresholdIsRefused) {
  ActivationRequest rewritten = Request(1);
  rewritten.required_count = 1;
  RequestHandler::Admission a = handler_.Admit(rewritten, kNow, host_);
  EXPECT_EQ(a.threshold, 2u);
  RequestHandler::Answer answer = handler_.Respond(a, host_);
  EXPECT_EQ(answer.count, 1u);  // it still counts, as every request does
  EXPECT_EQ(answer.result, ResultCode::kThresholdMismatch);
  EXPECT_EQ(ResultOf(answer.frame), ResultCode::kThresholdMismatch);
  EXPECT_EQ(handler_.stats().failed, 1u);
  const std::string text = EventText(answer.event);
  EXPECT_NE(text.find("required count: 1; threshold: 2"), std::string::npos) << text;
  EXPECT_NE(text.find("does not match the edition's threshold 2"), std::string::npos) << text;

  // Once the count reaches the threshold, the rewritten request is still
  // refused, and an honest one is licensed.
  handler_.Respond(handler_.Admit(Request(2), kNow, host_), host_);
  rewritten.nonce.fill(0x77);
  EXPECT_EQ(handler_.Respond(handler_.Admit(rewritten, kNow, host_), host_).result,
            ResultCode::kThresholdMismatch);
  EXPECT_EQ(handler_.Respond(handler_.Admit(Request(1), kNow, host_), host_).result,
            ResultCode::kOk);
}

TEST_F(RequestHandlerTest, NotActivatedAnswersUnsignedError) {
  host_.certificate = nullptr;
  RequestHandler::Answer a = handler_.Respond(handler_.Admit(Request(1), kNow, host_), host_);
  EXPECT_EQ(ResultOf(a.frame), ResultCode::kHostNotActivated);
  EXPECT_EQ(a.result, ResultCode::kHostNotActivated);
}

TEST_F(RequestHandlerTest, UnknownEditionIsNotCounted) {
  ActivationRequest r = Request(1);
  r.sku_id = Id("eeeeeeee-0000-4000-8000-0000000000ff");
  RequestHandler::Admission a = handler_.Admit(r, kNow, host_);
  EXPECT_FALSE(a.known_edition);
  RequestHandler::Answer answer = handler_.Respond(a, host_);
  EXPECT_EQ(answer.count, 0u);
  EXPECT_EQ(answer.result, ResultCode::kEditionNotCovered);
  EXPECT_EQ(handler_.tracked(), 0u);
}

// A made-up edition (and with it a made-up application) gets no record to
// store: the host keeps clients only of editions its own catalog knows.
TEST_F(RequestHandlerTest, UnknownEditionHasNoRecordToStore) {
  for (int i = 0; i < 300; ++i) {
    ActivationRequest r = Request(i % 250);
    r.sku_id[15] = static_cast<std::uint8_t>(i);
    r.sku_id[14] = 0xee;
    r.application_id[15] = static_cast<std::uint8_t>(i);
    RequestHandler::Admission a = handler_.Admit(r, kNow, host_);
    EXPECT_FALSE(a.record.has_value());
    EXPECT_FALSE(handler_.Knows(a));
    EXPECT_EQ(handler_.Respond(a, host_).result, ResultCode::kEditionNotCovered);
  }
  EXPECT_EQ(handler_.tracked(), 0u);
  // A known edition still gets its record, and is known once answered.
  RequestHandler::Admission a = handler_.Admit(Request(1), kNow, host_);
  ASSERT_TRUE(a.record.has_value());
  EXPECT_FALSE(handler_.Knows(a));
  handler_.Respond(a, host_);
  EXPECT_TRUE(handler_.Knows(a));
}

}  // namespace
}  // namespace activa
