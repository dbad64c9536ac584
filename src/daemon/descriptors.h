// What activad does about file descriptors, the resource an idle connection
// costs and a busy host runs out of first.
//
// At start the soft RLIMIT_NOFILE is raised to the hard one (1,024 by
// default is less than max_connections plus the management side; systemd's
// LimitNOFILE= sets the hard limit). Beyond that the host must not stop when
// descriptors run out: its accept loops, on EMFILE or ENFILE, give up one
// descriptor held in reserve for the purpose, accept the waiting
// connections and close them at once (the peer sees a refusal, not a hang
// in the listen queue), take the reserve back, and wait a little before
// accepting again instead of spinning on the same error.
//
// Thread safety: the reserve belongs to the event loop's thread.
#ifndef ACTIVA_DAEMON_DESCRIPTORS_H_
#define ACTIVA_DAEMON_DESCRIPTORS_H_

#include <cstdint>

namespace activa {

// Raises the soft descriptor limit to the hard limit; returns the soft
// limit now in force (unchanged when it could not be raised).
std::uint64_t RaiseDescriptorLimit();

// Opens the reserve descriptor (idempotent). Called at start, and again
// after each refusal.
void HoldReserveDescriptor();

// For an accept that failed with `error`: when it is EMFILE or ENFILE,
// refuses (accepts and closes) up to `max` connections waiting on the
// listening socket `listen_fd`, using the reserve; returns how many. Other
// errors: does nothing and returns 0.
int RefuseWhenOutOfDescriptors(int listen_fd, int error, int max = 64);

}  // namespace activa

#endif  // ACTIVA_DAEMON_DESCRIPTORS_H_
