// The HostConnector of a real client: TCP to the host's port, one request
// frame, one answer frame (docs/protocol.md), each step bounded in time.
//
// Names are resolved through `resolver` when one is given (the [dns]
// resolver of the configuration, so tests and split-horizon setups use
// their own server), else through the system's resolver (getaddrinfo).
// Each address is tried in turn until one connects.
//
// Blocking; one call at a time (see client/attempt.h).
#ifndef ACTIVA_CLIENT_TCP_HOST_CONNECTOR_H_
#define ACTIVA_CLIENT_TCP_HOST_CONNECTOR_H_

#include "client/attempt.h"

namespace activa {

class TcpHostConnector : public HostConnector {
 public:
  // `resolver` may be null; it must outlive the connector.
  TcpHostConnector(int connect_timeout_seconds, int response_timeout_seconds,
                   dns::SrvResolver* resolver);
  Result<Reply> Exchange(const HostAddress& host, const ActivationRequest& request) override;

 private:
  Result<std::vector<std::string>> Addresses(const HostAddress& host);
  int connect_timeout_ms_;
  int response_timeout_ms_;
  dns::SrvResolver* resolver_;
};

}  // namespace activa

#endif  // ACTIVA_CLIENT_TCP_HOST_CONNECTOR_H_
