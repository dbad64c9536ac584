// Dropping root (DESIGN.md section 10): when activad is started as root
// outside systemd (by hand, by a package test) and `[daemon] user` names a
// user, it becomes that user before it opens its state, keeping only
// CAP_NET_BIND_SERVICE (effective, permitted and bounding set), so that
// slmgr /sprt can still move the host to a port below 1024, and the
// supplementary groups it needs: the user's own group and `shadow` when
// there is one (pam_unix reads /etc/shadow for remote logins).
//
// Why before the state is opened, not after: with CAP_NET_BIND_SERVICE
// kept, binding needs no root, and a database, WAL or key file that root
// created in the state folder would lock out the same daemon when systemd
// starts it as that user.
//
// Under systemd the unit's User=, AmbientCapabilities= and
// CapabilityBoundingSet= do the same; the daemon then is not root and this
// does nothing.
#ifndef ACTIVA_DAEMON_PRIVILEGES_H_
#define ACTIVA_DAEMON_PRIVILEGES_H_

#include <string>

#include "base/status.h"

namespace activa {

// Capability numbers (linux/capability.h) kept after the drop.
inline constexpr int kCapNetBindService = 10;

// Becomes `user` when the process runs as root; nothing otherwise, or with
// an empty `user`. Call it while the process has one thread only (capability
// sets are per thread).
//  - kNotFound when there is no such user;
//  - kAccessDenied when `state_dir` exists and is not owned by the user,
//    saying which chown fixes it (a missing one is made, 0700, the user's);
//    the same for `socket_dir`, which is made 0755 when missing;
//  - kAccessDenied naming the call that failed if the drop itself fails,
//    and when root could be regained afterwards.
Status DropPrivileges(const std::string& user, const std::string& state_dir,
                      const std::string& socket_dir);

}  // namespace activa

#endif  // ACTIVA_DAEMON_PRIVILEGES_H_
