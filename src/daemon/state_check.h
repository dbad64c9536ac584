// The checks activad makes on its state folder before it opens it
// (DESIGN.md section 9: "A missing or damaged state beside an existing host
// key is a start-up error, never a new identity").
//
// The state is three files that only make sense together: activad.db (the
// machine's CMID, the host key and certificate, every client record), its
// write-ahead log activad.db-wal (the newest commits, not yet copied into
// the database) and host.key (the host's signing key, whose public half the
// vendor's certificate names). Opening SQLite over a missing or empty
// database would quietly create a new one: a new CMID, no host key, every
// client record gone. So:
//
//   - an empty folder (or one without any of the three) starts fresh;
//   - a 0-byte activad.db is refused (SQLite never leaves one: the file
//     was truncated or zeroed);
//   - a missing activad.db beside host.key or activad.db-wal is refused;
//   - a damaged database is refused (StateStore::OpenChecked runs SQLite's
//     quick_check);
//   - a missing host.key beside a stored host certificate is refused
//     (DaemonCore::LoadState), as is a host.key that the certificate does
//     not name: a fresh key would make /dli say "activated" while every
//     response it signs is refused by the clients.
//
// Every refusal names the file and what the operator can do
// (docs/reliability.md, "Restoring the state").
#ifndef ACTIVA_DAEMON_STATE_CHECK_H_
#define ACTIVA_DAEMON_STATE_CHECK_H_

#include <string>

#include "base/status.h"

namespace activa {

// The file-level checks above, on `state_dir`; kStorage on refusal.
Status CheckStateFiles(const std::string& state_dir);

// The advice that ends each refusal: restore from a backup, or move the
// folder's files away to start as a new machine.
std::string RestoreAdvice(const std::string& state_dir);

}  // namespace activa

#endif  // ACTIVA_DAEMON_STATE_CHECK_H_
