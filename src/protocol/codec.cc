#include "protocol/codec.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <string>
#include <utility>

namespace activa {
namespace {

constexpr std::string_view kMagic = "ACTV";
constexpr std::uint8_t kFlagVirtualMachine = 0x01;
constexpr std::uint8_t kMaxLicenseState = static_cast<std::uint8_t>(LicenseState::kExtendedGrace);

Status Malformed(std::string message) { return {ResultCode::kInvalidData, std::move(message)}; }

std::string Hex8(std::uint8_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(v));
  return buf;
}

// The length of the UTF-8 sequence starting at s[pos] and its code point, or 0
// when the bytes there are not well-formed UTF-8 (RFC 3629 section 4: no
// overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t Utf8Sequence(std::string_view s, std::size_t pos, char32_t* cp) {
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[pos + i]); };
  const std::uint8_t b0 = byte(0);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  std::size_t n;
  std::uint8_t lo = 0x80;  // allowed range of the second byte
  std::uint8_t hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() - pos < n) return 0;
  if (byte(1) < lo || byte(1) > hi) return 0;
  char32_t c = b0 & (0x7F >> n);
  for (std::size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    c = (c << 6) | (byte(i) & 0x3F);
  }
  *cp = c;
  return n;
}

// C0, DEL and C1: they could rewrite a log line or a terminal when the text
// is printed, and no machine name or error message needs them.
bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// OK when `text` is well-formed UTF-8 without control characters.
Status CheckText(std::string_view what, std::string_view field, std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t c = 0;
    std::size_t n = Utf8Sequence(text, pos, &c);
    if (n == 0) {
      return Malformed(std::string(what) + ": " + std::string(field) + " byte " +
                       std::to_string(pos) + " is not UTF-8");
    }
    if (IsControl(c)) {
      return Malformed(std::string(what) + ": " + std::string(field) + " byte " +
                       std::to_string(pos) + " is a control character");
    }
    pos += n;
  }
  return Status::Ok();
}

Status CheckInterval(std::string_view field, std::uint32_t minutes) {
  if (!ValidateInterval(minutes).ok()) {
    return Malformed("response: " + std::string(field) + " " + std::to_string(minutes) +
                     " is outside " + std::to_string(kMinIntervalMinutes) + ".." +
                     std::to_string(kMaxIntervalMinutes) + " minutes");
  }
  return Status::Ok();
}

// A ByteReader that remembers the first field that ran past the end of the
// body, so a truncated message is reported by the field it cut.
class FieldReader {
 public:
  FieldReader(std::string_view what, ByteSpan body) : what_(what), r_(body) {}

  std::uint8_t U8(const char* field) { return Note(r_.U8(), field); }
  std::uint16_t U16(const char* field) { return Note(r_.U16(), field); }
  std::uint32_t U32(const char* field) { return Note(r_.U32(), field); }
  std::int64_t I64(const char* field) { return Note(r_.I64(), field); }
  template <std::size_t N>
  void Fixed(std::array<std::uint8_t, N>& out, const char* field) {
    r_.Fixed(out);
    Note(0, field);
  }
  ByteSpan Blob16(const char* field) { return Note(r_.Blob16(), field); }
  std::string String8(const char* field) { return Note(r_.String8(), field); }

  // After the last field: the body must have ended exactly there.
  Status Finish(const char* last_field) const {
    if (!r_.ok()) return Malformed(what_ + ": body ends inside " + failed_field_);
    if (r_.remaining() != 0) {
      return Malformed(what_ + ": " + std::to_string(r_.remaining()) + " bytes after " +
                       last_field);
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  T Note(T value, const char* field) {
    if (!r_.ok() && failed_field_.empty()) failed_field_ = field;
    return value;
  }

  std::string what_;
  ByteReader r_;
  std::string failed_field_;
};

Bytes Frame(MessageType type, Bytes body, std::uint8_t version = kProtocolVersion) {
  assert(body.size() <= kMaxBodySize);
  ByteWriter w;
  w.Raw(kMagic);
  w.U8(type == MessageType::kError ? kErrorFrameVersion : version);
  w.U8(static_cast<std::uint8_t>(type));
  w.U16(0);  // reserved
  w.U32(static_cast<std::uint32_t>(body.size()));
  w.Raw(body);
  return w.Take();
}

}  // namespace

Result<FrameHeader> DecodeFrameHeader(ByteSpan header) {
  if (header.size() != kFrameHeaderSize) {
    return Malformed("frame header: " + std::to_string(header.size()) + " bytes, need " +
                     std::to_string(kFrameHeaderSize));
  }
  ByteReader r(header);
  ByteSpan magic = r.Take(kMagic.size());
  if (!std::equal(magic.begin(), magic.end(), kMagic.begin(), kMagic.end())) {
    return Malformed("frame header: magic is not \"ACTV\"");
  }
  FrameHeader h;
  h.version = r.U8();
  if (h.version != kProtocolVersion && h.version != kPerResponseSignatureVersion &&
      h.version != kErrorFrameVersion) {
    return Status(ResultCode::kUnsupportedVersion,
                  "frame header: version " + std::to_string(h.version) + " is not supported (" +
                      std::to_string(kProtocolVersion) + " is)");
  }
  std::uint8_t type = r.U8();
  if (type < static_cast<std::uint8_t>(MessageType::kRequest) ||
      type > static_cast<std::uint8_t>(MessageType::kError)) {
    return Malformed("frame header: type " + std::to_string(type) + " is not a message type");
  }
  h.type = static_cast<MessageType>(type);
  // Requests and responses of version 1 lack the applied threshold that
  // version 2 signs; they are refused, never read as another layout.
  if (h.type != MessageType::kError && h.version != kProtocolVersion &&
      h.version != kPerResponseSignatureVersion) {
    return Status(ResultCode::kUnsupportedVersion,
                  "frame header: version " + std::to_string(h.version) + " " +
                      (h.type == MessageType::kRequest ? "requests" : "responses") +
                      " are not supported (" + std::to_string(kProtocolVersion) + " is)");
  }
  // One version for error frames keeps the encoding canonical.
  if (h.type == MessageType::kError && h.version != kErrorFrameVersion) {
    return Malformed("frame header: an error frame is version " +
                     std::to_string(kErrorFrameVersion) + ", not " + std::to_string(h.version));
  }
  std::uint16_t reserved = r.U16();
  if (reserved != 0) {
    return Malformed("frame header: reserved is " + std::to_string(reserved) + ", must be 0");
  }
  h.body_length = r.U32();
  if (h.body_length > kMaxBodySize) {
    return Status(ResultCode::kFrameTooLarge,
                  "frame header: length " + std::to_string(h.body_length) +
                      " is over the limit of " + std::to_string(kMaxBodySize));
  }
  return h;
}

// --- Request ---

Status ValidateRequest(const ActivationRequest& q) {
  if (q.version != kProtocolVersion && q.version != kPerResponseSignatureVersion) {
    return Status(ResultCode::kUnsupportedVersion,
                  "request: version " + std::to_string(q.version) + " is not supported");
  }
  if (q.machine_name.empty()) return Malformed("request: machine_name is empty");
  if (q.machine_name.size() > kMaxMachineNameSize) {
    return Malformed("request: machine_name is " + std::to_string(q.machine_name.size()) +
                     " bytes, over " + std::to_string(kMaxMachineNameSize));
  }
  ACTIVA_RETURN_IF_ERROR(CheckText("request", "machine_name", q.machine_name));
  auto state = static_cast<std::uint8_t>(q.license_state);
  if (state > kMaxLicenseState) {
    return Malformed("request: license_state " + std::to_string(state) + " is not a license state");
  }
  if (q.required_count < kMinRequiredCount || q.required_count > kMaxRequiredCount) {
    return Malformed("request: required_count " + std::to_string(q.required_count) +
                     " is outside " + std::to_string(kMinRequiredCount) + ".." +
                     std::to_string(kMaxRequiredCount));
  }
  return Status::Ok();
}

Bytes EncodeRequest(const ActivationRequest& q) {
  assert(ValidateRequest(q).ok());
  ByteWriter w;
  w.Raw(q.cmid);
  w.Raw(q.previous_cmid);
  w.Raw(q.application_id);
  w.Raw(q.sku_id);
  w.String8(q.machine_name);
  w.U8(q.is_virtual_machine ? kFlagVirtualMachine : 0);
  w.U8(static_cast<std::uint8_t>(q.license_state));
  w.U32(q.minutes_left);
  w.U16(q.required_count);
  w.I64(q.client_time);
  w.Raw(q.nonce);
  return Frame(MessageType::kRequest, w.Take(), q.version);
}

Result<ActivationRequest> DecodeRequestBody(ByteSpan body, std::uint8_t version) {
  FieldReader r("request", body);
  ActivationRequest q;
  q.version = version;
  r.Fixed(q.cmid, "cmid");
  r.Fixed(q.previous_cmid, "previous_cmid");
  r.Fixed(q.application_id, "application_id");
  r.Fixed(q.sku_id, "sku_id");
  q.machine_name = r.String8("machine_name");
  std::uint8_t flags = r.U8("flags");
  q.license_state = static_cast<LicenseState>(r.U8("license_state"));
  q.minutes_left = r.U32("minutes_left");
  q.required_count = r.U16("required_count");
  q.client_time = r.I64("client_time");
  r.Fixed(q.nonce, "nonce");
  ACTIVA_RETURN_IF_ERROR(r.Finish("nonce"));
  // Unknown flag bits are refused rather than ignored: a later version that
  // gives one a meaning must not be misread by this one.
  if ((flags & ~kFlagVirtualMachine) != 0) {
    return Malformed("request: flags " + Hex8(flags) + " has unknown bits set");
  }
  q.is_virtual_machine = (flags & kFlagVirtualMachine) != 0;
  ACTIVA_RETURN_IF_ERROR(ValidateRequest(q));
  return q;
}

// --- Response ---

Status ValidateResponse(const ActivationResponse& p) {
  if (p.version != kProtocolVersion && p.version != kPerResponseSignatureVersion) {
    return Status(ResultCode::kUnsupportedVersion,
                  "response: version " + std::to_string(p.version) + " is not supported");
  }
  if (p.version == kProtocolVersion &&
      (p.batch_path.siblings.size() > kMaxBatchDepth ||
       (p.batch_path.index >> p.batch_path.siblings.size()) != 0)) {
    return Malformed("response: batch_index " + std::to_string(p.batch_path.index) +
                     " and batch_depth " + std::to_string(p.batch_path.siblings.size()) +
                     " do not name one leaf");
  }
  if (!ResultCodeFromValue(static_cast<std::uint32_t>(p.result))) {
    return Malformed("response: result " + FormatResultCode(p.result) + " is not a result code");
  }
  ACTIVA_RETURN_IF_ERROR(
      CheckInterval("activation_interval_minutes", p.activation_interval_minutes));
  ACTIVA_RETURN_IF_ERROR(CheckInterval("renewal_interval_minutes", p.renewal_interval_minutes));
  // A refused client holds no validity; a nonzero value here would be a
  // second, contradictory answer.
  if (p.result != ResultCode::kOk && p.validity_end != 0) {
    return Malformed("response: validity_end is " + std::to_string(p.validity_end) +
                     " with result " + FormatResultCode(p.result) + ", must be 0");
  }
  if (p.required_count > kMaxRequiredCount) {
    return Malformed("response: required_count " + std::to_string(p.required_count) + " is over " +
                     std::to_string(kMaxRequiredCount));
  }
  // 0 says the host applied no threshold, so it cannot have licensed anyone.
  if (p.result == ResultCode::kOk && p.required_count == 0) {
    return Malformed("response: required_count is 0 with result " + FormatResultCode(p.result) +
                     ", must be 1.." + std::to_string(kMaxRequiredCount));
  }
  if (p.host_certificate.size() > kMaxHostCertificateSize) {
    return Malformed("response: host_certificate is " + std::to_string(p.host_certificate.size()) +
                     " bytes, over " + std::to_string(kMaxHostCertificateSize));
  }
  return Status::Ok();
}

Bytes ResponseSignedBytes(const ActivationResponse& p) {
  assert(ValidateResponse(p).ok());
  ByteWriter w;
  w.U32(static_cast<std::uint32_t>(p.result));
  w.Raw(p.cmid);
  w.Raw(p.nonce);
  w.Raw(p.sku_id);
  w.U32(p.current_count);
  w.U16(p.required_count);
  w.U32(p.activation_interval_minutes);
  w.U32(p.renewal_interval_minutes);
  w.I64(p.validity_end);
  w.I64(p.host_time);
  w.Raw(p.host_id);
  w.Blob16(p.host_certificate);
  return w.Take();
}

Bytes EncodeResponse(const ActivationResponse& p) {
  Bytes body = ResponseSignedBytes(p);
  if (p.version == kProtocolVersion) {
    assert(p.batch_path.siblings.size() <= kMaxBatchDepth);
    ByteWriter w;
    w.U32(p.batch_path.index);
    w.U8(static_cast<std::uint8_t>(p.batch_path.siblings.size()));
    for (const TreeHash& h : p.batch_path.siblings) w.Raw(h);
    Bytes path = w.Take();
    body.insert(body.end(), path.begin(), path.end());
  }
  body.insert(body.end(), p.signature.begin(), p.signature.end());
  return Frame(MessageType::kResponse, std::move(body), p.version);
}

Result<ActivationResponse> DecodeResponseBody(ByteSpan body, std::uint8_t version) {
  FieldReader r("response", body);
  ActivationResponse p;
  p.version = version;
  p.result = static_cast<ResultCode>(r.U32("result"));
  r.Fixed(p.cmid, "cmid");
  r.Fixed(p.nonce, "nonce");
  r.Fixed(p.sku_id, "sku_id");
  p.current_count = r.U32("current_count");
  p.required_count = r.U16("required_count");
  p.activation_interval_minutes = r.U32("activation_interval_minutes");
  p.renewal_interval_minutes = r.U32("renewal_interval_minutes");
  p.validity_end = r.I64("validity_end");
  p.host_time = r.I64("host_time");
  r.Fixed(p.host_id, "host_id");
  ByteSpan cert = r.Blob16("host_certificate");
  p.host_certificate.assign(cert.begin(), cert.end());
  if (version == kProtocolVersion) {
    p.batch_path.index = r.U32("batch_index");
    std::uint8_t depth = r.U8("batch_depth");
    if (depth > kMaxBatchDepth) {
      return Malformed("response: batch_depth " + std::to_string(depth) + " is over " +
                       std::to_string(kMaxBatchDepth));
    }
    // One leaf, one path: an index with bits above the depth would let the
    // same path be sent under several indices.
    if (depth < 32 && (p.batch_path.index >> depth) != 0) {
      return Malformed("response: batch_index " + std::to_string(p.batch_path.index) +
                       " is not below 2^batch_depth (" + std::to_string(depth) + ")");
    }
    p.batch_path.siblings.resize(depth);
    for (TreeHash& h : p.batch_path.siblings) r.Fixed(h, "batch_path");
  } else if (version != kPerResponseSignatureVersion) {
    return Status(ResultCode::kUnsupportedVersion,
                  "response: version " + std::to_string(version) + " is not supported");
  }
  r.Fixed(p.signature, "signature");
  ACTIVA_RETURN_IF_ERROR(r.Finish("signature"));
  ACTIVA_RETURN_IF_ERROR(ValidateResponse(p));
  return p;
}

void SignResponseBatch(std::span<ActivationResponse*> responses, const SigningKey& host_key) {
  std::vector<ActivationResponse*> batched;
  std::vector<TreeHash> leaves;
  for (ActivationResponse* r : responses) {
    if (r->version == kPerResponseSignatureVersion) {
      r->signature = host_key.Sign(kResponseSignatureContext, ResponseSignedBytes(*r));
      continue;
    }
    batched.push_back(r);
    leaves.push_back(LeafHash(ResponseSignedBytes(*r)));
  }
  if (batched.empty()) return;
  assert(batched.size() <= kMaxBatchSize);
  BatchTree tree = BuildBatchTree(leaves);
  const Signature root_signature = host_key.Sign(kBatchRootSignatureContext, tree.root);
  for (std::size_t i = 0; i < batched.size(); ++i) {
    batched[i]->batch_path = std::move(tree.paths[i]);
    batched[i]->signature = root_signature;
  }
}

void SignResponse(ActivationResponse& response, const SigningKey& host_key) {
  ActivationResponse* one = &response;
  SignResponseBatch(std::span<ActivationResponse*>(&one, 1), host_key);
}

Status VerifyResponseSignature(const ActivationResponse& response, const PublicKey& host_key) {
  // Re-encoding gives back the bytes that were received because the encoding
  // is canonical (codec.h); a response that fails ValidateResponse() could not
  // have been decoded, so it is refused here rather than encoded.
  if (!ValidateResponse(response).ok()) {
    return {ResultCode::kBadSignature, "response: signature does not verify"};
  }
  bool good = false;
  if (response.version == kPerResponseSignatureVersion) {
    good = Verify(host_key, kResponseSignatureContext, ResponseSignedBytes(response),
                  response.signature);
  } else if (response.version == kProtocolVersion &&
             response.batch_path.siblings.size() <= kMaxBatchDepth &&
             (response.batch_path.index >> response.batch_path.siblings.size()) == 0) {
    const TreeHash root =
        RootFromPath(LeafHash(ResponseSignedBytes(response)), response.batch_path);
    good = Verify(host_key, kBatchRootSignatureContext, root, response.signature);
  }
  if (!good) return {ResultCode::kBadSignature, "response: signature does not verify"};
  return Status::Ok();
}

// --- Error ---

Status ValidateError(const ErrorMessage& e) {
  if (!ResultCodeFromValue(static_cast<std::uint32_t>(e.result))) {
    return Malformed("error: result " + FormatResultCode(e.result) + " is not a result code");
  }
  if (e.result == ResultCode::kOk) return Malformed("error: result is OK, must be an error");
  if (e.message.size() > kMaxErrorMessageSize) {
    return Malformed("error: message is " + std::to_string(e.message.size()) + " bytes, over " +
                     std::to_string(kMaxErrorMessageSize));
  }
  return CheckText("error", "message", e.message);
}

Bytes EncodeError(const ErrorMessage& e) {
  assert(ValidateError(e).ok());
  ByteWriter w;
  w.U32(static_cast<std::uint32_t>(e.result));
  w.Blob16(ByteSpan(reinterpret_cast<const std::uint8_t*>(e.message.data()), e.message.size()));
  return Frame(MessageType::kError, w.Take());
}

Result<ErrorMessage> DecodeErrorBody(ByteSpan body) {
  FieldReader r("error", body);
  ErrorMessage e;
  e.result = static_cast<ResultCode>(r.U32("result"));
  ByteSpan text = r.Blob16("message");
  e.message.assign(text.begin(), text.end());
  ACTIVA_RETURN_IF_ERROR(r.Finish("message"));
  ACTIVA_RETURN_IF_ERROR(ValidateError(e));
  return e;
}

ErrorMessage MakeErrorMessage(const Status& status) {
  assert(!status.ok());
  ErrorMessage e;
  e.result = status.code();
  const std::string text = status.message();
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t c = 0;
    std::size_t n = Utf8Sequence(text, pos, &c);
    std::string_view piece = (n == 0 || IsControl(c)) ? " " : std::string_view(text).substr(pos, n);
    if (e.message.size() + piece.size() > kMaxErrorMessageSize) break;
    e.message.append(piece);
    pos += n == 0 ? 1 : n;
  }
  return e;
}

// --- Any frame ---

Result<Message> DecodeFrame(ByteSpan frame) {
  if (frame.size() < kFrameHeaderSize) {
    return Malformed("frame: " + std::to_string(frame.size()) + " bytes is shorter than the " +
                     std::to_string(kFrameHeaderSize) + "-byte header");
  }
  Result<FrameHeader> header = DecodeFrameHeader(frame.first(kFrameHeaderSize));
  if (!header.ok()) return header.status();
  ByteSpan body = frame.subspan(kFrameHeaderSize);
  if (body.size() != header->body_length) {
    return Malformed("frame: header says " + std::to_string(header->body_length) + " body bytes, " +
                     std::to_string(body.size()) + " follow");
  }
  auto lift = [](auto decoded) -> Result<Message> {
    if (!decoded.ok()) return decoded.status();
    return Message(std::move(decoded).value());
  };
  switch (header->type) {
    case MessageType::kRequest:
      return lift(DecodeRequestBody(body, header->version));
    case MessageType::kResponse:
      return lift(DecodeResponseBody(body, header->version));
    case MessageType::kError:
      return lift(DecodeErrorBody(body));
  }
  return Malformed("frame: unknown type");  // unreachable: DecodeFrameHeader checked it
}

}  // namespace activa
