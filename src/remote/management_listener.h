// activad's management listener (docs/remote.md): HTTPS (Boost.Beast over
// OpenSSL 3, TLS 1.2 and later, HTTP/1.1 with keep-alive) on the daemon's
// event loop, handing every request in plain types (http/http_types.h) to
// the daemon's http::Router. Bounded: headers 8 KiB, bodies 1 MiB, at most
// kMaxConnections connections, 10 s for a TLS handshake, 30 s to read a
// request once it has begun, and `idle_timeout_seconds` of silence between
// requests.
//
// Thread safety: everything on the event loop of the io_context it was
// made with. The router must not change once Start() was called, and must
// outlive the listener.
#ifndef ACTIVA_REMOTE_MANAGEMENT_LISTENER_H_
#define ACTIVA_REMOTE_MANAGEMENT_LISTENER_H_

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "http/router.h"
#include "net/host_address.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace activa::remote {

class ManagementListener {
 public:
  struct Options {
    std::vector<HostAddress> listen;  // IP addresses; port 0: the kernel chooses
    std::string certificate_file;     // PEM chain
    std::string key_file;             // PEM private key
    int idle_timeout_seconds = 30;
  };
  static constexpr std::size_t kMaxConnections = 256;
  static constexpr std::size_t kMaxBodyBytes = 1024 * 1024;

  // Loads the certificate and key and binds every address. Errors name the
  // file or the address.
  static Result<std::unique_ptr<ManagementListener>> Create(boost::asio::io_context& io,
                                                            const Options& options,
                                                            const http::Router& router);
  ~ManagementListener();
  ManagementListener(const ManagementListener&) = delete;
  ManagementListener& operator=(const ManagementListener&) = delete;

  // Starts accepting. `fatal` is called if an accept loop fails for good
  // (the daemon then ends: rule 18 of STYLE.md).
  void Start(std::function<void(std::exception_ptr)> fatal);

  // "127.0.0.1:1689", "[::]:1689": what is bound, ports as the kernel gave.
  std::vector<std::string> listening() const;

 private:
  struct Impl;
  explicit ManagementListener(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace activa::remote

#endif  // ACTIVA_REMOTE_MANAGEMENT_LISTENER_H_
