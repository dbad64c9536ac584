// What the clearinghouse answers, without the network: an HTTP request's
// method, target, body and source address in, the HTTP answer out.
//
// Every POST and every GET /v1/revocations is rate limited (per source
// address, then per key) and written to the audit log, refused ones too.
// The vendor's registry calls are synchronous: the service is used from
// one thread (the server's io thread), and so is the Vendor it holds.
#ifndef ACTIVA_CLEARINGHOUSE_CLEARINGHOUSE_SERVICE_H_
#define ACTIVA_CLEARINGHOUSE_CLEARINGHOUSE_SERVICE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "clearinghouse/api_request.h"
#include "clearinghouse/metrics.h"
#include "clearinghouse/rate_limiter.h"
#include "vendor/vendor.h"

namespace activa {

struct RateLimits {
  // Requests per second after a burst; a rate of 0 turns the limit off.
  double source_rate = 10;
  double source_burst = 100;
  double key_rate = 5;
  double key_burst = 200;
};

struct HttpAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  int retry_after = 0;  // 429: seconds, sent as Retry-After
  std::string allow;    // 405: sent as Allow
};

class ClearinghouseService {
 public:
  // How often, at most, GET /v1/revocations looks at the ledger again.
  static constexpr std::int64_t kRevocationCheckSeconds = 60;

  // `now` gives Unix seconds (certificates, audit, revocation lists);
  // `monotonic` seconds for the rate limits. `vendor` must outlive this.
  ClearinghouseService(Vendor& vendor, RateLimits limits, std::function<std::int64_t()> now,
                       std::function<double()> monotonic);

  // Reads the ledger's revocations and signs the first revocation list.
  Status Start();

  HttpAnswer Handle(std::string_view method, std::string_view target, std::string_view body,
                    const std::string& source);
  // The answer to a request that could not be read as HTTP, or whose body
  // is too large (the server's parser stops at kMaxApiBodyBytes).
  // `target` says which operation it was aimed at, for the audit log.
  HttpAnswer Refuse(const ApiError& error, std::string_view target, const std::string& source);

  ClearinghouseMetrics& metrics() { return metrics_; }

 private:
  HttpAnswer Activate(const ApiRequest& request, const std::string& source);
  HttpAnswer Revocations(const std::string& source);
  HttpAnswer Ready();
  HttpAnswer ErrorAnswer(const ApiError& error);
  // Refreshes the revocation list when the ledger's revocations changed.
  Status RefreshRevocations(std::int64_t now);
  void Audit(AuditRecord record);

  Vendor& vendor_;
  std::function<std::int64_t()> now_;
  std::function<double()> monotonic_;
  RateLimiter by_source_;
  RateLimiter by_key_;
  ClearinghouseMetrics metrics_;
  std::string revocation_state_;
  std::string revocation_list_;
  std::int64_t revocations_checked_ = 0;
};

}  // namespace activa

#endif  // ACTIVA_CLEARINGHOUSE_CLEARINGHOUSE_SERVICE_H_
