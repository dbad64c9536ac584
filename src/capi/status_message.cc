#include "capi/status_message.h"

#include <limits>

#include "management/codec.h"

namespace activa::capi {

std::string StatusRequestLine(const Uuid& application_id, const Uuid& sku_id) {
  return management::EncodeRequest(management::StatusRequest{application_id, sku_id});
}

Result<LicenseStatus> ParseStatusReply(std::string_view line) {
  if (line.size() > kMaxLineBytes) {
    return Status(ResultCode::kInvalidData, "activad's response is longer than 64 KiB");
  }
  // Strict: a product acts on this answer, so a field of the wrong type is
  // an error, not a default.
  Result<management::StatusResponse> reply =
      management::DecodeStatusResponse(line, management::FieldCheck::kStrict);
  if (!reply.ok()) return reply.status();
  const management::Product& p = reply->product;
  auto malformed = [](std::string_view what) {
    return Status(ResultCode::kInvalidData,
                  "activad's response is malformed: " + std::string(what));
  };
  // 0..6: KMS's numbering; Activa uses 0, 1, 2, 3 and 5.
  if (p.license_status < 0 || p.license_status > 6) {
    return malformed("\"license_status\" is not 0..6");
  }
  if (p.minutes_left < 0 || p.minutes_left > std::numeric_limits<std::uint32_t>::max()) {
    return malformed("\"minutes_left\" is not a 32-bit unsigned number");
  }
  LicenseStatus status;
  status.state = p.license_status;
  status.minutes_left = static_cast<std::uint32_t>(p.minutes_left);
  status.last_result = static_cast<std::uint32_t>(p.last_result);
  // An older or terser daemon may leave the text out; the standard text of
  // the code says the same thing.
  status.last_result_text = p.last_result_text.empty()
                                ? std::string(ResultCodeMessage(p.last_result))
                                : p.last_result_text;
  status.name = p.name;
  status.cmid = reply->cmid;
  status.proof = reply->proof;
  return status;
}

}  // namespace activa::capi
