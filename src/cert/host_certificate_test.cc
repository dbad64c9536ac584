#include "cert/host_certificate.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

HostCertificate Sample(const SigningKey& vendor, const SigningKey& host) {
  HostCertificate c;
  c.host_public_key = host.public_key();
  c.host_key_id = {1, 2, 3, 4, 5, 6, 7, 8};
  c.machine_tag = {9, 9, 9, 9, 9, 9, 9, 9};
  c.group_codes = {0x123, 0x456};
  c.issued = 1790000000;
  c.not_after = c.issued + 365 * 86400;
  SignCertificate(c, vendor);
  return c;
}

TEST(HostCertificateTest, RoundTripsAndVerifies) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey host = SigningKey::FromSeed(Bytes(32, 2));
  HostCertificate c = Sample(vendor, host);
  Bytes encoded = EncodeCertificate(c);
  Result<HostCertificate> d = DecodeCertificate(encoded);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(EncodeCertificate(*d), encoded);
  EXPECT_TRUE(VerifyCertificate(*d, vendor.public_key()));
  EXPECT_TRUE(d->Covers(0x456));
  EXPECT_FALSE(d->Covers(0x789));
}

TEST(HostCertificateTest, AnyChangedByteFailsVerificationOrDecoding) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey host = SigningKey::FromSeed(Bytes(32, 2));
  Bytes encoded = EncodeCertificate(Sample(vendor, host));
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    Bytes altered = encoded;
    altered[i] ^= 0x01;
    Result<HostCertificate> d = DecodeCertificate(altered);
    EXPECT_TRUE(!d.ok() || !VerifyCertificate(*d, vendor.public_key())) << "byte " << i;
  }
}

TEST(HostCertificateTest, VersionOneAndBackwardsDatesAreRefused) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey host = SigningKey::FromSeed(Bytes(32, 2));
  Bytes encoded = EncodeCertificate(Sample(vendor, host));
  Bytes v1 = encoded;
  v1[0] = 1;
  EXPECT_EQ(DecodeCertificate(v1).status().code(), ResultCode::kUnsupportedVersion);
  HostCertificate backwards = Sample(vendor, host);
  backwards.not_after = backwards.issued - 1;
  EXPECT_EQ(DecodeCertificate(EncodeCertificate(backwards)).status().code(),
            ResultCode::kInvalidData);
}

TEST(HostCertificateTest, OtherVendorKeyDoesNotVerify) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey other = SigningKey::FromSeed(Bytes(32, 3));
  SigningKey host = SigningKey::FromSeed(Bytes(32, 2));
  HostCertificate c = Sample(other, host);
  EXPECT_FALSE(VerifyCertificate(c, vendor.public_key()));
}

TEST(HostCertificateTest, TruncatedAndOversizedAreRefused) {
  SigningKey vendor = SigningKey::FromSeed(Bytes(32, 1));
  SigningKey host = SigningKey::FromSeed(Bytes(32, 2));
  Bytes encoded = EncodeCertificate(Sample(vendor, host));
  for (std::size_t n = 0; n < encoded.size(); ++n) {
    EXPECT_FALSE(DecodeCertificate(ByteSpan(encoded.data(), n)).ok()) << n;
  }
  encoded.push_back(0);
  EXPECT_FALSE(DecodeCertificate(encoded).ok());
}

}  // namespace
}  // namespace activa
