// The host's count (DESIGN.md section 5, Host): per application, the number
// of distinct client machine IDs (CMIDs) whose last request lies within the
// last 30 days.
//
// The window is inclusive at both ends: a client last seen at exactly
// now - 30 days still counts; one second earlier it does not. Every request
// the caller records counts, whether or not it was activated; virtual
// machines count like physical ones (the caller records both alike).
//
// The host keeps every record, not only the 50 that KMS remembers, so
// `slmgr /dli` can show the true count next to KmsReportedCount(), and
// `slmgr /dlc` can list the clients (Clients()).
//
// Cost: Record(), Count() and Load() are O(1) amortised (plus the expiry of
// records that have fallen out of the window, each paid for once); memory is
// about 100 bytes per tracked client. Expiry is lazy but exact: Count(now)
// never includes a record older than the window, whether or not Expire() has
// run; Expire() is there to return memory, such as that of applications
// nobody asks about any more.
//
// Time may go backwards (the host's clock set back). Nothing breaks and no
// count goes negative; see Record() for how such requests are stamped.
//
// CMIDs come from the network, so the per-application tables are keyed with
// SipHash under `hash_key`; give it 16 random bytes so no one can choose
// CMIDs that all land in one bucket. The counter keeps whatever applications
// it is given: the caller records only applications from its catalog, so a
// client cannot make it grow a table per invented application ID.
//
// Thread safety: none. Every member, including Count() (which drops expired
// records as it goes), must be serialised by the caller.
#ifndef ACTIVA_HOST_CLIENT_COUNTER_H_
#define ACTIVA_HOST_CLIENT_COUNTER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "base/uuid.h"

namespace activa {

inline constexpr std::int64_t kCountWindowDays = 30;
// The most a KMS host reports, twice the highest threshold (25).
inline constexpr std::uint32_t kKmsReportedCountCap = 50;

// min(count, kKmsReportedCountCap): the count as KMS would report it.
constexpr std::uint32_t KmsReportedCount(std::uint32_t count) {
  return count < kKmsReportedCountCap ? count : kKmsReportedCountCap;
}

struct ClientRecord {
  Uuid cmid{};
  std::int64_t last_seen = 0;  // Unix seconds, as stamped by Record() or Load()

  bool operator==(const ClientRecord&) const = default;
};

class ClientCounter {
 public:
  using HashKey = std::array<std::uint8_t, 16>;

  explicit ClientCounter(const HashKey& hash_key = HashKey{});
  ~ClientCounter();
  ClientCounter(ClientCounter&&) noexcept;
  ClientCounter& operator=(ClientCounter&&) noexcept;
  ClientCounter(const ClientCounter&) = delete;
  ClientCounter& operator=(const ClientCounter&) = delete;

  // Records a request by `cmid` for `application` at `now` and returns the
  // application's count afterwards (at least 1).
  //
  // A request is stamped `now`, except when `now` lies before the newest
  // stamp in the application (the clock went back): within 4 hours it is
  // stamped with that newest time instead, so the records stay in time order
  // and the client lives at most that much longer; further back, every
  // record stamped after `now` is restamped `now` first (a clock that was
  // far ahead was wrong, and its stamps would keep clients counted for as
  // long as it was ahead).
  std::uint32_t Record(const Uuid& application, const Uuid& cmid, std::int64_t now);

  // The distinct CMIDs of `application` last seen in [now - 30 days, now]
  // (and any stamped after `now`, when the clock went back). 0 for an
  // application never recorded. Drops the application's expired records.
  std::uint32_t Count(const Uuid& application, std::int64_t now);

  // Restores a record from storage at start-up, in any order. A CMID loaded
  // twice keeps the later time. Records already outside the window are
  // dropped by the next call that looks at the application. Load() does not
  // apply Record()'s clock-going-back rule: the next Record() does.
  void Load(const Uuid& application, const Uuid& cmid, std::int64_t last_seen);

  // Makes room for `clients` records of `application` before Load() adds
  // them, so its tables grow once, to their size, instead of doubling (and
  // briefly holding old and new) as they fill. Loading in time order, oldest
  // first, also spares the sort that out-of-order records cost later.
  void Reserve(const Uuid& application, std::size_t clients);

  // Drops every record older than the window in every application, and the
  // applications left with none. Returns how many records were dropped.
  // Call it now and then (say hourly) to return memory; counts are exact
  // without it.
  std::size_t Expire(std::int64_t now);

  // The records of `application` within the window, newest first (slmgr
  // /dlc). O(count).
  std::vector<ClientRecord> Clients(const Uuid& application, std::int64_t now);

  // True when `cmid` has a record in `application` that still counts at
  // `now` (Count()'s window). O(1); drops nothing.
  bool Contains(const Uuid& application, const Uuid& cmid, std::int64_t now) const;

  // Records held in all applications, expired ones not yet dropped included.
  std::size_t tracked() const;

 private:
  class Application;  // the per-application table, in client_counter.cc

  HashKey hash_key_;
  // Few applications (one per product in the catalog): an ordered map is
  // fine and needs no hashing of untrusted IDs.
  std::map<Uuid, std::unique_ptr<Application>> applications_;
};

}  // namespace activa

#endif  // ACTIVA_HOST_CLIENT_COUNTER_H_
