// The test vectors of docs/protocol.md: each decodes to the fields the
// document lists, re-encodes byte for byte, and (for the response) verifies
// with the public key of the fixed seed. The document must hold the same hex;
// the last test checks that, so the two cannot drift apart.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>

#include "protocol/codec.h"

namespace activa {
namespace {

// The host key's seed: 32 bytes of 0x01.
constexpr std::uint8_t kHostSeedByte = 0x01;
constexpr std::string_view kHostPublicKeyHex =
    "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";

constexpr std::string_view kRequestFrameHex =
    "4143545602010000000000776f1d3c2e5a4b4c8d9e0f11223344556600000000"
    "0000000000000000000000000a1b2c3d00004000800000000000a0010a1b2c3d"
    "00004000800000000000b002166465736b2d303034322e6578616d706c652e74"
    "65737401020000a8c00019000000006955b900000102030405060708090a0b0c"
    "0d0e0f";

constexpr std::string_view kResponseFrameHex =
    "4143545602020000000000bc000000006f1d3c2e5a4b4c8d9e0f112233445566"
    "000102030405060708090a0b0c0d0e0f0a1b2c3d00004000800000000000b002"
    "0000001f00190000007800002760000000006a430700000000006955b93c0a1b"
    "2c3d00004000800000000000c00300186578616d706c6520686f737420636572"
    "7469666963617465ad23fd17bad97454d3e36446c9e0290db47542b75c3deb61"
    "3d6b8037b5a0160be7143d03fc55c01b72242965442f833d03cf5453b6ce010d"
    "1b705df5d5129e08";

constexpr std::string_view kBatchResponseFrameHex =
    "4143545603020000000000e1000000006f1d3c2e5a4b4c8d9e0f112233445566"
    "000102030405060708090a0b0c0d0e0f0a1b2c3d00004000800000000000b002"
    "0000001f00190000007800002760000000006a430700000000006955b93c0a1b"
    "2c3d00004000800000000000c00300186578616d706c6520686f737420636572"
    "746966696361746500000000019a5b065ab71e5e2299894d372f7c7de6958ba7"
    "e931d7080d358c6d034729f4bf95347edbb7d2ccb2de51400bad9a65d1188c6a"
    "c013c1406a7d5f165356d125cd60fa392f32d0128449af03ec9dd4624110be32"
    "04cc81158fc8d71c6ce5444100";
constexpr std::string_view kErrorFrameHex =
    "4143545601030000000000358007000d002f726571756573743a206c6963656e"
    "73655f73746174652039206973206e6f742061206c6963656e73652073746174"
    "65";

Bytes FromHex(std::string_view hex) {
  Bytes out;
  EXPECT_TRUE(HexDecode(hex, &out));
  return out;
}

Nonce SequenceNonce() {
  Nonce n;
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(i);
  return n;
}

TEST(ProtocolVectorsTest, RequestFrame) {
  Bytes frame = FromHex(kRequestFrameHex);
  Result<Message> m = DecodeFrame(frame);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto& q = std::get<ActivationRequest>(*m);
  EXPECT_EQ(FormatUuid(q.cmid), "6f1d3c2e-5a4b-4c8d-9e0f-112233445566");
  EXPECT_EQ(q.previous_cmid, Uuid{});
  EXPECT_EQ(FormatUuid(q.application_id), "0a1b2c3d-0000-4000-8000-00000000a001");
  EXPECT_EQ(FormatUuid(q.sku_id), "0a1b2c3d-0000-4000-8000-00000000b002");
  EXPECT_EQ(q.machine_name, "desk-0042.example.test");
  EXPECT_TRUE(q.is_virtual_machine);
  EXPECT_EQ(q.license_state, LicenseState::kInitialGrace);
  EXPECT_EQ(q.minutes_left, 43200u);
  EXPECT_EQ(q.required_count, 25);
  EXPECT_EQ(q.client_time, 1767225600);  // 2026-01-01T00:00:00Z
  EXPECT_EQ(q.nonce, SequenceNonce());
  EXPECT_EQ(HexEncode(EncodeRequest(q)), kRequestFrameHex);
}

TEST(ProtocolVectorsTest, ResponseFrame) {
  InitCrypto();
  Bytes frame = FromHex(kResponseFrameHex);
  Result<Message> m = DecodeFrame(frame);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto& p = std::get<ActivationResponse>(*m);
  EXPECT_EQ(p.result, ResultCode::kOk);
  EXPECT_EQ(FormatUuid(p.cmid), "6f1d3c2e-5a4b-4c8d-9e0f-112233445566");
  EXPECT_EQ(p.nonce, SequenceNonce());
  EXPECT_EQ(FormatUuid(p.sku_id), "0a1b2c3d-0000-4000-8000-00000000b002");
  EXPECT_EQ(p.current_count, 31u);
  EXPECT_EQ(p.required_count, 25u);
  EXPECT_EQ(p.activation_interval_minutes, 120u);
  EXPECT_EQ(p.renewal_interval_minutes, 10080u);
  EXPECT_EQ(p.validity_end, 1782777600);  // 2026-06-30T00:00:00Z, 180 days on
  EXPECT_EQ(p.host_time, 1767225660);
  EXPECT_EQ(FormatUuid(p.host_id), "0a1b2c3d-0000-4000-8000-00000000c003");
  EXPECT_EQ(std::string(p.host_certificate.begin(), p.host_certificate.end()),
            "example host certificate");
  EXPECT_EQ(HexEncode(EncodeResponse(p)), kResponseFrameHex);

  KeySeed seed;
  seed.fill(kHostSeedByte);
  SigningKey host_key = SigningKey::FromSeed(seed);
  EXPECT_EQ(HexEncode(host_key.public_key()), kHostPublicKeyHex);
  EXPECT_TRUE(VerifyResponseSignature(p, host_key.public_key()).ok());

  // Ed25519 is deterministic, so re-signing gives the vector's signature.
  ActivationResponse resigned = p;
  resigned.signature.fill(0);
  SignResponse(resigned, host_key);
  EXPECT_EQ(resigned.signature, p.signature);
}

// Version 3: the vector response (as version 3) and a second one, equal but
// for a current count of 32, signed as one batch; the vector is the first.
TEST(ProtocolVectorsTest, BatchResponseFrame) {
  Result<Message> m = DecodeFrame(FromHex(kResponseFrameHex));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ActivationResponse first = std::get<ActivationResponse>(*m);
  first.version = kProtocolVersion;
  ActivationResponse second = first;
  second.current_count = 32;
  KeySeed seed;
  seed.fill(kHostSeedByte);
  SigningKey host_key = SigningKey::FromSeed(seed);
  std::vector<ActivationResponse*> batch = {&first, &second};
  SignResponseBatch(batch, host_key);
  EXPECT_EQ(HexEncode(EncodeResponse(first)), kBatchResponseFrameHex);

  Result<Message> v = DecodeFrame(FromHex(kBatchResponseFrameHex));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const auto& p = std::get<ActivationResponse>(*v);
  EXPECT_EQ(p.version, kProtocolVersion);
  EXPECT_EQ(p.batch_path.index, 0u);
  ASSERT_EQ(p.batch_path.siblings.size(), 1u);
  EXPECT_EQ(p.batch_path.siblings[0], LeafHash(ResponseSignedBytes(second)));
  EXPECT_TRUE(VerifyResponseSignature(p, host_key.public_key()).ok());
}

TEST(ProtocolVectorsTest, ErrorFrame) {
  Bytes frame = FromHex(kErrorFrameHex);
  Result<Message> m = DecodeFrame(frame);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto& e = std::get<ErrorMessage>(*m);
  EXPECT_EQ(e.result, ResultCode::kInvalidData);
  EXPECT_EQ(e.message, "request: license_state 9 is not a license state");
  EXPECT_EQ(HexEncode(EncodeError(e)), kErrorFrameHex);
}

TEST(ProtocolVectorsTest, DocumentHoldsTheSameVectors) {
  std::ifstream in(ACTIVA_PROTOCOL_DOC);
  ASSERT_TRUE(in) << "cannot open " << ACTIVA_PROTOCOL_DOC;
  std::stringstream text;
  text << in.rdbuf();
  // The document wraps the hex over lines; compare with whitespace removed.
  std::string doc = text.str();
  doc.erase(
      std::remove_if(doc.begin(), doc.end(), [](unsigned char c) { return std::isspace(c) != 0; }),
      doc.end());
  for (std::string_view hex : {kHostPublicKeyHex, kRequestFrameHex, kResponseFrameHex,
                               kBatchResponseFrameHex, kErrorFrameHex}) {
    EXPECT_NE(doc.find(hex), std::string::npos) << "docs/protocol.md lacks " << hex;
  }
}

}  // namespace
}  // namespace activa
