// The one-line status activad shows in `systemctl status activad` (sd_notify
// STATUS=): the host's count per application, the clients it holds, its
// requests, the last DNS publishing result, and a listener that could not
// be bound. Pure: the daemon collects, this formats.
#ifndef ACTIVA_DAEMON_SERVICE_STATUS_H_
#define ACTIVA_DAEMON_SERVICE_STATUS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "daemon/daemon_core.h"

namespace activa {

struct ServiceStatus {
  bool host = false;       // a host key is installed
  bool activated = false;  // ... and the vendor's certificate is held
  std::uint16_t port = 0;
  std::vector<std::pair<std::string, std::uint32_t>> counts;  // application, count
  std::size_t clients = 0;  // client records held (every application)
  std::uint64_t requests = 0;
  std::uint64_t failed = 0;
  std::string dns;  // "corp.example published" / "corp.example failed: ..."; "" = none yet
  // Why the activation port is not bound ("cannot listen on port ..."); "" =
  // bound, or no host key.
  std::string listen_error;
  std::size_t products = 0;  // installed products (client role)
};

// Reads what the status shows from `core` (Count() expires old records as
// it reads, as /dli does). `listen_error` is the daemon's.
ServiceStatus CollectServiceStatus(DaemonCore& core, std::string listen_error);

// "host: count Office 25, 30 clients, 412 requests (3 failed), port 1688,
// DNS corp.example published" or "client: 2 products, no host key". At
// most 200 bytes (a DNS error is cut).
std::string FormatServiceStatus(const ServiceStatus& status);

}  // namespace activa

#endif  // ACTIVA_DAEMON_SERVICE_STATUS_H_
