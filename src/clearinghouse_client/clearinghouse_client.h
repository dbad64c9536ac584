// activad's client of the vendor's clearinghouse (docs/clearinghouse.md):
// the three calls a host makes, over https_client.h.
//
// Every failure is a Status whose message ends with "(from the
// clearinghouse at URL)" when the server said it, and names the URL
// otherwise, so an administrator sees who refused and why. A 429 is
// kClearinghouseBusy, and `retry_after` (when given) receives how many
// seconds to wait.
//
// Blocking (see https_client.h): call off the event loop. Thread safety: a
// const object may be used from several threads.
#ifndef ACTIVA_CLEARINGHOUSE_CLIENT_CLEARINGHOUSE_CLIENT_H_
#define ACTIVA_CLEARINGHOUSE_CLIENT_CLEARINGHOUSE_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "clearinghouse_client/clearinghouse_api.h"
#include "clearinghouse_client/https_client.h"

namespace activa::clearinghouse {

struct ClientOptions {
  std::string url;                                         // https://host[:port]
  std::string url_source = "the catalog's clearinghouse";  // for errors
  std::vector<std::string> pins;                           // from the catalog
  std::string ca_file;                                     // [client] clearinghouse_ca
  std::string proxy;                                       // [client] proxy; "" = none configured
  std::string https_proxy;  // the environment's https_proxy (or HTTPS_PROXY)
  std::string no_proxy;     // the environment's no_proxy (or NO_PROXY)
  std::chrono::milliseconds deadline{30000};
};

class Client {
 public:
  // kNoClearinghouse for an empty URL; kInvalidArgument for a URL, proxy
  // or pin that does not parse, naming it.
  static Result<Client> Create(ClientOptions options);

  // POST /v1/activations.
  Result<ActivationAnswer> Activate(std::string_view installation_id,
                                    std::int64_t* retry_after = nullptr) const;
  // POST /v1/renewals: the new confirmation ID.
  Result<std::string> Renew(std::string_view installation_id,
                            std::int64_t* retry_after = nullptr) const;
  // GET /v1/revocations: the signed revocation list's text.
  Result<std::string> FetchRevocations(std::int64_t* retry_after = nullptr) const;

  const std::string& url() const { return url_; }

 private:
  Client(std::string url, HttpsOptions https) : url_(std::move(url)), https_(std::move(https)) {}
  Result<HttpsAnswer> Exchange(const HttpsRequest& request, std::int64_t* retry_after) const;

  std::string url_;
  HttpsOptions https_;
};

}  // namespace activa::clearinghouse

#endif  // ACTIVA_CLEARINGHOUSE_CLIENT_CLEARINGHOUSE_CLIENT_H_
