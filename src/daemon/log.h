// activad's log: diagnostics for the operator (a catalog refused, a reload
// refused, a listener that could not bind, a host key installed), as
// opposed to the KMS events (base/event.h), which go to the state database.
//
// Log lines go to standard error always, so a daemon run by hand or by the
// tests shows them, and to the systemd journal after LogToJournal(). Under
// systemd, where standard error is itself a journal stream, a line would
// then appear twice; there the journal alone gets it (with its priority).
//
// The KMS events go to the journal through JournalEvent(), never to
// standard error: the host logs one per request.
//
// Thread safety: every function may be called from any thread, but
// LogToJournal() only before other threads log.
#ifndef ACTIVA_DAEMON_LOG_H_
#define ACTIVA_DAEMON_LOG_H_

#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "base/event.h"

namespace activa {

void LogInfo(std::string_view message);
void LogWarning(std::string_view message);
void LogError(std::string_view message);
// "WHAT failed: " and the exception's message, as an error.
void LogException(std::string_view what, std::exception_ptr e);

// Whether the journal's socket is there to be written to.
bool JournalAvailable();
// Sends the log lines to the journal as well (SYSLOG_IDENTIFIER=activad).
void LogToJournal();
// Sends one KMS event to the journal: the fields of JournalEventFields().
void JournalEvent(const Event& e);

// The fixed MESSAGE_ID (128 bits, 32 hex digits, as journalctl's
// MESSAGE_ID= matches it) of each event kind (docs/operations.md, "Running
// under systemd"); "" for an ID that is not one of base/event.h's.
std::string_view JournalMessageId(int event_id);
// What the journal gets for `e`, as "FIELD=value" assignments: MESSAGE,
// MESSAGE_ID, PRIORITY (warning for 12293 and 12295, else info),
// SYSLOG_IDENTIFIER=activad and ACTIVA_EVENT_ID, so that
// `journalctl ACTIVA_EVENT_ID=12290` lists a host's requests. Pure.
std::vector<std::string> JournalEventFields(const Event& e);

}  // namespace activa

#endif  // ACTIVA_DAEMON_LOG_H_
