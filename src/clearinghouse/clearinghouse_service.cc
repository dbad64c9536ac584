#include "clearinghouse/clearinghouse_service.h"

#include <boost/json.hpp>
#include <cstdio>

#include "base/bytes.h"
#include "keys/product_key.h"

namespace activa {
namespace json = boost::json;
namespace {

std::string_view KindName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kHost:
      return "host";
    case KeyKind::kMak:
      return "mak";
    default:
      return "";
  }
}

std::string_view OperationOf(ApiRoute route) {
  switch (route) {
    case ApiRoute::kActivate:
      return "activate";
    case ApiRoute::kRenew:
      return "renew";
    case ApiRoute::kRevocations:
      return "revocations";
    default:
      return "";
  }
}

// The operation a refused request was aimed at, by its path alone (it may
// not have parsed): "" for paths that are not audited.
std::string_view OperationOfTarget(std::string_view target) {
  if (target == "/v1/activations") return "activate";
  if (target == "/v1/renewals") return "renew";
  if (target == "/v1/revocations") return "revocations";
  return "";
}

std::string_view RouteNameOfTarget(std::string_view target) {
  if (target == "/v1/activations") return "activations";
  if (target == "/v1/renewals") return "renewals";
  if (target == "/v1/revocations") return "revocations";
  if (target == "/healthz") return "healthz";
  if (target == "/readyz") return "readyz";
  if (target == "/metrics") return "metrics";
  return "other";
}

ApiError MakeError(int http_status, ResultCode code, std::string message, std::string field = {}) {
  ApiError e;
  e.http_status = http_status;
  e.code = code;
  e.message = std::move(message);
  e.field = std::move(field);
  return e;
}

}  // namespace

ClearinghouseService::ClearinghouseService(Vendor& vendor, RateLimits limits,
                                           std::function<std::int64_t()> now,
                                           std::function<double()> monotonic)
    : vendor_(vendor),
      now_(std::move(now)),
      monotonic_(std::move(monotonic)),
      by_source_(limits.source_rate, limits.source_burst),
      by_key_(limits.key_rate, limits.key_burst) {}

Status ClearinghouseService::Start() {
  std::int64_t now = now_();
  Result<std::string> state = vendor_.RevocationState();
  if (!state.ok()) return state.status();
  Result<std::string> list = vendor_.SignedRevocations(now);
  if (!list.ok()) return list.status();
  revocation_state_ = std::move(state).value();
  revocation_list_ = std::move(list).value();
  revocations_checked_ = now;
  return Status::Ok();
}

HttpAnswer ClearinghouseService::Handle(std::string_view method, std::string_view target,
                                        std::string_view body, const std::string& source) {
  const double started = monotonic_();
  ParsedApiRequest parsed = ParseApiRequest(method, target, body);
  HttpAnswer answer;
  if (!parsed.request) {
    // Refuse() counts the request itself.
    answer = Refuse(parsed.error, target, source);
    metrics_.ObserveLatency(monotonic_() - started);
    return answer;
  }
  const ApiRequest& request = *parsed.request;
  switch (request.route) {
    case ApiRoute::kHealth:
      answer.body = R"({"status":"alive"})";
      break;
    case ApiRoute::kReady:
      answer = Ready();
      break;
    case ApiRoute::kMetrics:
      // The request itself is counted after its answer was written.
      answer.content_type = "text/plain; version=0.0.4; charset=utf-8";
      answer.body = metrics_.Text();
      break;
    case ApiRoute::kActivate:
    case ApiRoute::kRenew:
      answer = Activate(request, source);
      break;
    case ApiRoute::kRevocations:
      answer = Revocations(source);
      break;
  }
  metrics_.CountRequest(ApiRouteName(request.route), answer.status);
  metrics_.ObserveLatency(monotonic_() - started);
  return answer;
}

HttpAnswer ClearinghouseService::Refuse(const ApiError& error, std::string_view target,
                                        const std::string& source) {
  metrics_.CountRequest(RouteNameOfTarget(target), error.http_status);
  std::string_view operation = OperationOfTarget(target);
  if (!operation.empty()) {
    // A malformed attempt is an attempt: it is audited and counted, with
    // no key or machine, as the request named none that could be read.
    AuditRecord record;
    record.time = now_();
    record.source = source;
    record.operation = std::string(operation);
    record.result = static_cast<std::uint32_t>(error.code);
    record.message = error.message;
    if (operation == "activate") metrics_.CountActivation("unknown", record.result);
    if (operation == "renew") metrics_.CountRenewal(record.result);
    Audit(std::move(record));
  }
  return ErrorAnswer(error);
}

HttpAnswer ClearinghouseService::ErrorAnswer(const ApiError& error) {
  HttpAnswer a;
  a.status = error.http_status;
  a.body = ApiErrorJson(error);
  a.allow = error.allow;
  return a;
}

HttpAnswer ClearinghouseService::Activate(const ApiRequest& request, const std::string& source) {
  const InstallationId& iid = request.installation_id;
  AuditRecord record;
  record.time = now_();
  record.source = source;
  record.operation = std::string(OperationOf(request.route));
  record.key_serial = iid.host_key.serial;
  record.key_kind = std::string(KindName(iid.host_key.kind));
  record.machine = HexEncode(iid.machine_tag);

  auto finish = [&](HttpAnswer answer, ResultCode code, std::string message) {
    record.result = static_cast<std::uint32_t>(code);
    record.message = std::move(message);
    if (request.route == ApiRoute::kActivate) {
      metrics_.CountActivation(record.key_kind, record.result);
    } else {
      metrics_.CountRenewal(record.result);
    }
    Audit(std::move(record));
    return answer;
  };

  const double now_mono = monotonic_();
  int wait = by_source_.Admit(source, now_mono);
  std::string_view scope = "source";
  if (wait == 0) {
    // Keys are limited by serial and vendor tag: the two together name one
    // key of one vendor whatever the rest of the installation ID says.
    wait = by_key_.Admit(
        std::to_string(iid.host_key.vendor_tag) + "/" + std::to_string(iid.host_key.serial),
        now_mono);
    scope = "key";
  }
  if (wait > 0) {
    metrics_.CountRateLimited(scope);
    std::string message = "too many requests " +
                          std::string(scope == "source" ? "from this address" : "for this key") +
                          "; retry in " + std::to_string(wait) + " s";
    HttpAnswer a = ErrorAnswer(MakeError(429, ResultCode::kRateLimited, message));
    a.retry_after = wait;
    return finish(std::move(a), ResultCode::kRateLimited, message);
  }

  Result<std::string> cid = request.route == ApiRoute::kActivate
                                ? vendor_.Confirm(request.installation_id_text, record.time)
                                : vendor_.Renew(request.installation_id_text, record.time);
  if (!cid.ok()) {
    ResultCode code = cid.status().code();
    if (code == ResultCode::kStorage) metrics_.CountDatabaseError();
    int status = HttpStatusForRefusal(code);
    std::string message(cid.status().message());
    ApiError e = MakeError(status, code, message, status == 400 ? "installation_id" : "");
    if (status == 503) e.message = "the key database is unavailable; retry later";
    if (status == 500) e.message = "internal error; the vendor's log has the details";
    if (status >= 500) {
      std::fprintf(stderr, "activa-vendor serve: %s from %s: %s\n", record.operation.c_str(),
                   source.c_str(), cid.status().ToString().c_str());
    }
    return finish(ErrorAnswer(e), code, message);
  }
  json::object out{{"confirmation_id", *cid}};
  if (request.route == ApiRoute::kActivate) out["kind"] = record.key_kind;
  HttpAnswer a;
  a.body = json::serialize(out);
  return finish(std::move(a), ResultCode::kOk, "");
}

HttpAnswer ClearinghouseService::Revocations(const std::string& source) {
  AuditRecord record;
  record.time = now_();
  record.source = source;
  record.operation = "revocations";
  int wait = by_source_.Admit(source, monotonic_());
  if (wait > 0) {
    metrics_.CountRateLimited("source");
    std::string message =
        "too many requests from this address; retry in " + std::to_string(wait) + " s";
    HttpAnswer a = ErrorAnswer(MakeError(429, ResultCode::kRateLimited, message));
    a.retry_after = wait;
    record.result = static_cast<std::uint32_t>(ResultCode::kRateLimited);
    record.message = message;
    Audit(std::move(record));
    return a;
  }
  // The ledger is looked at again at most once a minute: a GET never
  // issues a serial of its own, a changed ledger does.
  if (record.time - revocations_checked_ >= kRevocationCheckSeconds ||
      record.time < revocations_checked_ || revocation_list_.empty()) {
    Status s = RefreshRevocations(record.time);
    if (!s.ok()) {
      metrics_.CountDatabaseError();
      std::fprintf(stderr, "activa-vendor serve: revocation list: %s\n", s.ToString().c_str());
    }
  }
  HttpAnswer a;
  if (revocation_list_.empty()) {
    a = ErrorAnswer(
        MakeError(503, ResultCode::kStorage, "the key database is unavailable; retry later"));
    record.result = static_cast<std::uint32_t>(ResultCode::kStorage);
  } else {
    a.body = revocation_list_;
  }
  Audit(std::move(record));
  return a;
}

Status ClearinghouseService::RefreshRevocations(std::int64_t now) {
  Result<std::string> state = vendor_.RevocationState();
  if (!state.ok()) return state.status();
  revocations_checked_ = now;
  if (*state == revocation_state_ && !revocation_list_.empty()) return Status::Ok();
  Result<std::string> list = vendor_.SignedRevocations(now);
  if (!list.ok()) return list.status();
  revocation_state_ = std::move(state).value();
  revocation_list_ = std::move(list).value();
  return Status::Ok();
}

HttpAnswer ClearinghouseService::Ready() {
  Status s = vendor_.CheckDatabase();
  if (!s.ok()) {
    metrics_.CountDatabaseError();
    return ErrorAnswer(MakeError(503, ResultCode::kStorage,
                                 "the key database is unavailable: " + std::string(s.message())));
  }
  HttpAnswer a;
  a.body = R"({"status":"ready"})";
  return a;
}

void ClearinghouseService::Audit(AuditRecord record) {
  Status s = vendor_.AppendAudit(record);
  if (!s.ok()) {
    metrics_.CountDatabaseError();
    std::fprintf(stderr, "activa-vendor serve: audit log: %s\n", s.ToString().c_str());
  }
}

}  // namespace activa
