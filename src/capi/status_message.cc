#include "capi/status_message.h"

#include <boost/json.hpp>
#include <limits>
#include <optional>

namespace activa::capi {
namespace {

namespace json = boost::json;

Status Malformed(std::string_view what) {
  return Status(ResultCode::kInvalidData,
                "activad's status reply is malformed: " + std::string(what));
}

// A JSON integer in [0, max]; doubles are refused even when whole, because
// the daemon never writes them and accepting 1e3 would hide a bug there.
std::optional<std::uint64_t> Unsigned(const json::value* v, std::uint64_t max) {
  if (v == nullptr) return std::nullopt;
  std::uint64_t n;
  if (v->is_uint64()) {
    n = v->get_uint64();
  } else if (v->is_int64() && v->get_int64() >= 0) {
    n = static_cast<std::uint64_t>(v->get_int64());
  } else {
    return std::nullopt;
  }
  if (n > max) return std::nullopt;
  return n;
}

// An optional string field: absent or null is "", any other type is refused.
std::optional<std::string> OptionalString(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

}  // namespace

std::string StatusRequestLine(const Uuid& application_id, const Uuid& sku_id) {
  json::object request;
  request["op"] = "status";
  request["application_id"] = FormatUuid(application_id);
  request["sku_id"] = FormatUuid(sku_id);
  return json::serialize(request) + "\n";
}

Result<LicenseStatus> ParseStatusReply(std::string_view line) {
  if (line.size() > kMaxLineBytes) return Malformed("longer than 64 KiB");
  json::error_code ec;
  json::value reply = json::parse(line, ec);
  if (ec) return Malformed("not JSON (" + ec.message() + ")");
  const json::object* obj = reply.if_object();
  if (obj == nullptr) return Malformed("not a JSON object");

  std::optional<std::uint64_t> result =
      Unsigned(obj->if_contains("result"), std::numeric_limits<std::uint32_t>::max());
  if (!result) return Malformed("\"result\" is missing or not a 32-bit unsigned number");
  if (*result != 0) {
    // The daemon's own failure: pass its code through (even one this build
    // does not know, so a newer daemon's codes reach the product) and its
    // message, which names the problem.
    std::optional<std::string> message = OptionalString(*obj, "message");
    return Status(static_cast<ResultCode>(*result), message ? *message : std::string());
  }

  const json::value* product_value = obj->if_contains("product");
  const json::object* product = product_value ? product_value->if_object() : nullptr;
  if (product == nullptr) return Malformed("\"product\" is missing or not an object");

  LicenseStatus status;
  // 0..6: KMS's numbering; Activa uses 0, 1, 2, 3 and 5.
  std::optional<std::uint64_t> state = Unsigned(product->if_contains("license_status"), 6);
  if (!state) return Malformed("\"license_status\" is missing or not 0..6");
  status.state = static_cast<int>(*state);

  std::optional<std::uint64_t> minutes =
      Unsigned(product->if_contains("minutes_left"), std::numeric_limits<std::uint32_t>::max());
  if (!minutes) return Malformed("\"minutes_left\" is missing or not a 32-bit unsigned number");
  status.minutes_left = static_cast<std::uint32_t>(*minutes);

  std::optional<std::uint64_t> last_result =
      Unsigned(product->if_contains("last_result"), std::numeric_limits<std::uint32_t>::max());
  if (!last_result) return Malformed("\"last_result\" is missing or not a 32-bit unsigned number");
  status.last_result = static_cast<std::uint32_t>(*last_result);

  std::optional<std::string> text = OptionalString(*product, "last_result_text");
  if (!text) return Malformed("\"last_result_text\" is not a string");
  // An older or terser daemon may leave the text out; the standard text of
  // the code says the same thing.
  status.last_result_text =
      text->empty() ? std::string(ResultCodeMessage(static_cast<ResultCode>(status.last_result)))
                    : std::move(*text);

  std::optional<std::string> name = OptionalString(*product, "name");
  if (!name) return Malformed("\"name\" is not a string");
  status.name = std::move(*name);
  return status;
}

}  // namespace activa::capi
