// One HTTPS exchange (HTTP/1.1 over TLS 1.2 or later), optionally through
// an HTTP CONNECT proxy, with a deadline. Boost.Beast and OpenSSL stay in
// the .cc file.
//
// How the server is checked:
//  - `pins` not empty: the server's certificate's SubjectPublicKeyInfo
//    must hash (SHA-256) to one of them ("sha256:<64 hex>"); neither the
//    chain nor the name is consulted, so a self-signed certificate works.
//  - `pins` empty: the chain must verify against `ca_file` (PEM) when set,
//    else the system's trust store, and the certificate must name `host`.
// A server that fails the check is kClearinghouseUntrusted, with a message
// naming the check; nothing is sent to it.
//
// Blocking: Send() runs its own I/O context on the calling thread and
// returns by the deadline. Call it off activad's event loop (the daemon
// runs it on a worker thread). Thread safety: Send() is reentrant; an
// HttpsClient holds no connection between calls.
#ifndef ACTIVA_CLEARINGHOUSE_CLIENT_HTTPS_CLIENT_H_
#define ACTIVA_CLEARINGHOUSE_CLIENT_HTTPS_CLIENT_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "net/host_address.h"

namespace activa::clearinghouse {

struct HttpsOptions {
  HostAddress server;
  std::optional<HostAddress> proxy;  // HTTP CONNECT
  std::vector<std::string> pins;
  std::string ca_file;  // "" = the system's trust store
  // For the whole exchange (resolve, connect, proxy, handshake, request,
  // answer).
  std::chrono::milliseconds deadline{30000};
};

struct HttpsRequest {
  std::string method;  // "GET" or "POST"
  std::string target;  // "/v1/activations"
  std::string body;    // JSON for POST
};

struct HttpsAnswer {
  int status = 0;
  std::string body;
  std::string retry_after;  // the header's value, "" when absent
};

// Transport failures (resolution, connection, proxy refusal, deadline, TLS
// errors other than trust) are kClearinghouseUnreachable naming the step;
// an answer over kMaxAnswerBytes or not HTTP is kClearinghouseBadAnswer.
// Any HTTP status is a successful exchange.
Result<HttpsAnswer> SendHttps(const HttpsOptions& options, const HttpsRequest& request);

// "sha256:<hex>" of the SubjectPublicKeyInfo of the first certificate in
// `pem` (for tests and tools); kInvalidData when it holds none.
Result<std::string> SpkiPinOfPem(std::string_view pem);

}  // namespace activa::clearinghouse

#endif  // ACTIVA_CLEARINGHOUSE_CLIENT_HTTPS_CLIENT_H_
