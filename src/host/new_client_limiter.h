// How many new client machines one source address may introduce per minute
// (activad.md, `[host] max_new_clients_per_minute`).
//
// Every CMID the host has not counted yet becomes a client record, so a
// single machine inventing CMIDs could otherwise add records (and count)
// as fast as it can send. A real office never introduces hundreds of
// machines a minute from one address; a script does. Requests from known
// machines are never limited: the caller asks only for CMIDs the count
// does not hold (RequestHandler::Knows()).
//
// Each address has a fixed one-minute window that starts with its first
// new client; within it, the first `limit` new clients are admitted and the
// rest refused. The first refusal of a window says so (kTripped), so the
// caller logs one event per address and window, not one per request.
//
// The state is bounded: at most `max_sources` addresses are tracked. When a
// new address finds the table full, windows that have ended are dropped
// first, then the oldest window; an evicted address starts afresh, which
// costs an attacker a whole table of addresses per minute to gain anything.
//
// Pure: the caller passes the time (Unix seconds) and the address as text.
// Thread safety: none.
#ifndef ACTIVA_HOST_NEW_CLIENT_LIMITER_H_
#define ACTIVA_HOST_NEW_CLIENT_LIMITER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace activa {

class NewClientLimiter {
 public:
  static constexpr std::int64_t kWindowSeconds = 60;
  static constexpr std::size_t kDefaultMaxSources = 4096;

  enum class Verdict {
    kAdmit,    // within the limit: the caller admits the new client
    kTripped,  // the window's first refusal: refuse, and log it once
    kRefuse,   // refused again in the same window: refuse quietly
  };

  // `limit`: new clients per address and minute, at least 1.
  explicit NewClientLimiter(std::uint32_t limit, std::size_t max_sources = kDefaultMaxSources);

  // One request from `source` at `now` for a CMID the host does not count.
  Verdict NewClient(std::string_view source, std::int64_t now);

  // A reload may change the limit; windows under way keep their counts.
  void set_limit(std::uint32_t limit) { limit_ = limit == 0 ? 1 : limit; }
  std::uint32_t limit() const { return limit_; }

  // Addresses tracked now.
  std::size_t tracked() const { return sources_.size(); }

 private:
  struct Window {
    std::int64_t start = 0;
    std::uint32_t admitted = 0;
    bool tripped = false;
  };
  void MakeRoom(std::int64_t now);

  std::uint32_t limit_;
  std::size_t max_sources_;
  std::unordered_map<std::string, Window> sources_;
};

}  // namespace activa

#endif  // ACTIVA_HOST_NEW_CLIENT_LIMITER_H_
