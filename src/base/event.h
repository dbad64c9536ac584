// An entry of the daemon's event log (DESIGN.md section 2): the KMS event
// IDs, stored in the state database and sent to the journal. The daemon's
// own diagnostics are log lines (daemon/log.h), never events.
#ifndef ACTIVA_BASE_EVENT_H_
#define ACTIVA_BASE_EVENT_H_

#include <cstdint>
#include <string>

namespace activa {

// The event IDs the log keeps, KMS's numbers.
inline constexpr int kEventClientRequest = 12288;  // a client sent a request
inline constexpr int kEventClientResult = 12289;   // ... and what came of it
inline constexpr int kEventHostRequest = 12290;    // a host processed a request
inline constexpr int kEventDnsFailed = 12293;      // publishing in DNS failed
inline constexpr int kEventDnsPublished = 12294;   // publishing in DNS succeeded
// Activa's own, next to KMS's: the host could not reach the vendor's
// clearinghouse (renewal, revocation list); logged when it starts failing.
inline constexpr int kEventClearinghouseUnreachable = 12295;
// Remote management (docs/remote.md): a login over the management listener
// failed (source and user), and a change made remotely (user, source, the
// operation).
inline constexpr int kEventRemoteLoginFailed = 12296;
inline constexpr int kEventRemoteChange = 12297;

constexpr bool IsKmsEventId(int id) {
  return id == kEventClientRequest || id == kEventClientResult || id == kEventHostRequest ||
         id == kEventDnsFailed || id == kEventDnsPublished ||
         id == kEventClearinghouseUnreachable || id == kEventRemoteLoginFailed ||
         id == kEventRemoteChange;
}

struct Event {
  std::int64_t id = 0;  // assigned on append
  std::int64_t time = 0;
  int event_id = 0;  // one of the above
  std::string message;
};

}  // namespace activa

#endif  // ACTIVA_BASE_EVENT_H_
