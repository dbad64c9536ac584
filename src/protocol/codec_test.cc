#include "protocol/codec.h"

#include <gtest/gtest.h>

#include <string>

namespace activa {
namespace {

// Byte offsets inside a frame (docs/protocol.md, "Layout"), for tests that
// damage one field of an otherwise valid frame.
constexpr std::size_t kVersionOffset = 4;
constexpr std::size_t kTypeOffset = 5;
constexpr std::size_t kReservedOffset = 6;
constexpr std::size_t kLengthOffset = 8;
constexpr std::size_t kRequestNameLengthOffset = kFrameHeaderSize + 64;
constexpr std::size_t kResponseRequiredCountOffset = kFrameHeaderSize + 56;
constexpr std::size_t kResponseActivationIntervalOffset = kFrameHeaderSize + 58;
constexpr std::size_t kResponseCertLengthOffset = kFrameHeaderSize + 98;

Uuid U(std::string_view text) { return ParseUuid(text).value(); }

const SigningKey& HostKey() {
  static const SigningKey* key = [] {
    InitCrypto();
    KeySeed seed;
    seed.fill(0x01);
    return new SigningKey(SigningKey::FromSeed(seed));
  }();
  return *key;
}

ActivationRequest SampleRequest() {
  ActivationRequest q;
  q.cmid = U("6f1d3c2e-5a4b-4c8d-9e0f-112233445566");
  q.application_id = U("0a1b2c3d-0000-4000-8000-00000000a001");
  q.sku_id = U("0a1b2c3d-0000-4000-8000-00000000b002");
  q.machine_name = "desk-0042.example.test";
  q.is_virtual_machine = true;
  q.license_state = LicenseState::kInitialGrace;
  q.minutes_left = 43200;
  q.required_count = 25;
  q.client_time = 1767225600;
  for (std::size_t i = 0; i < q.nonce.size(); ++i) q.nonce[i] = static_cast<std::uint8_t>(i);
  return q;
}

ActivationResponse SampleResponse() {
  ActivationRequest q = SampleRequest();
  ActivationResponse p;
  p.result = ResultCode::kOk;
  p.cmid = q.cmid;
  p.nonce = q.nonce;
  p.sku_id = q.sku_id;
  p.current_count = 31;
  p.required_count = 25;
  p.activation_interval_minutes = 120;
  p.renewal_interval_minutes = 10080;
  p.validity_end = 1782777600;
  p.host_time = 1767225660;
  p.host_id = U("0a1b2c3d-0000-4000-8000-00000000c003");
  const std::string cert = "example host certificate";
  p.host_certificate.assign(cert.begin(), cert.end());
  SignResponse(p, HostKey());
  return p;
}

ErrorMessage SampleError() {
  return ErrorMessage{ResultCode::kInvalidData, "request: license_state 9 is not a license state"};
}

// Patches the frame's body length to match its size, after a test has grown
// or shrunk the body.
void FixLength(Bytes& frame) {
  auto n = static_cast<std::uint32_t>(frame.size() - kFrameHeaderSize);
  frame[kLengthOffset] = static_cast<std::uint8_t>(n >> 24);
  frame[kLengthOffset + 1] = static_cast<std::uint8_t>(n >> 16);
  frame[kLengthOffset + 2] = static_cast<std::uint8_t>(n >> 8);
  frame[kLengthOffset + 3] = static_cast<std::uint8_t>(n);
}

ByteSpan Header(const Bytes& frame) { return ByteSpan(frame).first(kFrameHeaderSize); }

// The status of decoding `frame` whole.
Status DecodeStatus(const Bytes& frame) { return DecodeFrame(frame).status(); }

void ExpectError(const Status& s, ResultCode code, std::string_view fragment) {
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_NE(s.message().find(fragment), std::string::npos)
      << "\"" << s.message() << "\" lacks \"" << fragment << "\"";
}

Bytes AllFrames(int which) {
  switch (which) {
    case 0:
      return EncodeRequest(SampleRequest());
    case 1:
      return EncodeResponse(SampleResponse());
    default:
      return EncodeError(SampleError());
  }
}

// --- Round trips ---

TEST(CodecTest, RequestRoundTrips) {
  ActivationRequest q = SampleRequest();
  Bytes frame = EncodeRequest(q);
  ASSERT_EQ(frame.size(), kFrameHeaderSize + 97 + q.machine_name.size());

  Result<FrameHeader> h = DecodeFrameHeader(Header(frame));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->version, kProtocolVersion);
  EXPECT_EQ(h->type, MessageType::kRequest);
  EXPECT_EQ(h->body_length, frame.size() - kFrameHeaderSize);

  Result<ActivationRequest> body = DecodeRequestBody(ByteSpan(frame).subspan(kFrameHeaderSize));
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(*body, q);

  Result<Message> m = DecodeFrame(frame);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(std::get<ActivationRequest>(*m), q);
}

TEST(CodecTest, RequestRoundTripsAtTheLimits) {
  ActivationRequest q = SampleRequest();
  q.machine_name = std::string(kMaxMachineNameSize, 'n');
  q.is_virtual_machine = false;
  q.license_state = LicenseState::kExtendedGrace;
  q.minutes_left = 0xFFFFFFFF;
  q.required_count = kMaxRequiredCount;
  q.client_time = -1;
  Result<Message> m = DecodeFrame(EncodeRequest(q));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(std::get<ActivationRequest>(*m), q);

  q.machine_name = "Ünïcode-名前";  // UTF-8 outside ASCII is allowed
  q.required_count = kMinRequiredCount;
  m = DecodeFrame(EncodeRequest(q));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(std::get<ActivationRequest>(*m), q);
}

TEST(CodecTest, ResponseRoundTrips) {
  ActivationResponse p = SampleResponse();
  Bytes frame = EncodeResponse(p);
  // Version 3: the batch path (index, depth, no siblings for a batch of one).
  ASSERT_EQ(frame.size(), kFrameHeaderSize + 164 + 5 + p.host_certificate.size());
  Result<Message> m = DecodeFrame(frame);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(std::get<ActivationResponse>(*m), p);
}

TEST(CodecTest, RefusalResponseRoundTrips) {
  ActivationResponse p = SampleResponse();
  p.result = ResultCode::kCountInsufficient;
  p.validity_end = 0;
  p.activation_interval_minutes = kMinIntervalMinutes;
  p.renewal_interval_minutes = kMaxIntervalMinutes;
  p.host_certificate.assign(kMaxHostCertificateSize, 0xAB);
  SignResponse(p, HostKey());
  Result<Message> m = DecodeFrame(EncodeResponse(p));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(std::get<ActivationResponse>(*m), p);
  EXPECT_TRUE(
      VerifyResponseSignature(std::get<ActivationResponse>(*m), HostKey().public_key()).ok());
}

TEST(CodecTest, ErrorRoundTrips) {
  for (const ErrorMessage& e :
       {SampleError(), ErrorMessage{ResultCode::kFrameTooLarge, ""},
        ErrorMessage{ResultCode::kUnsupportedVersion, std::string(kMaxErrorMessageSize, 'x')}}) {
    Result<Message> m = DecodeFrame(EncodeError(e));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(std::get<ErrorMessage>(*m), e);
  }
}

// --- Truncation and framing ---

TEST(CodecTest, EveryTruncationIsRejected) {
  for (int which = 0; which < 3; ++which) {
    const Bytes frame = AllFrames(which);
    for (std::size_t len = 0; len < frame.size(); ++len) {
      Bytes cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(len));
      EXPECT_EQ(DecodeStatus(cut).code(), ResultCode::kInvalidData)
          << "frame " << which << " cut to " << len;
      // The same cut with the header's length made to agree, so the body
      // decoder itself meets the short body.
      if (len >= kFrameHeaderSize) {
        FixLength(cut);
        ExpectError(DecodeStatus(cut), ResultCode::kInvalidData, "body ends inside");
      }
    }
  }
}

TEST(CodecTest, TruncationNamesTheField) {
  Bytes frame = EncodeRequest(SampleRequest());
  frame.resize(kFrameHeaderSize + 20);  // inside previous_cmid
  FixLength(frame);
  ExpectError(DecodeStatus(frame), ResultCode::kInvalidData,
              "request: body ends inside previous_cmid");

  frame = EncodeResponse(SampleResponse());
  frame.resize(frame.size() - 1);
  FixLength(frame);
  ExpectError(DecodeStatus(frame), ResultCode::kInvalidData,
              "response: body ends inside signature");
}

TEST(CodecTest, HeaderMustBeTwelveBytes) {
  Bytes frame = EncodeError(SampleError());
  EXPECT_EQ(DecodeFrameHeader(ByteSpan(frame).first(11)).status().code(), ResultCode::kInvalidData);
  EXPECT_EQ(DecodeFrameHeader(ByteSpan(frame).first(13)).status().code(), ResultCode::kInvalidData);
}

TEST(CodecTest, OversizedLengthIsFrameTooLarge) {
  Bytes frame = EncodeRequest(SampleRequest());
  for (std::uint32_t length :
       {static_cast<std::uint32_t>(kMaxBodySize + 1), 0x00010000u, 0xFFFFFFFFu}) {
    frame[kLengthOffset] = static_cast<std::uint8_t>(length >> 24);
    frame[kLengthOffset + 1] = static_cast<std::uint8_t>(length >> 16);
    frame[kLengthOffset + 2] = static_cast<std::uint8_t>(length >> 8);
    frame[kLengthOffset + 3] = static_cast<std::uint8_t>(length);
    ExpectError(DecodeFrameHeader(Header(frame)).status(), ResultCode::kFrameTooLarge, "length");
    EXPECT_EQ(DecodeStatus(frame).code(), ResultCode::kFrameTooLarge);
  }
  // The largest allowed body is accepted by the header decoder.
  std::uint32_t max = kMaxBodySize;
  frame[kLengthOffset] = 0;
  frame[kLengthOffset + 1] = static_cast<std::uint8_t>(max >> 16);
  frame[kLengthOffset + 2] = static_cast<std::uint8_t>(max >> 8);
  frame[kLengthOffset + 3] = static_cast<std::uint8_t>(max);
  Result<FrameHeader> h = DecodeFrameHeader(Header(frame));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->body_length, kMaxBodySize);
}

TEST(CodecTest, WrongVersionIsUnsupported) {
  for (std::uint8_t version : {0, 4, 255}) {
    Bytes frame = EncodeRequest(SampleRequest());
    frame[kVersionOffset] = version;
    ExpectError(DecodeStatus(frame), ResultCode::kUnsupportedVersion,
                "version " + std::to_string(version));
    // The version wins over everything after it: another version may use
    // those bytes differently.
    frame[kTypeOffset] = 9;
    frame[kLengthOffset] = 0xFF;
    EXPECT_EQ(DecodeStatus(frame).code(), ResultCode::kUnsupportedVersion);
  }
}

// Version 2 added the applied threshold to the signed response; a version-1
// request or response is refused, never read in the other layout.
TEST(CodecTest, VersionOneRequestsAndResponsesAreUnsupported) {
  EXPECT_EQ(kProtocolVersion, 3);
  for (int which = 0; which < 2; ++which) {
    Bytes frame = AllFrames(which);
    EXPECT_EQ(frame[kVersionOffset], kProtocolVersion);
    frame[kVersionOffset] = 1;
    ExpectError(DecodeStatus(frame), ResultCode::kUnsupportedVersion,
                which == 0 ? "version 1 requests" : "version 1 responses");
  }
}

// Error frames are version 1 in every version, so the error that tells an
// older (or newer) peer its version is unsupported is one it can read.
TEST(CodecTest, ErrorFramesAreVersionOne) {
  Bytes frame = EncodeError(SampleError());
  EXPECT_EQ(frame[kVersionOffset], kErrorFrameVersion);
  EXPECT_EQ(kErrorFrameVersion, 1);
  Result<FrameHeader> h = DecodeFrameHeader(Header(frame));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->version, kErrorFrameVersion);
  EXPECT_EQ(h->type, MessageType::kError);
  // Only one version, so the encoding stays canonical.
  frame[kVersionOffset] = kProtocolVersion;
  ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "error frame is version 1");
}

TEST(CodecTest, BadMagicIsInvalid) {
  for (std::size_t i = 0; i < 4; ++i) {
    Bytes frame = EncodeRequest(SampleRequest());
    frame[i] ^= 0x20;  // "aCTV", "AcTV", ...
    ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "magic");
  }
}

TEST(CodecTest, NonzeroReservedIsInvalid) {
  for (std::size_t i : {kReservedOffset, kReservedOffset + 1}) {
    Bytes frame = EncodeRequest(SampleRequest());
    frame[i] = 1;
    ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "reserved");
  }
}

TEST(CodecTest, UnknownTypeIsInvalid) {
  for (std::uint8_t type : {0, 4, 255}) {
    Bytes frame = EncodeRequest(SampleRequest());
    frame[kTypeOffset] = type;
    ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "type");
  }
}

TEST(CodecTest, BodyOfAnotherTypeIsInvalid) {
  // A request body labelled as a response: the type decides how it is read.
  Bytes frame = EncodeRequest(SampleRequest());
  frame[kTypeOffset] = static_cast<std::uint8_t>(MessageType::kResponse);
  EXPECT_EQ(DecodeStatus(frame).code(), ResultCode::kInvalidData);
}

TEST(CodecTest, TrailingBytesAreInvalid) {
  const char* last_field[] = {"after nonce", "after signature", "after message"};
  for (int which = 0; which < 3; ++which) {
    Bytes frame = AllFrames(which);
    frame.push_back(0);
    FixLength(frame);
    ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, last_field[which]);

    // Bytes beyond the announced length are not part of this frame either.
    frame = AllFrames(which);
    frame.push_back(0);
    ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "follow");
  }
}

// --- Request fields ---

std::size_t RequestFlagsOffset(const ActivationRequest& q) {
  return kRequestNameLengthOffset + 1 + q.machine_name.size();
}

TEST(CodecTest, BadLicenseStateIsInvalid) {
  ActivationRequest q = SampleRequest();
  for (std::uint8_t state : {7, 9, 255}) {
    Bytes frame = EncodeRequest(q);
    frame[RequestFlagsOffset(q) + 1] = state;
    ExpectError(DecodeStatus(frame), ResultCode::kInvalidData,
                "request: license_state " + std::to_string(state) + " is not a license state");
  }
}

TEST(CodecTest, UnknownFlagBitsAreInvalid) {
  ActivationRequest q = SampleRequest();
  for (std::uint8_t flags : {0x02, 0x80, 0xFF}) {
    Bytes frame = EncodeRequest(q);
    frame[RequestFlagsOffset(q)] = flags;
    ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "request: flags");
  }
}

TEST(CodecTest, RequiredCountOutOfRangeIsInvalid) {
  ActivationRequest q = SampleRequest();
  const std::size_t offset = RequestFlagsOffset(q) + 1 + 1 + 4;
  for (std::uint16_t count : {0, 1001, 65535}) {
    Bytes frame = EncodeRequest(q);
    frame[offset] = static_cast<std::uint8_t>(count >> 8);
    frame[offset + 1] = static_cast<std::uint8_t>(count);
    ExpectError(DecodeStatus(frame), ResultCode::kInvalidData,
                "request: required_count " + std::to_string(count));
  }
}

TEST(CodecTest, MachineNameMustBeNonEmptyText) {
  ActivationRequest q = SampleRequest();
  q.machine_name.clear();
  ExpectError(ValidateRequest(q), ResultCode::kInvalidData, "machine_name is empty");

  // An empty name on the wire: drop the name bytes and zero its length.
  Bytes frame = EncodeRequest(SampleRequest());
  const std::size_t n = frame[kRequestNameLengthOffset];
  frame.erase(frame.begin() + kRequestNameLengthOffset + 1,
              frame.begin() + static_cast<std::ptrdiff_t>(kRequestNameLengthOffset + 1 + n));
  frame[kRequestNameLengthOffset] = 0;
  FixLength(frame);
  ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "machine_name is empty");

  // Not UTF-8 (a lone continuation byte, an overlong '/', a surrogate, a
  // sequence cut short), and control characters (ESC, DEL, C1 CSI).
  const struct {
    std::string bad;
    const char* why;
  } cases[] = {{"\x80", "not UTF-8"},
               {"\xC0\xAF", "not UTF-8"},
               {"\xED\xA0\x80", "not UTF-8"},
               {"\xE2\x82", "not UTF-8"},
               {"\xF4\x90\x80\x80", "not UTF-8"},
               {"\x1B[2J", "control"},
               {"\x7F", "control"},
               {"\xC2\x9B", "control"}};
  for (const auto& c : cases) {
    ActivationRequest bad = SampleRequest();
    Bytes good_frame = EncodeRequest(bad);
    bad.machine_name = "ab" + c.bad;
    ExpectError(ValidateRequest(bad), ResultCode::kInvalidData, c.why);
    // The same on the wire: rebuild the frame around the bad name.
    Bytes frame(good_frame.begin(), good_frame.begin() + kRequestNameLengthOffset);
    frame.push_back(static_cast<std::uint8_t>(bad.machine_name.size()));
    frame.insert(frame.end(), bad.machine_name.begin(), bad.machine_name.end());
    frame.insert(
        frame.end(),
        good_frame.begin() + static_cast<std::ptrdiff_t>(RequestFlagsOffset(SampleRequest())),
        good_frame.end());
    FixLength(frame);
    ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "request: machine_name byte 2");
  }
}

// --- Response fields ---

void SetU32(Bytes& frame, std::size_t offset, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) frame[offset + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

TEST(CodecTest, BadIntervalIsInvalid) {
  for (std::size_t field = 0; field < 2; ++field) {
    for (std::uint32_t minutes : {0u, 14u, 43201u, 0xFFFFFFFFu}) {
      Bytes frame = EncodeResponse(SampleResponse());
      SetU32(frame, kResponseActivationIntervalOffset + 4 * field, minutes);
      ExpectError(DecodeStatus(frame), ResultCode::kInvalidData,
                  std::string(field == 0 ? "activation" : "renewal") + "_interval_minutes " +
                      std::to_string(minutes));
    }
  }
}

TEST(CodecTest, UnknownResultIsInvalid) {
  Bytes frame = EncodeResponse(SampleResponse());
  SetU32(frame, kFrameHeaderSize, 0x12345678);
  ExpectError(DecodeStatus(frame), ResultCode::kInvalidData,
              "response: result 0x12345678 is not a result code");

  frame = EncodeError(SampleError());
  SetU32(frame, kFrameHeaderSize, 0xC004F000);
  ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "error: result 0xC004F000");
}

TEST(CodecTest, RefusalWithValidityIsInvalid) {
  ActivationResponse p = SampleResponse();
  p.result = ResultCode::kHostNotActivated;
  ExpectError(ValidateResponse(p), ResultCode::kInvalidData, "validity_end");
  Bytes frame = EncodeResponse(SampleResponse());
  SetU32(frame, kFrameHeaderSize, static_cast<std::uint32_t>(ResultCode::kHostNotActivated));
  ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "validity_end");
}

void SetU16(Bytes& frame, std::size_t offset, std::uint16_t v) {
  frame[offset] = static_cast<std::uint8_t>(v >> 8);
  frame[offset + 1] = static_cast<std::uint8_t>(v);
}

TEST(CodecTest, ResponseRequiredCountIsInRange) {
  Bytes frame = EncodeResponse(SampleResponse());
  EXPECT_EQ(frame[kResponseRequiredCountOffset + 1], 25);
  for (std::uint16_t count : {1001, 65535}) {
    SetU16(frame, kResponseRequiredCountOffset, count);
    ExpectError(DecodeStatus(frame), ResultCode::kInvalidData,
                "response: required_count " + std::to_string(count));
  }
  // 0 ("no threshold applied") only on a refusal: nobody is licensed at
  // no threshold.
  SetU16(frame, kResponseRequiredCountOffset, 0);
  ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "required_count is 0");
  ActivationResponse p = SampleResponse();
  p.result = ResultCode::kEditionNotCovered;
  p.validity_end = 0;
  p.required_count = 0;
  SignResponse(p, HostKey());
  Result<Message> m = DecodeFrame(EncodeResponse(p));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(std::get<ActivationResponse>(*m), p);
}

TEST(CodecTest, OversizedCertificateIsInvalid) {
  ActivationResponse p = SampleResponse();
  p.host_certificate.assign(kMaxHostCertificateSize + 1, 0);
  ExpectError(ValidateResponse(p), ResultCode::kInvalidData, "host_certificate");

  p.host_certificate.resize(kMaxHostCertificateSize);
  Bytes frame = EncodeResponse(p);
  frame[kResponseCertLengthOffset] = static_cast<std::uint8_t>((kMaxHostCertificateSize + 1) >> 8);
  frame[kResponseCertLengthOffset + 1] = static_cast<std::uint8_t>(kMaxHostCertificateSize + 1);
  frame.insert(frame.begin() + kResponseCertLengthOffset + 2, 0);
  FixLength(frame);
  ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "host_certificate is 4097 bytes");
}

// --- Error fields ---

TEST(CodecTest, ErrorChecks) {
  ExpectError(ValidateError({ResultCode::kOk, "fine"}), ResultCode::kInvalidData, "result is OK");
  Bytes frame = EncodeError(SampleError());
  SetU32(frame, kFrameHeaderSize, 0);
  ExpectError(DecodeStatus(frame), ResultCode::kInvalidData, "result is OK");

  ExpectError(ValidateError({ResultCode::kInternal, std::string(kMaxErrorMessageSize + 1, 'x')}),
              ResultCode::kInvalidData, "message is 1025 bytes");
  ExpectError(ValidateError({ResultCode::kInternal, "line\nbreak"}), ResultCode::kInvalidData,
              "error: message byte 4 is a control character");
}

TEST(CodecTest, MakeErrorMessageAlwaysEncodes) {
  ErrorMessage e = MakeErrorMessage(Status(ResultCode::kInvalidData, "bad\x1B[0m\xFF name"));
  EXPECT_EQ(e.result, ResultCode::kInvalidData);
  EXPECT_EQ(e.message, "bad [0m  name");
  EXPECT_TRUE(ValidateError(e).ok());

  // Cut at a character boundary: 1023 ASCII bytes and a 2-byte character
  // leave 1023 bytes, not 1024 with half a character.
  e = MakeErrorMessage(Status(ResultCode::kInternal, std::string(1023, 'a') + "é"));
  EXPECT_EQ(e.message, std::string(1023, 'a'));
  EXPECT_TRUE(ValidateError(e).ok());

  // No message: the code's standard text.
  e = MakeErrorMessage(Status(ResultCode::kFrameTooLarge, ""));
  EXPECT_EQ(e.message, ResultCodeMessage(ResultCode::kFrameTooLarge));
}

// --- Signature ---

TEST(CodecTest, SignatureVerifies) {
  ActivationResponse p = SampleResponse();
  EXPECT_TRUE(VerifyResponseSignature(p, HostKey().public_key()).ok());

  KeySeed other_seed;
  other_seed.fill(0x02);
  SigningKey other = SigningKey::FromSeed(other_seed);
  ExpectError(VerifyResponseSignature(p, other.public_key()), ResultCode::kBadSignature,
              "signature");

  // A signature over the same bytes in another context does not pass, nor
  // one in version 1's context.
  EXPECT_EQ(kResponseSignatureContext, "activa/response/v2");
  for (std::string_view context : {"activa/other/v1", "activa/response/v1"}) {
    p.signature = HostKey().Sign(context, ResponseSignedBytes(p));
    EXPECT_EQ(VerifyResponseSignature(p, HostKey().public_key()).code(), ResultCode::kBadSignature);
  }
}

TEST(CodecTest, SignedBytesAreTheBodyBeforeTheSignature) {
  ActivationResponse p = SampleResponse();
  Bytes frame = EncodeResponse(p);
  Bytes signed_bytes = ResponseSignedBytes(p);
  ASSERT_EQ(frame.size(), kFrameHeaderSize + signed_bytes.size() + 5 + p.signature.size());
  EXPECT_TRUE(
      std::equal(signed_bytes.begin(), signed_bytes.end(), frame.begin() + kFrameHeaderSize));
}

TEST(CodecTest, FlippingAnyBodyByteBreaksTheResponse) {
  const Bytes frame = EncodeResponse(SampleResponse());
  for (std::size_t i = kFrameHeaderSize; i < frame.size(); ++i) {
    for (std::uint8_t mask : {0x01, 0x80}) {
      Bytes damaged = frame;
      damaged[i] ^= mask;
      Result<Message> m = DecodeFrame(damaged);
      if (!m.ok()) {
        // Some flips make the body malformed (a bad interval, a longer
        // certificate): rejected before the signature is even looked at.
        EXPECT_EQ(m.status().code(), ResultCode::kInvalidData) << "byte " << i;
        continue;
      }
      EXPECT_EQ(
          VerifyResponseSignature(std::get<ActivationResponse>(*m), HostKey().public_key()).code(),
          ResultCode::kBadSignature)
          << "byte " << i << " mask " << int{mask};
    }
  }
}

TEST(CodecTest, VerifyRefusesAnInvalidResponse) {
  ActivationResponse p = SampleResponse();
  p.renewal_interval_minutes = 1;  // could not have been decoded
  EXPECT_EQ(VerifyResponseSignature(p, HostKey().public_key()).code(), ResultCode::kBadSignature);
}

}  // namespace
}  // namespace activa

// --- Batch signatures (version 3) ---

namespace activa {
namespace {

// `n` responses to different clients, signed as one batch.
std::vector<ActivationResponse> SignedBatch(std::size_t n, std::uint8_t salt) {
  std::vector<ActivationResponse> batch(n, SampleResponse());
  std::vector<ActivationResponse*> ptrs;
  for (std::size_t i = 0; i < n; ++i) {
    batch[i].cmid[15] = static_cast<std::uint8_t>(i);
    batch[i].nonce[0] = salt;
    ptrs.push_back(&batch[i]);
  }
  SignResponseBatch(ptrs, HostKey());
  return batch;
}

Status Verified(const ActivationResponse& r) {
  // Through the wire, as a client sees it.
  Result<Message> m = DecodeFrame(EncodeResponse(r));
  if (!m.ok()) return m.status();
  return VerifyResponseSignature(std::get<ActivationResponse>(*m), HostKey().public_key());
}

TEST(BatchSignatureTest, EveryResponseOfABatchVerifiesUnderOneSignature) {
  std::vector<ActivationResponse> batch = SignedBatch(5, 1);
  for (const ActivationResponse& r : batch) {
    EXPECT_EQ(r.version, kProtocolVersion);
    EXPECT_EQ(r.batch_path.siblings.size(), 3u);
    EXPECT_EQ(r.signature, batch[0].signature);
    EXPECT_TRUE(Verified(r).ok()) << Verified(r).ToString();
  }
}

TEST(BatchSignatureTest, ATamperedLeafIsRefused) {
  std::vector<ActivationResponse> batch = SignedBatch(4, 1);
  ActivationResponse r = batch[2];
  r.current_count += 1;  // the response's own bytes: its leaf
  EXPECT_EQ(Verified(r).code(), ResultCode::kBadSignature);
}

TEST(BatchSignatureTest, ATamperedPathIsRefused) {
  std::vector<ActivationResponse> batch = SignedBatch(4, 1);
  for (std::size_t k = 0; k < batch[1].batch_path.siblings.size(); ++k) {
    ActivationResponse r = batch[1];
    r.batch_path.siblings[k][0] ^= 1;
    EXPECT_EQ(Verified(r).code(), ResultCode::kBadSignature) << "sibling " << k;
  }
  ActivationResponse moved = batch[1];
  moved.batch_path.index = 0;  // another leaf's place
  EXPECT_EQ(Verified(moved).code(), ResultCode::kBadSignature);
  // Dropping a level, or adding one, changes the root.
  ActivationResponse shorter = batch[1];
  shorter.batch_path.siblings.pop_back();
  EXPECT_EQ(Verified(shorter).code(), ResultCode::kBadSignature);
}

TEST(BatchSignatureTest, ATamperedRootSignatureIsRefused) {
  std::vector<ActivationResponse> batch = SignedBatch(4, 1);
  ActivationResponse r = batch[3];
  r.signature[10] ^= 0x40;
  EXPECT_EQ(Verified(r).code(), ResultCode::kBadSignature);
  // The root signed as something else (a version-2 response's context).
  ActivationResponse other = batch[3];
  BatchTree tree = BuildBatchTree({LeafHash(ResponseSignedBytes(other))});
  other.batch_path = tree.paths[0];
  other.signature = HostKey().Sign(kResponseSignatureContext, tree.root);
  EXPECT_EQ(Verified(other).code(), ResultCode::kBadSignature);
}

TEST(BatchSignatureTest, APathAndSignatureFromAnotherBatchAreRefused) {
  std::vector<ActivationResponse> a = SignedBatch(4, 1);
  std::vector<ActivationResponse> b = SignedBatch(4, 2);
  ActivationResponse r = a[1];
  r.batch_path = b[1].batch_path;
  EXPECT_EQ(Verified(r).code(), ResultCode::kBadSignature);
  r.signature = b[1].signature;
  EXPECT_EQ(Verified(r).code(), ResultCode::kBadSignature);
  r = a[1];
  r.signature = b[1].signature;
  EXPECT_EQ(Verified(r).code(), ResultCode::kBadSignature);
}

TEST(BatchSignatureTest, AnIndexAboveTheDepthDoesNotDecode) {
  std::vector<ActivationResponse> batch = SignedBatch(2, 1);
  Bytes frame = EncodeResponse(batch[1]);
  // The index is the 4 bytes after the certificate; depth 1 allows 0 and 1.
  const std::size_t at = frame.size() - 64 - 32 - 1 - 4;
  frame[at + 3] = 3;
  Result<Message> m = DecodeFrame(frame);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("batch_index"), std::string::npos) << m.status().ToString();
}

TEST(BatchSignatureTest, VersionTwoResponsesAreStillSignedAndVerifiedOneByOne) {
  ActivationResponse p = SampleResponse();
  p.version = kPerResponseSignatureVersion;
  SignResponse(p, HostKey());
  EXPECT_TRUE(p.batch_path.siblings.empty());
  Bytes frame = EncodeResponse(p);
  EXPECT_EQ(frame[kVersionOffset], kPerResponseSignatureVersion);
  EXPECT_EQ(frame.size(), kFrameHeaderSize + 164 + p.host_certificate.size());
  EXPECT_TRUE(Verified(p).ok());
  // A version-2 signature never passes as a version-3 batch of one.
  ActivationResponse as3 = p;
  as3.version = kProtocolVersion;
  EXPECT_EQ(Verified(as3).code(), ResultCode::kBadSignature);
}

}  // namespace
}  // namespace activa
