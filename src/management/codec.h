// The management protocol's one JSON codec (docs/management.md): requests
// and responses as lines of JSON, and back. Every field name of the
// protocol's responses is spelled in codec_response.cc only; argument names come from
// the operations table (operations.h).
//
// Pure: text in, structs out; no sockets, no clock. Never throws: Boost.JSON
// is used through its error_code forms. Thread-safe (no state).
//
// The conversions are written out per struct rather than as Boost.JSON's
// tag_invoke value_from/value_to overloads: value_to reports a missing or
// ill-typed field by throwing, and the text of peers is untrusted input,
// whose errors must come back as values that name the field (and, for
// slmgr, fall back to a default). Each struct still has exactly one writer
// and one reader, in codec_response.cc (requests: codec_request.cc).
//
// Requests are decoded strictly: anything but a JSON object with a known
// "op" and exactly that operation's arguments, of the right kinds, is refused
// with a message naming the operation or argument:
//   kInvalidData      not a JSON object, or no "op" string
//   kInvalidArgument  unknown operation; unknown, missing or ill-typed
//                     argument; a value out of range (minutes, port)
// Integer arguments are JSON numbers; a decimal string ("60") is also
// accepted, as activad always did (its own tests send strings). An empty
// string or null for an optional activation ID means "not given", as before.
//
// Responses come from our own daemon but are still parsed defensively
// (a mismatched version or a bug there must give an error, not a crash).
// Absent and null fields take the struct's default. A field of the wrong
// type is an error under FieldCheck::kStrict and takes the default under
// kTolerant; the envelope ("result", "message") and each payload's
// essential field (dli's "products", dlc's "clients", dti's
// "installation_id", status's "product" with its "license_status",
// "minutes_left" and "last_result") are checked either way. Malformed
// responses are kInvalidData "activad's response is malformed: ...", naming
// the field. A response whose result is not 0 decodes to that Status (the
// daemon's code, even one this build does not know, and message), except
// for ato, whose failed attempts still carry products (AtoResponse).
#ifndef ACTIVA_MANAGEMENT_CODEC_H_
#define ACTIVA_MANAGEMENT_CODEC_H_

#include <string>
#include <string_view>

#include "base/status.h"
#include "management/types.h"

namespace activa::management {

// One line of JSON without its newline: {"op":"NAME",...arguments}.
std::string EncodeRequest(const Request& request);
// The inverse; `line` may end with '\n'.
Result<Request> DecodeRequest(std::string_view line);

// {"result":0,"message":"OK",...payload} or {"result":CODE,"message":TEXT}.
std::string EncodeResponse(const Response& response);
// The same for an error Status (which must not be OK).
std::string EncodeError(const Status& status);

// The bytes `record` takes in a dlc response's "clients" array, its comma
// included, so the daemon can end a page before its line would pass
// kMaxLineBytes.
std::size_t EncodedSize(const ClientRecord& record);
// What a dlc response takes besides its clients, at most.
inline constexpr std::size_t kDlcEnvelopeBytes = 256;

enum class FieldCheck { kStrict, kTolerant };

// The envelope of any response, for a caller that prints it as it came.
struct ResponseHead {
  ResultCode result = ResultCode::kOk;
  std::string message;
  std::string json;  // the whole response, re-serialized compactly
};
Result<ResponseHead> DecodeResponseHead(std::string_view line);

// The response to a request of `operation`, as the payload type that
// operation answers with (LicenseInfo for dli/dlv/xpr, Empty for settings).
Result<ResponsePayload> DecodeResponse(Operation operation, std::string_view line,
                                       FieldCheck check = FieldCheck::kStrict);

// Typed decoders; T is one of ResponsePayload's alternatives (explicitly
// instantiated in codec_response.cc).
template <typename T>
Result<T> DecodeResponseAs(std::string_view line, FieldCheck check = FieldCheck::kStrict);

inline Result<LicenseInfo> DecodeDliResponse(std::string_view line,
                                             FieldCheck check = FieldCheck::kStrict) {
  return DecodeResponseAs<LicenseInfo>(line, check);
}
inline Result<StatusResponse> DecodeStatusResponse(std::string_view line,
                                                   FieldCheck check = FieldCheck::kStrict) {
  return DecodeResponseAs<StatusResponse>(line, check);
}

}  // namespace activa::management

#endif  // ACTIVA_MANAGEMENT_CODEC_H_
