// activad --backup FILE: a consistent copy of the state database while the
// daemon runs (docs/reliability.md, "Backing up and restoring").
//
// The copy is made from the database file itself, through SQLite's online
// backup API, not through the running daemon: it works the same whether
// the daemon runs or not, needs no management operation (and no permission
// path of its own beyond reading the state folder), and SQLite's WAL mode
// makes it safe beside the live writer: the copy is one read transaction,
// a snapshot that includes every commit made before it began (the WAL's
// too) and none after, and the writer is never blocked by it.
//
// host.key is not in the copy: it never changes once made, and it is the
// host's secret, so it is backed up once, separately (the docs say how).
#ifndef ACTIVA_DAEMON_BACKUP_H_
#define ACTIVA_DAEMON_BACKUP_H_

#include <string>

#include "base/status.h"

namespace activa {

// Copies STATE_DIR/activad.db to `to` (a new file, mode 0600, in journal
// mode DELETE so it is one file), checked with quick_check before it is
// renamed into place.
// Refuses a state folder without a database, and `to` naming the database
// or its WAL.
Status BackupState(const std::string& state_dir, const std::string& to);

}  // namespace activa

#endif  // ACTIVA_DAEMON_BACKUP_H_
