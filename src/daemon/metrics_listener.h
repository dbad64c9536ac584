// The plain-HTTP listener of `[management] metrics_listen` (docs/remote.md,
// "Metrics and health"): HTTP/1.1 without TLS and without a login, since
// Prometheus scrapes plain HTTP by default, serving a router that holds
// only GET /metrics, /healthz and /readyz (AddMetricsRoutes). Bind it to
// loopback or a monitoring network: what it serves is readable by anyone
// who reaches it.
//
// Bounded like the activation port: at most kMaxConnections at once (more
// are closed at once), a request header of at most 8 KiB and a body of at
// most 1 KiB (GET and HEAD need none; more is answered 413 and the
// connection closed), and a connection closed when a request does not
// arrive whole within kRequestTimeout.
//
// Lifetime: `io` and `router` must outlive the listener; the router's
// handlers run on `io`'s thread. Thread safety: `io`'s thread only.
#ifndef ACTIVA_DAEMON_METRICS_LISTENER_H_
#define ACTIVA_DAEMON_METRICS_LISTENER_H_

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/router.h"
#include "net/host_address.h"

namespace activa {

class MetricsListener {
 public:
  static constexpr std::size_t kMaxConnections = 32;
  static constexpr std::chrono::seconds kRequestTimeout{10};

  // Called when an accepting coroutine ends with an exception.
  using FatalError = std::function<void(std::string_view what, std::exception_ptr)>;

  MetricsListener(boost::asio::io_context& io, const http::Router& router, FatalError fatal);
  ~MetricsListener();
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  // Closes what is open, then listens on every address (IP addresses, as
  // the configuration checked them). Returns what could not be bound,
  // "ADDR:PORT: why" joined by "; ", or "" when every address was bound.
  std::string Listen(const std::vector<HostAddress>& addresses);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_METRICS_LISTENER_H_
