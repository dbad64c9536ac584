// The clearinghouse's HTTPS listener (Boost.Beast over OpenSSL 3, TLS 1.2
// and later, HTTP/1.1 with keep-alive) in front of a ClearinghouseService.
//
// One io thread runs everything: TLS, HTTP and the service, whose registry
// calls are synchronous, so requests are answered one at a time in the
// order they complete (docs/clearinghouse.md, "How it runs"). More
// throughput comes from more processes on one database, not threads.
//
// SIGTERM or SIGINT: the listener closes, requests already being read or
// answered finish (their answers say Connection: close), connections idle
// between requests are closed after a grace of kIdleGraceSeconds, and Run()
// returns.
#ifndef ACTIVA_CLEARINGHOUSE_HTTPS_SERVER_H_
#define ACTIVA_CLEARINGHOUSE_HTTPS_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "clearinghouse/clearinghouse_service.h"

namespace activa {

class HttpsServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";  // an IPv4 or IPv6 address
    std::uint16_t port = 0;             // 0: the kernel chooses
    std::string certificate_file;       // PEM chain
    std::string key_file;               // PEM private key
    int idle_timeout_seconds = 30;      // a keep-alive connection's silence
  };
  static constexpr int kIdleGraceSeconds = 2;

  // Loads the certificate and key and binds the address. Errors name the
  // file or the address.
  static Result<std::unique_ptr<HttpsServer>> Create(const Options& options,
                                                     ClearinghouseService& service);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // The port bound (the kernel's choice when Options::port was 0).
  std::uint16_t port() const;
  // Serves until SIGTERM or SIGINT, then drains as described above.
  Status Run();

 private:
  struct Impl;
  explicit HttpsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Splits "ADDR:PORT" ("127.0.0.1:8443", "[::1]:8443", port 0 allowed) for
// --listen; kInvalidArgument naming what is wrong.
Status ParseListenAddress(const std::string& text, std::string* address, std::uint16_t* port);

}  // namespace activa

#endif  // ACTIVA_CLEARINGHOUSE_HTTPS_SERVER_H_
