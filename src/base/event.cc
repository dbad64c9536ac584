#include "base/event.h"

#include "base/time_text.h"

namespace activa {

std::string FormatHostRequestEvent(const HostRequestEvent& e) {
  // The wording and field order are what operators' searches, the
  // journal's readers and the event filters (StateStore::ListEvents) match:
  // keep them as they are.
  std::string message;
  message.reserve(400);
  message += "An activation request has been processed. Result: ";
  message += FormatResultCode(e.result);
  message += "; count: ";
  message += std::to_string(e.count);
  message += "; required count: ";
  message += std::to_string(e.required_count);
  if (e.threshold != 0) {
    message += "; threshold: ";
    message += std::to_string(e.threshold);
  }
  message += "; client: ";
  message += e.machine_name;
  message += "; CMID: ";
  message += FormatUuid(e.cmid);
  message += "; edition: ";
  message += e.edition;
  message += "; client time: ";
  message += FormatUtcTime(e.client_time);
  message += "; license state: ";
  message += std::to_string(e.license_state);
  message += "; minutes to expiry: ";
  message += std::to_string(e.minutes_left);
  message += "; virtual machine: ";
  message += e.is_virtual_machine ? "yes" : "no";
  if (e.result == ResultCode::kThresholdMismatch) {
    message += ". The request's required count " + std::to_string(e.required_count) +
               " does not match the edition's threshold " + std::to_string(e.threshold) +
               " in this host's catalog: the client holds another catalog, or the request was "
               "altered on its way";
  }
  return message;
}

std::string EventText(const Event& e) {
  if (e.message.empty() && e.request) return FormatHostRequestEvent(*e.request);
  return e.message;
}

}  // namespace activa
