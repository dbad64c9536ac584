// An entry of the daemon's event log (DESIGN.md section 2): the KMS event
// IDs, stored in the state database and sent to the journal. The daemon's
// own diagnostics are log lines (daemon/log.h), never events.
#ifndef ACTIVA_BASE_EVENT_H_
#define ACTIVA_BASE_EVENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "base/result_code.h"
#include "base/uuid.h"

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

// The fields of a 12290 "request processed" event, as the host decided
// it. The host stores these, not the sentence: rendering happens when the
// event is read (FormatHostRequestEvent), which keeps string building off
// the event loop and the row small on the commit thread (docs/activad.md,
// "The state database").
struct HostRequestEvent {
  ResultCode result = ResultCode::kOk;
  std::uint32_t count = 0;           // the count the answer carries
  std::uint16_t required_count = 0;  // the request's
  // The edition's threshold in the host's catalog; 0 when the edition is
  // not in it (then the sentence has no threshold).
  std::uint16_t threshold = 0;
  std::string machine_name;
  Uuid cmid{};
  std::string edition;  // the catalog's name, or the SKU ID as text
  std::int64_t client_time = 0;
  int license_state = 0;
  std::uint32_t minutes_left = 0;
  bool is_virtual_machine = false;
};

// The sentence of a 12290 event, byte for byte the one the host wrote
// into the events table before the fields were stored as columns.
std::string FormatHostRequestEvent(const HostRequestEvent& e);

struct Event {
  Event() = default;
  // A text event (every kind but the host's 12290).
  Event(std::int64_t id_in, std::int64_t time_in, int event_id_in, std::string message_in)
      : id(id_in), time(time_in), event_id(event_id_in), message(std::move(message_in)) {}

  std::int64_t id = 0;  // assigned on append
  std::int64_t time = 0;
  int event_id = 0;  // one of the above
  // The text; empty while `request` holds the fields of a 12290 event that
  // has not been rendered yet (EventText).
  std::string message;
  std::optional<HostRequestEvent> request;
};

// What the event says: its message, or its request's fields rendered.
std::string EventText(const Event& e);

}  // namespace activa

#endif  // ACTIVA_BASE_EVENT_H_
