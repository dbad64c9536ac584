// How long the client and clearinghouse loops of activad sleep between two
// looks (docs/performance.md, "The client daemon at rest"). Pure: times
// in, seconds out.
//
// An idle client must wake at most once a minute, and in production builds
// far less: the client loop wakes at its next attempt, and otherwise only
// when nudged (slmgr /ato, /ipk, /skms, a reload). What still needs a
// look without a nudge is a host's refusal summary (within a minute of a
// flood's end, RefusalLog) and a wall clock that moves, for which an hour
// is soon enough against renewal intervals of days. Builds with test
// controls (ACTIVA_TEST_CONTROLS) look every minute whatever the role:
// their tests move the daemon's clock and expect it to be noticed.
//
// Thread safety: none needed; no state.
#ifndef ACTIVA_DAEMON_IDLE_WAKE_H_
#define ACTIVA_DAEMON_IDLE_WAKE_H_

#include <cstdint>

namespace activa {

// The cap with test controls, and a host's in production builds.
inline constexpr std::int64_t kHostIdleWakeSeconds = 60;
// A production build's client without a host key.
inline constexpr std::int64_t kClientIdleWakeSeconds = 3600;

// The longest either loop sleeps: kHostIdleWakeSeconds with
// `test_controls` or on a `host`, else kClientIdleWakeSeconds.
std::int64_t IdleWakeCapSeconds(bool test_controls, bool host);

// How long the client loop sleeps at `now`: until `next_attempt` (0 for
// none due: the cap), at least a second (an attempt already due is taken
// on the next pass, never in a busy loop) and at most `cap`.
std::int64_t ClientWaitSeconds(std::int64_t now, std::int64_t next_attempt, std::int64_t cap);

}  // namespace activa

#endif  // ACTIVA_DAEMON_IDLE_WAKE_H_
