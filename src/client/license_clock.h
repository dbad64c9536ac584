// The time the client's license rules run on (DESIGN.md section 3, point 6:
// "the client keeps the latest time it has seen"), pure like
// client_license.h: the caller passes each reading of the system clock.
//
// The system clock is the administrator's to set, so a licence judged by it
// alone lasts as long as the clock is kept back. LicenseClock keeps instead
// the latest time seen, which the rules use in place of the clock:
//
//   - It runs with the system clock: a reading later than the previous one
//     moves it on by as much (a step forward included: it only costs the one
//     who makes it).
//   - It never runs back: a reading earlier than the previous one moves it
//     not at all. Until the clock has made up the step, the latest time seen
//     stands still, then runs with it again, ahead by the step; so setting
//     the clock back, once or in many small steps, extends nothing.
//   - A verified host response (protocol/chain.h: signed, nonce-bound, its
//     host_time within kMaxClockSkewSeconds of our clock) sets it to the
//     later of our clock and the host's time. That is the one way it goes
//     back: to a time a trusted host vouched for, never before it; so a clock
//     correction absorbed earlier (NTP stepping a fast clock back) is
//     forgiven at the next answer, and no grace is gained by it.
//
// A step back of more than kMaxClockSkewSeconds (4 hours, the most a host
// lets a client's clock be off) is tampering to report; smaller ones are
// ordinary corrections. Both are absorbed alike: a tolerance that the rules
// honoured (judging by latest − 4 h) would hand out 4 hours to every step.
//
// The caller persists the pair, so that a restart with the clock set back
// while the daemon was down is seen as the step back it is; the time between
// the last save and a restart cannot be checked. Not thread-safe.
#ifndef ACTIVA_CLIENT_LICENSE_CLOCK_H_
#define ACTIVA_CLIENT_LICENSE_CLOCK_H_

#include <cstdint>

namespace activa {

struct LicenseClock {
  std::int64_t latest_seen = 0;   // the time the rules use
  std::int64_t system_clock = 0;  // the clock's reading then; 0: never read

  bool operator==(const LicenseClock&) const = default;
};

// Takes a reading of the system clock and returns the latest time seen.
// `stepped_back`, when not null, receives by how many seconds the clock
// went back since the previous reading (0 when it did not).
std::int64_t Observe(LicenseClock& clock, std::int64_t system_now,
                     std::int64_t* stepped_back = nullptr);

// A verified response's host_time, received at `system_now` (after the
// chain check, which put the two within kMaxClockSkewSeconds): the latest
// time seen becomes max(system_now, host_time).
void ObserveHostTime(LicenseClock& clock, std::int64_t host_time, std::int64_t system_now);

}  // namespace activa

#endif  // ACTIVA_CLIENT_LICENSE_CLOCK_H_
