// What libactiva believes of a `status` reply: each test breaks one thing of
// a reply whose proof is good.
#include "capi/license_check.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "cert/host_certificate.h"
#include "keys/activation_codes.h"
#include "offline/mak_activation.h"
#include "protocol/codec.h"

namespace activa::capi {
namespace {

constexpr std::int64_t kNow = 1795000000;
constexpr std::int64_t kDay = 86400;

Uuid Id(const char* text) { return *ParseUuid(text); }

class LicenseCheckTest : public ::testing::Test {
 protected:
  LicenseCheckTest()
      : vendor_(SigningKey::FromSeed(Bytes(32, 1))), host_(SigningKey::FromSeed(Bytes(32, 2))) {
    InitCrypto();
    catalog_.vendor_name = "Example";
    catalog_.vendor_keys = {vendor_.public_key()};
    catalog_.applications = {{app_, "Suite"}};
    catalog_.editions = {{sku_, app_, "Pro", EditionKind::kClient, 25, 1, ""}};
    catalog_.groups = {{Id("99999999-0000-4000-8000-000000000001"), "Clients", 10, {sku_}}};
    catalog_text_ = *SignCatalog(catalog_, vendor_);
    cert_.host_public_key = host_.public_key();
    cert_.group_codes = {10};
    cert_.issued = kNow - kDay;
    cert_.not_after = kNow + 365 * kDay;
    SignCertificate(cert_, vendor_);
  }

  ActivationResponse Response() const {
    ActivationResponse r;
    r.cmid = cmid_;
    r.nonce.fill(0x5a);
    r.sku_id = sku_;
    r.current_count = 25;
    r.required_count = 25;
    r.activation_interval_minutes = 120;
    r.renewal_interval_minutes = 10080;
    r.host_time = kNow;
    r.validity_end = kNow + 180 * kDay;
    r.host_certificate = EncodeCertificate(cert_);
    SignResponse(r, host_);
    return r;
  }

  // activad's word: licensed, 180 days, with `frame` as the proof.
  LicenseStatus Licensed(const Bytes& frame) const {
    LicenseStatus s;
    s.state = 1;
    s.minutes_left = 180 * 1440;
    s.cmid = cmid_;
    s.proof = management::ActivationProof{frame, catalog_text_, {}, {}};
    return s;
  }

  LicenseStatus Judge(LicenseStatus s, std::int64_t now = kNow) const {
    JudgeStatus(s, vendor_.public_key(), app_, sku_, now);
    return s;
  }

  SigningKey vendor_, host_;
  Uuid app_ = Id("aaaaaaaa-0000-4000-8000-000000000001");
  Uuid sku_ = Id("eeeeeeee-0000-4000-8000-000000000001");
  Uuid cmid_ = Id("c0000000-0000-4000-8000-000000000001");
  Catalog catalog_;
  std::string catalog_text_;
  HostCertificate cert_;
};

TEST_F(LicenseCheckTest, GoodProofIsLicensedWithTheSignedDaysByOurClock) {
  LicenseStatus s = Judge(Licensed(EncodeResponse(Response())), kNow + 10 * kDay);
  EXPECT_EQ(s.verification, ResultCode::kOk) << s.verification_text;
  EXPECT_EQ(s.state, 1);
  EXPECT_EQ(s.minutes_left, 170u * 1440);  // not activad's 180 days
}

TEST_F(LicenseCheckTest, ClockSetBackGainsNothing) {
  // Within the skew: counted from the host's time, not the earlier clock.
  LicenseStatus s = Judge(Licensed(EncodeResponse(Response())), kNow - 3600);
  EXPECT_EQ(s.verification, ResultCode::kOk) << s.verification_text;
  EXPECT_EQ(s.minutes_left, 180u * 1440);
  // Beyond it: the proof is from the future.
  s = Judge(Licensed(EncodeResponse(Response())), kNow - 5 * 3600);
  EXPECT_EQ(s.verification, ResultCode::kClockSkew);
  EXPECT_EQ(s.state, 0);
}

TEST_F(LicenseCheckTest, ExpiredProofIsNotLicensed) {
  LicenseStatus s = Judge(Licensed(EncodeResponse(Response())), kNow + 181 * kDay);
  EXPECT_EQ(s.verification, ResultCode::kProofExpired);
  EXPECT_EQ(s.state, 0);
  EXPECT_EQ(s.minutes_left, 0u);
}

TEST_F(LicenseCheckTest, NoProofIsNotLicensed) {
  LicenseStatus s = Licensed({});
  s.proof.reset();
  s = Judge(s);
  EXPECT_EQ(s.verification, ResultCode::kProofMissing);
  EXPECT_EQ(s.state, 0);
  EXPECT_EQ(s.minutes_left, 0u);
}

TEST_F(LicenseCheckTest, ProofOfAnotherMachineIsNotLicensed) {
  LicenseStatus s = Licensed(EncodeResponse(Response()));
  s.cmid = Id("c0000000-0000-4000-8000-000000000002");
  s = Judge(s);
  EXPECT_EQ(s.verification, ResultCode::kOtherMachine);
  EXPECT_EQ(s.state, 0);
}

TEST_F(LicenseCheckTest, AlteredProofIsNotLicensed) {
  Bytes frame = EncodeResponse(Response());
  // The validity end's low byte, inside the signed body: any flipped bit in
  // it must fail the signature, not decode.
  ActivationResponse longer = Response();
  longer.validity_end += 1;
  Bytes altered = EncodeResponse(longer);
  altered.resize(altered.size() - 64);  // keep the old signature
  altered.insert(altered.end(), frame.end() - 64, frame.end());
  EXPECT_EQ(Judge(Licensed(altered)).verification, ResultCode::kBadSignature);
  // A frame cut short does not decode.
  Bytes cut(frame.begin(), frame.end() - 1);
  EXPECT_EQ(Judge(Licensed(cut)).verification, ResultCode::kInvalidData);
}

TEST_F(LicenseCheckTest, CatalogOfAnotherKeyIsNotBelieved) {
  // A vendor of its own making: a catalog and a host it "activated", all
  // consistent, signed by a key the product does not hold.
  SigningKey rogue = SigningKey::FromSeed(Bytes(32, 9));
  Catalog forged = catalog_;
  forged.vendor_keys = {rogue.public_key()};
  LicenseStatus s = Licensed(EncodeResponse(Response()));
  s.proof->catalog = *SignCatalog(forged, rogue);
  s = Judge(s);
  EXPECT_EQ(s.verification, ResultCode::kBadSignature);
  EXPECT_EQ(s.state, 0);
}

TEST_F(LicenseCheckTest, HostTheVendorNeverCertifiedIsNotBelieved) {
  SigningKey rogue = SigningKey::FromSeed(Bytes(32, 9));
  SignCertificate(cert_, rogue);
  EXPECT_EQ(Judge(Licensed(EncodeResponse(Response()))).verification, ResultCode::kBadSignature);
}

TEST_F(LicenseCheckTest, AnotherProductsEditionIsNotBelieved) {
  LicenseStatus s = Licensed(EncodeResponse(Response()));
  JudgeStatus(s, vendor_.public_key(), Id("aaaaaaaa-0000-4000-8000-000000000009"), sku_, kNow);
  EXPECT_EQ(s.verification, ResultCode::kEditionNotCovered);
  EXPECT_EQ(s.state, 0);
}

TEST_F(LicenseCheckTest, GraceIsActivadsWordAndSaysSo) {
  LicenseStatus s;
  s.state = 2;
  s.minutes_left = 43200;
  s = Judge(s);
  EXPECT_EQ(s.verification, ResultCode::kGraceUnverified);
  EXPECT_EQ(s.state, 2);
  EXPECT_EQ(s.minutes_left, 43200u);
  s.state = 5;
  s.minutes_left = 0;
  EXPECT_EQ(Judge(s).verification, ResultCode::kOk);
}

}  // namespace
}  // namespace activa::capi

namespace activa::capi {
namespace {

// A MAK activation as the proof: the vendor's signature over this machine
// and this edition, which never expires.
class MakLicenseCheckTest : public ::testing::Test {
 protected:
  MakLicenseCheckTest() : vendor_(SigningKey::FromSeed(Bytes(32, 1))) {
    InitCrypto();
    catalog_.vendor_id = Id("11111111-0000-4000-8000-000000000001");
    catalog_.vendor_name = "Example";
    catalog_.vendor_keys = {vendor_.public_key()};
    catalog_.applications = {{app_, "Suite"}};
    catalog_.editions = {{pro_, app_, "Pro", EditionKind::kClient, 25, 1, ""},
                         {home_, app_, "Home", EditionKind::kClient, 25, 2, ""}};
    catalog_.groups = {{Id("99999999-0000-4000-8000-000000000001"), "Clients", 10, {pro_}}};
    catalog_text_ = *SignCatalog(catalog_, vendor_);
  }

  // The installation ID of machine `cmid` with a MAK of edition code `code`.
  InstallationId Iid(const Uuid& cmid, std::uint16_t code = 1) const {
    InstallationId iid;
    iid.machine_tag = MachineTagOf(cmid);
    iid.host_public_key = machine_.public_key();
    iid.host_key = {KeyKind::kMak, catalog_.vendor_tag(), code, 7, 0x12345678};
    return iid;
  }

  // activad's word: licensed, with the MAK activation of `iid` for
  // `edition` signed by `signer` as the proof, on machine cmid_.
  LicenseStatus Licensed(const InstallationId& iid, const Uuid& edition,
                         const SigningKey& signer) const {
    LicenseStatus s;
    s.state = 1;
    s.minutes_left = 0;
    s.cmid = cmid_;
    ConfirmationId cid = IssueMakActivation(iid, catalog_.vendor_id, edition, signer, kNow);
    s.proof = management::ActivationProof{
        {}, catalog_text_, FormatInstallationId(iid), FormatConfirmationId(cid)};
    return s;
  }

  LicenseStatus Judge(LicenseStatus s, const Uuid& sku, std::int64_t now = kNow) const {
    JudgeStatus(s, vendor_.public_key(), app_, sku, now);
    return s;
  }

  SigningKey vendor_;
  SigningKey machine_ = SigningKey::FromSeed(Bytes(32, 3));
  Uuid app_ = Id("aaaaaaaa-0000-4000-8000-000000000001");
  Uuid pro_ = Id("eeeeeeee-0000-4000-8000-000000000001");
  Uuid home_ = Id("eeeeeeee-0000-4000-8000-000000000002");
  Uuid cmid_ = Id("c0000000-0000-4000-8000-000000000001");
  Catalog catalog_;
  std::string catalog_text_;
};

TEST_F(MakLicenseCheckTest, GoodMakActivationIsLicensedForGood) {
  // Ten years on, still licensed: a MAK activation does not expire.
  LicenseStatus s = Judge(Licensed(Iid(cmid_), pro_, vendor_), pro_, kNow + 3650 * kDay);
  EXPECT_EQ(s.verification, ResultCode::kOk) << s.verification_text;
  EXPECT_EQ(s.state, 1);
  EXPECT_EQ(s.minutes_left, 0u);
}

TEST_F(MakLicenseCheckTest, ForgedMakActivationIsRefused) {
  SigningKey forger = SigningKey::FromSeed(Bytes(32, 9));
  LicenseStatus s = Judge(Licensed(Iid(cmid_), pro_, forger), pro_);
  EXPECT_EQ(s.verification, ResultCode::kBadSignature) << s.verification_text;
  EXPECT_EQ(s.state, 0);
  // One flipped bit of a genuine signature.
  LicenseStatus altered = Licensed(Iid(cmid_), pro_, vendor_);
  Result<ConfirmationId> cid = ParseConfirmationId(altered.proof->confirmation_id);
  cid->signature[0] ^= 0x80;
  altered.proof->confirmation_id = FormatConfirmationId(*cid);
  s = Judge(altered, pro_);
  EXPECT_EQ(s.verification, ResultCode::kBadSignature) << s.verification_text;
  EXPECT_EQ(s.state, 0);
}

TEST_F(MakLicenseCheckTest, AnotherMachinesMakActivationIsRefused) {
  // Copied from machine c...02: its tag is not this CMID's.
  LicenseStatus s =
      Judge(Licensed(Iid(Id("c0000000-0000-4000-8000-000000000002")), pro_, vendor_), pro_);
  EXPECT_EQ(s.verification, ResultCode::kOtherMachine) << s.verification_text;
  EXPECT_EQ(s.state, 0);
}

TEST_F(MakLicenseCheckTest, AnotherEditionsMakActivationIsRefused) {
  // A genuine Home activation does not license Pro.
  LicenseStatus s = Judge(Licensed(Iid(cmid_, 2), home_, vendor_), pro_);
  EXPECT_EQ(s.verification, ResultCode::kEditionNotCovered) << s.verification_text;
  EXPECT_EQ(s.state, 0);
  // Nor a record signed for Home over a Pro MAK.
  s = Judge(Licensed(Iid(cmid_, 1), home_, vendor_), pro_);
  EXPECT_EQ(s.verification, ResultCode::kBadSignature) << s.verification_text;
  EXPECT_EQ(s.state, 0);
}

TEST_F(MakLicenseCheckTest, AnotherVendorsCatalogIsRefused) {
  LicenseStatus s = Licensed(Iid(cmid_), pro_, vendor_);
  JudgeStatus(s, SigningKey::FromSeed(Bytes(32, 8)).public_key(), app_, pro_, kNow);
  EXPECT_EQ(s.verification, ResultCode::kBadSignature) << s.verification_text;
  EXPECT_EQ(s.state, 0);
}

}  // namespace
}  // namespace activa::capi
