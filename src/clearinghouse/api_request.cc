#include "clearinghouse/api_request.h"

#include <boost/json.hpp>

#include "keys/product_key.h"

namespace activa {
namespace json = boost::json;
namespace {

constexpr std::string_view kInstallationIdField = "installation_id";

ApiError Error(int http_status, ResultCode code, std::string message, std::string field = {}) {
  ApiError e;
  e.http_status = http_status;
  e.code = code;
  e.message = std::move(message);
  e.field = std::move(field);
  return e;
}

ParsedApiRequest Fail(ApiError e) {
  ParsedApiRequest p;
  p.error = std::move(e);
  return p;
}

struct RouteInfo {
  std::string_view path;
  std::string_view method;
  ApiRoute route;
};

constexpr RouteInfo kRoutes[] = {
    {"/v1/activations", "POST", ApiRoute::kActivate},
    {"/v1/renewals", "POST", ApiRoute::kRenew},
    {"/v1/revocations", "GET", ApiRoute::kRevocations},
    {"/healthz", "GET", ApiRoute::kHealth},
    {"/readyz", "GET", ApiRoute::kReady},
    {"/metrics", "GET", ApiRoute::kMetrics},
};

// A quoted field name or path for messages, with anything unprintable
// replaced: the text came from the network.
std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  if (text.size() > 64) out += "...";
  return out;
}

ParsedApiRequest ParseInstallationBody(ApiRoute route, std::string_view body) {
  json::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec) {
    return Fail(
        Error(400, ResultCode::kInvalidData, "the body is not JSON (" + ec.message() + ")"));
  }
  if (!root.is_object()) {
    return Fail(Error(400, ResultCode::kInvalidData, "the body is not a JSON object"));
  }
  const json::object& obj = root.as_object();
  for (const auto& member : obj) {
    if (member.key() != kInstallationIdField) {
      std::string name = Printable(member.key());
      return Fail(Error(400, ResultCode::kInvalidArgument,
                        "unknown field \"" + name + "\" (the request has only \"" +
                            std::string(kInstallationIdField) + "\")",
                        name));
    }
  }
  const json::value* iid = obj.if_contains(kInstallationIdField);
  if (iid == nullptr) {
    return Fail(Error(400, ResultCode::kInvalidArgument, "missing \"installation_id\"",
                      std::string(kInstallationIdField)));
  }
  if (!iid->is_string()) {
    return Fail(Error(400, ResultCode::kInvalidArgument, "\"installation_id\" is not a string",
                      std::string(kInstallationIdField)));
  }
  std::string_view text = iid->as_string();
  Result<InstallationId> parsed = ParseInstallationId(text);
  if (!parsed.ok()) {
    return Fail(Error(400, parsed.status().code(),
                      "\"installation_id\": " + std::string(parsed.status().message()),
                      std::string(kInstallationIdField)));
  }
  KeyKind kind = parsed->host_key.kind;
  if (kind != KeyKind::kHost && !(route == ApiRoute::kActivate && kind == KeyKind::kMak)) {
    std::string what = kind == KeyKind::kMak ? "a MAK" : "a setup key";
    std::string wanted =
        route == ApiRoute::kRenew ? "a host key (only hosts renew)" : "a host key or a MAK";
    return Fail(Error(400, ResultCode::kWrongKeyKind,
                      "\"installation_id\" carries " + what + ", not " + wanted,
                      std::string(kInstallationIdField)));
  }
  ParsedApiRequest p;
  p.request.emplace();
  p.request->route = route;
  p.request->installation_id_text = std::string(text);
  p.request->installation_id = std::move(parsed).value();
  return p;
}

}  // namespace

ParsedApiRequest ParseApiRequest(std::string_view method, std::string_view target,
                                 std::string_view body) {
  const RouteInfo* info = nullptr;
  for (const RouteInfo& r : kRoutes) {
    if (r.path == target) info = &r;
  }
  if (info == nullptr) {
    return Fail(Error(404, ResultCode::kNotFound,
                      "no such path: \"" + Printable(target) +
                          "\" (the API has /v1/activations, /v1/renewals, /v1/revocations, "
                          "/healthz, /readyz, /metrics)"));
  }
  if (method != info->method) {
    ApiError e = Error(405, ResultCode::kInvalidArgument,
                       std::string(info->path) + " takes " + std::string(info->method) + ", not " +
                           Printable(method));
    e.allow = std::string(info->method);
    return Fail(std::move(e));
  }
  if (body.size() > kMaxApiBodyBytes) {
    return Fail(Error(413, ResultCode::kRequestTooLarge,
                      "the body is " + std::to_string(body.size()) + " bytes; at most " +
                          std::to_string(kMaxApiBodyBytes) + " are accepted"));
  }
  if (info->route == ApiRoute::kActivate || info->route == ApiRoute::kRenew) {
    return ParseInstallationBody(info->route, body);
  }
  ParsedApiRequest p;
  p.request.emplace();
  p.request->route = info->route;
  return p;
}

int HttpStatusForRefusal(ResultCode code) {
  switch (code) {
    case ResultCode::kInvalidData:
    case ResultCode::kInvalidArgument:
    case ResultCode::kWrongKeyKind:
      return 400;
    case ResultCode::kInvalidKey:
    case ResultCode::kKeyRevoked:
    case ResultCode::kKeyOverLimit:
    case ResultCode::kNotFound:
    case ResultCode::kBadSignature:
    case ResultCode::kEditionNotCovered:
      return 403;
    case ResultCode::kRateLimited:
      return 429;
    case ResultCode::kStorage:
      return 503;
    default:
      return 500;
  }
}

std::string ApiErrorJson(const ApiError& error) {
  json::object e{{"code", FormatResultCode(error.code)}, {"message", error.message}};
  if (!error.field.empty()) e["field"] = error.field;
  return json::serialize(json::object{{"error", std::move(e)}});
}

std::string_view ApiRouteName(ApiRoute route) {
  switch (route) {
    case ApiRoute::kActivate:
      return "activations";
    case ApiRoute::kRenew:
      return "renewals";
    case ApiRoute::kRevocations:
      return "revocations";
    case ApiRoute::kHealth:
      return "healthz";
    case ApiRoute::kReady:
      return "readyz";
    case ApiRoute::kMetrics:
      return "metrics";
  }
  return "unknown";
}

}  // namespace activa
