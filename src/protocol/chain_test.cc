#include "protocol/chain.h"

#include <gtest/gtest.h>

#include <limits>

namespace activa {
namespace {

constexpr std::int64_t kNow = 1795000000;

Uuid Id(const char* text) { return *ParseUuid(text); }

// A vendor, a host it activated, a catalog, and a request/response pair that
// passes every check; each test breaks one thing.
class ChainTest : public ::testing::Test {
 protected:
  ChainTest()
      : vendor_(SigningKey::FromSeed(Bytes(32, 1))), host_(SigningKey::FromSeed(Bytes(32, 2))) {
    catalog_.vendor_name = "Example";
    catalog_.vendor_keys = {vendor_.public_key()};
    catalog_.applications = {{Id("aaaaaaaa-0000-4000-8000-000000000001"), "Suite"}};
    catalog_.editions = {
        {client_sku_, catalog_.applications[0].id, "Pro", EditionKind::kClient, 25, 1, ""},
        {server_sku_, catalog_.applications[0].id, "Server", EditionKind::kServer, 5, 2, ""}};
    catalog_.groups = {{Id("99999999-0000-4000-8000-000000000001"), "Clients", 10, {client_sku_}},
                       {Id("99999999-0000-4000-8000-000000000002"), "Servers", 20, {server_sku_}}};
    cert_.host_public_key = host_.public_key();
    cert_.group_codes = {10};
    cert_.issued = kNow - 86400;
    cert_.not_after = kNow + 365 * 86400;
    SignCertificate(cert_, vendor_);

    request_.cmid = Id("c0000000-0000-4000-8000-000000000001");
    request_.application_id = catalog_.applications[0].id;
    request_.sku_id = client_sku_;
    request_.machine_name = "pc1";
    request_.license_state = LicenseState::kInitialGrace;
    request_.required_count = 25;
    request_.client_time = kNow;
    request_.nonce.fill(0x5a);
  }

  ActivationResponse Response(const HostCertificate& cert, const SigningKey& signer) {
    ActivationResponse r;
    r.cmid = request_.cmid;
    r.nonce = request_.nonce;
    r.sku_id = request_.sku_id;
    r.current_count = 25;
    r.required_count = 25;  // the client edition's threshold
    r.activation_interval_minutes = 120;
    r.renewal_interval_minutes = 10080;
    r.host_time = kNow + 60;
    r.validity_end = r.host_time + 180 * 86400;
    r.host_certificate = EncodeCertificate(cert);
    SignResponse(r, signer);
    return r;
  }

  SigningKey vendor_, host_;
  Uuid client_sku_ = Id("eeeeeeee-0000-4000-8000-000000000001");
  Uuid server_sku_ = Id("eeeeeeee-0000-4000-8000-000000000002");
  Catalog catalog_;
  HostCertificate cert_;
  ActivationRequest request_;
};

TEST_F(ChainTest, GoodResponseVerifies) {
  Result<HostCertificate> c = VerifyResponseChain(Response(cert_, host_), request_, catalog_, kNow);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->host_public_key, host_.public_key());
}

TEST_F(ChainTest, ExpiredCertificateIsRefusedByTheClientsClock) {
  HostCertificate old = cert_;
  old.not_after = kNow - 1;
  SignCertificate(old, vendor_);
  EXPECT_EQ(VerifyResponseChain(Response(old, host_), request_, catalog_, kNow).status().code(),
            ResultCode::kCertificateExpired);
  // Its last second still counts.
  old.not_after = kNow;
  SignCertificate(old, vendor_);
  EXPECT_TRUE(VerifyResponseChain(Response(old, host_), request_, catalog_, kNow).ok());
}

TEST_F(ChainTest, AClientHoldingTheListRefusesARevokedHost) {
  ActivationResponse r = Response(cert_, host_);
  RevocationList list;
  list.serial = 2;
  EXPECT_TRUE(VerifyResponseChain(r, request_, catalog_, kNow, &list).ok());
  list.host_certificates = {host_.public_key()};
  EXPECT_EQ(VerifyResponseChain(r, request_, catalog_, kNow, &list).status().code(),
            ResultCode::kKeyRevoked);
  list.host_certificates.clear();
  list.host_keys = {cert_.host_key_id};
  EXPECT_EQ(VerifyResponseChain(r, request_, catalog_, kNow, &list).status().code(),
            ResultCode::kKeyRevoked);
}

TEST_F(ChainTest, CertificateNotSignedByTheVendorFails) {
  SigningKey rogue = SigningKey::FromSeed(Bytes(32, 9));
  HostCertificate forged = cert_;
  SignCertificate(forged, rogue);  // a self-made "vendor"
  EXPECT_EQ(VerifyResponseChain(Response(forged, host_), request_, catalog_, kNow).status().code(),
            ResultCode::kBadSignature);
  // The vendor's key ID with a rogue signature fails too.
  forged.vendor_key_id = vendor_.key_id();
  EXPECT_EQ(VerifyResponseChain(Response(forged, host_), request_, catalog_, kNow).status().code(),
            ResultCode::kBadSignature);
}

TEST_F(ChainTest, EditionOutsideTheCertificatesGroupsFails) {
  request_.sku_id = server_sku_;
  ActivationResponse r = Response(cert_, host_);
  EXPECT_EQ(VerifyResponseChain(r, request_, catalog_, kNow).status().code(),
            ResultCode::kEditionNotCovered);
}

TEST_F(ChainTest, AnotherNonceOrCmidFails) {
  ActivationResponse r = Response(cert_, host_);
  ActivationRequest other = request_;
  other.nonce[0] ^= 1;
  EXPECT_EQ(VerifyResponseChain(r, other, catalog_, kNow).status().code(),
            ResultCode::kBadSignature);
  other = request_;
  other.cmid[15] ^= 1;
  EXPECT_EQ(VerifyResponseChain(r, other, catalog_, kNow).status().code(),
            ResultCode::kBadSignature);
}

TEST_F(ChainTest, ResponseSignedByAnotherHostFails) {
  SigningKey other_host = SigningKey::FromSeed(Bytes(32, 3));
  EXPECT_EQ(
      VerifyResponseChain(Response(cert_, other_host), request_, catalog_, kNow).status().code(),
      ResultCode::kBadSignature);
}

TEST_F(ChainTest, AlteredFieldAfterSigningFails) {
  ActivationResponse r = Response(cert_, host_);
  r.current_count = 1000;
  EXPECT_EQ(VerifyResponseChain(r, request_, catalog_, kNow).status().code(),
            ResultCode::kBadSignature);
}

// A proxy that lowers the threshold the host names (to make a refusal at 1
// of 25 look like a grant at 1 of 1, say) breaks the signature.
TEST_F(ChainTest, AlteredRequiredCountFailsTheSignature) {
  ActivationResponse r = Response(cert_, host_);
  r.required_count = 1;
  EXPECT_EQ(VerifyResponseChain(r, request_, catalog_, kNow).status().code(),
            ResultCode::kBadSignature);
  // The same on the wire: one byte of the frame changed.
  Bytes frame = EncodeResponse(Response(cert_, host_));
  const std::size_t offset = kFrameHeaderSize + 56 + 1;  // low byte of required_count
  ASSERT_EQ(frame[offset], 25);
  frame[offset] = 1;
  Result<Message> m = DecodeFrame(frame);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(VerifyResponseChain(std::get<ActivationResponse>(*m), request_, catalog_, kNow)
                .status()
                .code(),
            ResultCode::kBadSignature);
}

// A genuinely signed response that applied another threshold than this
// machine's catalog gives the edition: a host with another catalog, or one
// that was made to count against a request's number. Not believed, even as
// a grant from a host the vendor certified.
TEST_F(ChainTest, ThresholdOtherThanTheCatalogsIsRefused) {
  for (std::uint16_t applied : {1, 24, 26, 1000}) {
    ActivationResponse r = Response(cert_, host_);
    r.required_count = applied;
    SignResponse(r, host_);
    Result<HostCertificate> c = VerifyResponseChain(r, request_, catalog_, kNow);
    EXPECT_EQ(c.status().code(), ResultCode::kThresholdMismatch) << applied;
    EXPECT_NE(c.status().message().find("threshold of " + std::to_string(applied)),
              std::string::npos)
        << c.status().message();
  }
  // The request asked for another number than the catalog gives (it was
  // built from another catalog): the host's answer to it is not believed
  // either, even when the host applied the catalog's threshold.
  ActivationRequest other = request_;
  other.required_count = 1;
  ActivationResponse r = Response(cert_, host_);
  EXPECT_EQ(VerifyResponseChain(r, other, catalog_, kNow).status().code(),
            ResultCode::kThresholdMismatch);
}

// "No threshold applied" (the host's catalog lacks the edition) is a
// refusal the client may believe; it can never come with a grant.
TEST_F(ChainTest, RefusalWithoutAThresholdVerifies) {
  ActivationResponse r = Response(cert_, host_);
  r.result = ResultCode::kEditionNotCovered;
  r.validity_end = 0;
  r.required_count = 0;
  SignResponse(r, host_);
  EXPECT_TRUE(VerifyResponseChain(r, request_, catalog_, kNow).ok());
}

// The host's refusal of a request whose required count was altered on the
// way: the response names the catalog's threshold, which the client
// believes, and its result says what happened.
TEST_F(ChainTest, HostsThresholdMismatchRefusalVerifies) {
  ActivationResponse r = Response(cert_, host_);
  r.result = ResultCode::kThresholdMismatch;
  r.validity_end = 0;
  SignResponse(r, host_);
  Result<HostCertificate> c = VerifyResponseChain(r, request_, catalog_, kNow);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
}

TEST_F(ChainTest, ClockMoreThanFourHoursOffFails) {
  ActivationResponse r = Response(cert_, host_);
  EXPECT_TRUE(VerifyResponseChain(r, request_, catalog_, kNow + 4 * 3600).ok());
  EXPECT_EQ(VerifyResponseChain(r, request_, catalog_, kNow + 5 * 3600).status().code(),
            ResultCode::kClockSkew);
}

TEST_F(ChainTest, ValidityBeyond180DaysFails) {
  ActivationResponse r = Response(cert_, host_);
  r.validity_end = r.host_time + 181 * 86400;
  SignResponse(r, host_);
  EXPECT_EQ(VerifyResponseChain(r, request_, catalog_, kNow).status().code(),
            ResultCode::kInvalidData);
}

TEST_F(ChainTest, ExtremeTimesAreRefusedWithoutOverflow) {
  ActivationResponse r = Response(cert_, host_);
  r.host_time = std::numeric_limits<std::int64_t>::min();
  SignResponse(r, host_);
  EXPECT_EQ(VerifyResponseChain(r, request_, catalog_, kNow).status().code(),
            ResultCode::kClockSkew);
  r = Response(cert_, host_);
  r.validity_end = std::numeric_limits<std::int64_t>::max();
  SignResponse(r, host_);
  EXPECT_EQ(VerifyResponseChain(r, request_, catalog_, kNow).status().code(),
            ResultCode::kInvalidData);
}

TEST_F(ChainTest, VerifiedRefusalStillVerifies) {
  ActivationResponse r = Response(cert_, host_);
  r.result = ResultCode::kCountInsufficient;
  r.validity_end = 0;
  SignResponse(r, host_);
  EXPECT_TRUE(VerifyResponseChain(r, request_, catalog_, kNow).ok());
}

}  // namespace
}  // namespace activa

namespace activa {
namespace {

// The product's check of a kept response: no request, a clock days later.
TEST_F(ChainTest, ProofVerifiesDaysLaterWithoutTheRequest) {
  ActivationResponse r = Response(cert_, host_);
  Result<HostCertificate> c =
      VerifyResponseProof(r, request_.cmid, client_sku_, catalog_, kNow + 30 * 86400);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  // The nonce is not the product's to check: any nonce of a signed response
  // will do, but only signed.
  r.nonce.fill(0x11);
  EXPECT_EQ(VerifyResponseProof(r, request_.cmid, client_sku_, catalog_, kNow).status().code(),
            ResultCode::kBadSignature);
}

TEST_F(ChainTest, ProofForAnotherMachineOrEditionFails) {
  ActivationResponse r = Response(cert_, host_);
  EXPECT_EQ(VerifyResponseProof(r, Id("c0000000-0000-4000-8000-000000000002"), client_sku_,
                                catalog_, kNow)
                .status()
                .code(),
            ResultCode::kOtherMachine);
  EXPECT_EQ(VerifyResponseProof(r, request_.cmid, server_sku_, catalog_, kNow).status().code(),
            ResultCode::kBadSignature);
}

TEST_F(ChainTest, ProofFromAnUncertifiedHostOrARefusalFails) {
  SigningKey rogue = SigningKey::FromSeed(Bytes(32, 9));
  HostCertificate forged = cert_;
  SignCertificate(forged, rogue);
  EXPECT_EQ(VerifyResponseProof(Response(forged, host_), request_.cmid, client_sku_, catalog_, kNow)
                .status()
                .code(),
            ResultCode::kBadSignature);
  ActivationResponse refusal = Response(cert_, host_);
  refusal.result = ResultCode::kCountInsufficient;
  refusal.validity_end = 0;
  SignResponse(refusal, host_);
  EXPECT_EQ(
      VerifyResponseProof(refusal, request_.cmid, client_sku_, catalog_, kNow).status().code(),
      ResultCode::kNotFound);
}

TEST_F(ChainTest, ProofFromTheFutureFails) {
  ActivationResponse r = Response(cert_, host_);
  EXPECT_EQ(
      VerifyResponseProof(r, request_.cmid, client_sku_, catalog_, kNow - 5 * 3600).status().code(),
      ResultCode::kClockSkew);
}

}  // namespace
}  // namespace activa
