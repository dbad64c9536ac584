#include "offline/offline_activation.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

Catalog CatalogFor(const SigningKey& vendor) {
  Catalog c;
  c.vendor_name = "Example";
  c.vendor_keys = {vendor.public_key()};
  return c;
}

InstallationId SampleIid(const SigningKey& host, KeyKind kind = KeyKind::kHost) {
  InstallationId iid;
  iid.machine_tag = {1, 2, 3, 4, 5, 6, 7, 8};
  iid.host_public_key = host.public_key();
  iid.host_key = {kind, 0x1234, 0x0abc, 42, 0xdeadbeef};
  return iid;
}

TEST(OfflineActivationTest, HostRebuildsTheVendorsCertificate) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey host = SigningKey::FromSeed(Bytes(32, 2));
  InstallationId iid = SampleIid(host);
  const std::int64_t now = 1795000000;  // some time on a day in 2026
  IssuedActivation issued = IssueHostActivation(iid, vendor, now, 30);
  EXPECT_EQ(issued.confirmation.issue_day, now / 86400);
  EXPECT_EQ(issued.confirmation.valid_days, 30);
  EXPECT_EQ(issued.certificate.not_after, (now / 86400 + 30) * 86400 - 1);

  // Through the text forms, as an administrator would carry them.
  Result<ConfirmationId> cid = ParseConfirmationId(FormatConfirmationId(issued.confirmation));
  ASSERT_TRUE(cid.ok()) << cid.status().ToString();
  Result<HostCertificate> cert = CertificateFromConfirmation(iid, *cid, CatalogFor(vendor));
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(EncodeCertificate(*cert), EncodeCertificate(issued.certificate));
  EXPECT_TRUE(cert->Covers(0x0abc));
  EXPECT_TRUE(VerifyCertificate(*cert, vendor.public_key()));
}

TEST(OfflineActivationTest, ConfirmationForAnotherHostIsRefused) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey host = SigningKey::FromSeed(Bytes(32, 2));
  SigningKey other_host = SigningKey::FromSeed(Bytes(32, 3));
  IssuedActivation issued =
      IssueHostActivation(SampleIid(other_host), vendor, 1795000000, kDefaultCertificateDays);
  Result<HostCertificate> cert =
      CertificateFromConfirmation(SampleIid(host), issued.confirmation, CatalogFor(vendor));
  EXPECT_EQ(cert.status().code(), ResultCode::kBadSignature);
}

TEST(OfflineActivationTest, ConfirmationFromAnotherVendorIsRefused) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey impostor = SigningKey::FromSeed(Bytes(32, 9));
  SigningKey host = SigningKey::FromSeed(Bytes(32, 2));
  IssuedActivation issued =
      IssueHostActivation(SampleIid(host), impostor, 1795000000, kDefaultCertificateDays);
  EXPECT_EQ(CertificateFromConfirmation(SampleIid(host), issued.confirmation, CatalogFor(vendor))
                .status()
                .code(),
            ResultCode::kBadSignature);
}

// Confirmation IDs carry no checksum since format 3: the signature is what
// refuses a code someone changed. A longer validity (or the MAK's "never",
// 65535) or another issue day typed in must not give a certificate.
TEST(OfflineActivationTest, AChangedConfirmationIsRefusedByItsSignature) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey host = SigningKey::FromSeed(Bytes(32, 2));
  InstallationId iid = SampleIid(host);
  IssuedActivation issued = IssueHostActivation(iid, vendor, 1795000000, 30);
  for (std::uint16_t days : {std::uint16_t{31}, std::uint16_t{3650}, std::uint16_t{65535}}) {
    ConfirmationId longer = issued.confirmation;
    longer.valid_days = days;
    EXPECT_EQ(CertificateFromConfirmation(iid, longer, CatalogFor(vendor)).status().code(),
              ResultCode::kBadSignature)
        << days;
  }
  ConfirmationId later = issued.confirmation;
  later.issue_day += 100;
  EXPECT_EQ(CertificateFromConfirmation(iid, later, CatalogFor(vendor)).status().code(),
            ResultCode::kBadSignature);
}

TEST(OfflineActivationTest, OnlyHostKeysHaveCertificates) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey host = SigningKey::FromSeed(Bytes(32, 2));
  ConfirmationId cid;
  EXPECT_EQ(CertificateFromConfirmation(SampleIid(host, KeyKind::kMak), cid, CatalogFor(vendor))
                .status()
                .code(),
            ResultCode::kWrongKeyKind);
}

}  // namespace
}  // namespace activa
