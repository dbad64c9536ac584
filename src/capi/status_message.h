// The `status` operation of the management protocol (docs/management.md),
// as the C API speaks it: the request line it sends and the reply it parses,
// both through the management codec (management/codec.h).
//
// Pure: text in, structs out; no socket. The reply comes from a local daemon
// but is still parsed defensively: anything that is not the documented shape
// is a kInvalidData Status, never a crash or an exception.
#ifndef ACTIVA_CAPI_STATUS_MESSAGE_H_
#define ACTIVA_CAPI_STATUS_MESSAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/uuid.h"
#include "management/types.h"
#include "net/unix_line_client.h"

namespace activa::capi {

// The most a line may hold (docs/management.md).
using net::kMaxLineBytes;

// What the C API exposes of a `status` reply: the `product` object as
// activad tells it, the machine's CMID and the proof. JudgeStatus
// (capi/license_check.h) then decides what of it to believe.
struct LicenseStatus {
  int state = 0;  // KMS numbering, 0..6
  std::uint32_t minutes_left = 0;
  std::uint32_t last_result = 0;
  std::string last_result_text;
  std::string name;
  Uuid cmid{};
  std::optional<management::ActivationProof> proof;
  // Set by JudgeStatus.
  ResultCode verification = ResultCode::kProofMissing;
  std::string verification_text;
};

// `{"op":"status","application_id":"...","sku_id":"..."}` (management/codec.h),
// the UUIDs in lower case, without the newline (the connection adds it).
std::string StatusRequestLine(const Uuid& application_id, const Uuid& sku_id);

// Parses one reply line (without its '\n'). A reply whose `result` is not 0
// becomes a Status with that code and the daemon's `message`; a reply that
// is not a JSON object with the documented fields becomes kInvalidData.
Result<LicenseStatus> ParseStatusReply(std::string_view line);

}  // namespace activa::capi

#endif  // ACTIVA_CAPI_STATUS_MESSAGE_H_
