// The activation protocol's frames: encoding and decoding (docs/protocol.md).
//
// Pure: bytes in, structs out. Nothing here touches a socket, a file or the
// clock. The layout, the limits and the test vectors are in docs/protocol.md;
// this header states what each function promises.
//
// Decoding never trusts its input: every length is checked against the bytes
// that remain, every field against its allowed values, and a body must end
// exactly where its last field ends. A failure is a Status whose message names
// the message kind and the field ("request: license_state 9 is not a license
// state"); nothing asserts or throws on untrusted bytes. Messages carry no
// secrets: the only text copied from the input is a field's numeric value.
//
// The encoding is canonical: a frame that decodes re-encodes to the same
// bytes (the fuzz target checks this), so the signed portion of a decoded
// response can be rebuilt with ResponseSignedBytes().
//
// Encoding takes trusted structs. Their fields must satisfy the matching
// Validate*() function; encoding a struct that does not is a programming
// error (checked by assert in debug builds) and yields a frame the peer
// rejects.
//
// All functions are thread-safe: they share no state.
#ifndef ACTIVA_PROTOCOL_CODEC_H_
#define ACTIVA_PROTOCOL_CODEC_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "base/bytes.h"
#include "base/intervals.h"
#include "base/result_code.h"
#include "base/status.h"
#include "base/uuid.h"
#include "crypto/signing.h"
#include "licensing/license_state.h"
#include "protocol/batch_tree.h"

namespace activa {

// Framing. Requests and responses are version 3 (version 2 added the
// threshold the host applied to the signed response; version 3 signs
// responses in batches: one signature over the root of a Merkle tree, and
// each response carries its leaf's path, protocol/batch_tree.h). A version-2
// request has the same body as a version-3 one; the host still answers it,
// with a version-2 response signed on its own, and a version-2 response
// still decodes and verifies (a proof stored before an upgrade stays good).
// Error frames carry version 1 in every version of the protocol, so a client
// of any version can read the error that tells it its version is not
// supported.
inline constexpr std::uint8_t kProtocolVersion = 3;
inline constexpr std::uint8_t kPerResponseSignatureVersion = 2;
inline constexpr std::uint8_t kErrorFrameVersion = 1;
inline constexpr std::size_t kFrameHeaderSize = 12;
inline constexpr std::size_t kMaxFrameSize = 65536;  // header included
inline constexpr std::size_t kMaxBodySize = kMaxFrameSize - kFrameHeaderSize;

// Field limits (docs/protocol.md, "Rules").
inline constexpr std::size_t kMaxMachineNameSize = 255;  // bytes of UTF-8
inline constexpr std::uint16_t kMinRequiredCount = 1;
inline constexpr std::uint16_t kMaxRequiredCount = 1000;
// kMinIntervalMinutes, kMaxIntervalMinutes: base/intervals.h.
inline constexpr std::size_t kMaxHostCertificateSize = 4096;
inline constexpr std::size_t kMaxErrorMessageSize = 1024;  // bytes of UTF-8

// The contexts of the host's signatures (crypto/signing.h): over one
// version-2 response, and over the root of a version-3 batch. Each names its
// version and kind, so neither ever verifies as the other.
inline constexpr std::string_view kResponseSignatureContext = "activa/response/v2";
inline constexpr std::string_view kBatchRootSignatureContext = "activa/response-batch/v3";

enum class MessageType : std::uint8_t { kRequest = 1, kResponse = 2, kError = 3 };

struct FrameHeader {
  std::uint8_t version = kProtocolVersion;  // kErrorFrameVersion for kError
  MessageType type = MessageType::kRequest;
  std::uint32_t body_length = 0;  // at most kMaxBodySize

  bool operator==(const FrameHeader&) const = default;
};

// Decodes the 12-byte frame header. `header` must be exactly
// kFrameHeaderSize bytes. Checks, in this order:
//   magic "ACTV"                                 -> kInvalidData (not our protocol)
//   version is kProtocolVersion or kErrorFrameVersion -> kUnsupportedVersion
//   type is 1, 2 or 3                            -> kInvalidData
//   a request or response of kProtocolVersion    -> kUnsupportedVersion
//   an error of kErrorFrameVersion               -> kInvalidData
//   reserved == 0                                -> kInvalidData
//   body_length <= kMaxBodySize                  -> kFrameTooLarge
// An unknown version is refused before anything after it is read because a
// later version may give those bytes another meaning; versions 1 and 2 both
// give the type byte the same one.
Result<FrameHeader> DecodeFrameHeader(ByteSpan header);

using Nonce = std::array<std::uint8_t, 16>;

// Client to host: "count me and tell me whether I am activated".
struct ActivationRequest {
  Uuid cmid{};           // the client machine ID
  Uuid previous_cmid{};  // the client's earlier CMID, all zero when none
  Uuid application_id{};
  Uuid sku_id{};             // the edition
  std::string machine_name;  // 1..255 bytes of UTF-8, no control characters
  bool is_virtual_machine = false;
  LicenseState license_state = LicenseState::kUnlicensed;
  std::uint32_t minutes_left = 0;                    // in the current license state
  std::uint16_t required_count = kMinRequiredCount;  // the edition's threshold, 1..1000
  std::int64_t client_time = 0;                      // Unix seconds, UTC
  Nonce nonce{};                                     // fresh random per request; echoed
  // The frame's version: kProtocolVersion, or kPerResponseSignatureVersion
  // from a client that verifies responses signed one by one (same body).
  std::uint8_t version = kProtocolVersion;

  bool operator==(const ActivationRequest&) const = default;
};

// Host to client, signed by the host.
struct ActivationResponse {
  ResultCode result = ResultCode::kOk;  // any code ResultCodeFromValue() knows
  Uuid cmid{};                          // echoed from the request
  Nonce nonce{};                        // echoed
  Uuid sku_id{};                        // echoed
  std::uint32_t current_count = 0;
  // The threshold the host applied: the edition's in the host's catalog,
  // 1..1000; 0 when the host's catalog does not hold the edition, allowed
  // only on a refusal. The client checks it against its own catalog
  // (protocol/chain.h).
  std::uint16_t required_count = kMinRequiredCount;
  std::uint32_t activation_interval_minutes = kMinIntervalMinutes;  // 15..43200
  std::uint32_t renewal_interval_minutes = kMinIntervalMinutes;     // 15..43200
  std::int64_t validity_end = 0;  // Unix seconds; 0 unless result is kOk
  std::int64_t host_time = 0;     // Unix seconds, UTC
  Uuid host_id{};
  Bytes host_certificate;  // opaque to the codec; at most 4096 bytes
  // kProtocolVersion, or kPerResponseSignatureVersion for a response to a
  // version-2 request (no batch path; the signature is over this response).
  std::uint8_t version = kProtocolVersion;
  BatchPath batch_path;   // version 3: this response's leaf in its batch
  Signature signature{};  // see SignResponse(), SignResponseBatch()

  bool operator==(const ActivationResponse&) const = default;
};

// Host to client, when a request could not be decoded.
struct ErrorMessage {
  ResultCode result = ResultCode::kInvalidData;  // a known code other than kOk
  std::string message;  // at most 1024 bytes of UTF-8, no control characters

  bool operator==(const ErrorMessage&) const = default;
};

// Any decoded frame, for clients and tests.
using Message = std::variant<ActivationRequest, ActivationResponse, ErrorMessage>;

// Field checks shared by the decoders and callers about to encode. Each
// returns kInvalidData naming the first bad field, or OK.
Status ValidateRequest(const ActivationRequest& request);
Status ValidateResponse(const ActivationResponse& response);
Status ValidateError(const ErrorMessage& error);

// Whole frames (header and body). Preconditions: the matching Validate*()
// returns OK.
Bytes EncodeRequest(const ActivationRequest& request);
// Includes response.signature as it is; call SignResponse() first.
Bytes EncodeResponse(const ActivationResponse& response);
Bytes EncodeError(const ErrorMessage& error);

// Bodies only: `body` is exactly the header's body_length bytes after the
// header. Errors: kInvalidData naming the field that is truncated, out of
// range or followed by trailing bytes.
Result<ActivationRequest> DecodeRequestBody(ByteSpan body, std::uint8_t version = kProtocolVersion);
// Does not check the signature: the decoder has no key. See
// VerifyResponseSignature().
// `version` is the frame header's (kProtocolVersion or
// kPerResponseSignatureVersion).
Result<ActivationResponse> DecodeResponseBody(ByteSpan body,
                                              std::uint8_t version = kProtocolVersion);
Result<ErrorMessage> DecodeErrorBody(ByteSpan body);

// Decodes a whole frame of any type: the header, then the body its type
// names. `frame` must hold exactly one frame: fewer bytes than the header
// announces, or more, is kInvalidData. Header errors are as for
// DecodeFrameHeader().
Result<Message> DecodeFrame(ByteSpan frame);

// The bytes the response signature covers: the encoded body up to, not
// including, the signature. The header is not covered: it only frames the
// body, and every field with meaning (including the echoed CMID, nonce and
// edition that bind the response to its request) is in the body.
Bytes ResponseSignedBytes(const ActivationResponse& response);

// Signs a batch of responses with one signature: the Merkle tree over their
// ResponseSignedBytes() (protocol/batch_tree.h), its root signed with
// context kBatchRootSignatureContext; each version-3 response gets its path
// and the root's signature. A version-2 response in the batch is signed on
// its own (context kResponseSignatureContext) and is not a leaf. At most
// kMaxBatchSize version-3 responses. InitCrypto() must have been called.
void SignResponseBatch(std::span<ActivationResponse*> responses, const SigningKey& host_key);
// A batch of one.
void SignResponse(ActivationResponse& response, const SigningKey& host_key);

// OK when response.signature is `host_key`'s signature over the response
// (version 2) or over the root its leaf and path lead to (version 3);
// kBadSignature otherwise. Checks only the signature: the caller still
// checks that the nonce, CMID and edition match its request, and that
// `host_key` is one it trusts. InitCrypto() must have been called.
Status VerifyResponseSignature(const ActivationResponse& response, const PublicKey& host_key);

// An error message for `status` (which must not be OK) that always passes
// ValidateError(): control characters and bytes that are not UTF-8 become
// spaces, and the text is cut at a character boundary to at most
// kMaxErrorMessageSize bytes. Lets the host send any Status.
ErrorMessage MakeErrorMessage(const Status& status);

}  // namespace activa

#endif  // ACTIVA_PROTOCOL_CODEC_H_
