#include "clearinghouse_client/clearinghouse_client.h"

namespace activa::clearinghouse {

Result<Client> Client::Create(ClientOptions o) {
  if (o.url.empty()) {
    return Status(ResultCode::kNoClearinghouse,
                  "no clearinghouse is known: the catalog names none and [client] clearinghouse "
                  "is not set in activa.toml");
  }
  Result<HostAddress> server = ParseClearinghouseUrl(o.url, o.url_source);
  if (!server.ok()) return server.status();
  for (const std::string& pin : o.pins) {
    if (!IsValidPin(pin)) {
      return Status(ResultCode::kInvalidArgument,
                    "the catalog's clearinghouse_pins holds \"" + pin +
                        "\", not \"sha256:\" and 64 lower-case hexadecimal digits");
    }
  }
  Result<std::optional<HostAddress>> proxy =
      ChooseProxy(o.proxy, o.https_proxy, o.no_proxy, server->host);
  if (!proxy.ok()) return proxy.status();
  HttpsOptions https;
  https.server = *server;
  https.proxy = *proxy;
  https.pins = std::move(o.pins);
  https.ca_file = std::move(o.ca_file);
  https.deadline = o.deadline;
  std::string url = o.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return Client(std::move(url), std::move(https));
}

Result<HttpsAnswer> Client::Exchange(const HttpsRequest& request, std::int64_t* retry_after) const {
  Result<HttpsAnswer> answer = SendHttps(https_, request);
  if (!answer.ok()) {
    return Status(answer.status().code(),
                  "the clearinghouse at " + url_ + ": " + answer.status().message());
  }
  if (answer->status != 200) {
    if (answer->status == 429 && retry_after != nullptr) {
      *retry_after = ParseRetryAfter(answer->retry_after);
    }
    return ErrorFromAnswer(answer->status, answer->body, url_);
  }
  return answer;
}

namespace {
Status FromThere(const Status& s, const std::string& url) {
  return Status(s.code(), s.message() + " (from the clearinghouse at " + url + ")");
}
}  // namespace

Result<ActivationAnswer> Client::Activate(std::string_view installation_id,
                                          std::int64_t* retry_after) const {
  Result<HttpsAnswer> a =
      Exchange({"POST", "/v1/activations", InstallationRequestBody(installation_id)}, retry_after);
  if (!a.ok()) return a.status();
  Result<ActivationAnswer> parsed = ParseActivationAnswer(a->body);
  if (!parsed.ok()) return FromThere(parsed.status(), url_);
  return parsed;
}

Result<std::string> Client::Renew(std::string_view installation_id,
                                  std::int64_t* retry_after) const {
  Result<HttpsAnswer> a =
      Exchange({"POST", "/v1/renewals", InstallationRequestBody(installation_id)}, retry_after);
  if (!a.ok()) return a.status();
  Result<std::string> parsed = ParseRenewalAnswer(a->body);
  if (!parsed.ok()) return FromThere(parsed.status(), url_);
  return parsed;
}

Result<std::string> Client::FetchRevocations(std::int64_t* retry_after) const {
  Result<HttpsAnswer> a = Exchange({"GET", "/v1/revocations", ""}, retry_after);
  if (!a.ok()) return a.status();
  return std::move(a->body);
}

}  // namespace activa::clearinghouse
