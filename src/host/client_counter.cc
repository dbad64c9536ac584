#include "host/client_counter.h"

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_map>
#include <utility>

#include "base/time_arithmetic.h"
#include "protocol/chain.h"

namespace activa {
namespace {

using licensing_internal::AddSeconds;
using licensing_internal::kSecondsPerDay;

constexpr std::int64_t kWindowSeconds = kCountWindowDays * kSecondsPerDay;
// How far back the clock may step before Record() restamps instead of
// clamping: the protocol's own clock tolerance (4 hours). A client kept that
// much longer in a 30-day window changes nothing anyone could notice.
constexpr std::int64_t kMaxClampSeconds = kMaxClockSkewSeconds;
constexpr std::uint32_t kNil = std::numeric_limits<std::uint32_t>::max();

// The oldest last_seen that still counts at `now`: the window is inclusive.
std::int64_t Cutoff(std::int64_t now) { return AddSeconds(now, -kWindowSeconds); }

std::uint32_t ToCount(std::size_t n) {
  return n > std::numeric_limits<std::uint32_t>::max() ? std::numeric_limits<std::uint32_t>::max()
                                                       : static_cast<std::uint32_t>(n);
}

// SipHash-2-4 under the counter's key: CMIDs are chosen by clients, and with
// a public hash a hostile one could pick a million that share a bucket and
// turn every lookup into a scan.
class CmidHash {
 public:
  explicit CmidHash(const ClientCounter::HashKey& key) : key_(key) {}

  // Deliberately not noexcept: libstdc++ then keeps each element's hash in
  // its node (which fits in the allocation's slack, 48 bytes either way), so
  // a lookup compares stored hashes instead of rehashing its neighbours.
  std::size_t operator()(const Uuid& id) const {
    std::uint64_t h = 0;
    static_assert(sizeof(h) == crypto_shorthash_BYTES);
    static_assert(std::tuple_size_v<ClientCounter::HashKey> == crypto_shorthash_KEYBYTES);
    crypto_shorthash(reinterpret_cast<unsigned char*>(&h), id.data(), id.size(), key_.data());
    return static_cast<std::size_t>(h);
  }

 private:
  ClientCounter::HashKey key_;
};

}  // namespace

// One application's clients: a hash index from CMID to a slot, and the slots
// threaded on a doubly linked list in order of last_seen, oldest at the head.
// A request moves its slot to the tail, so expiry only ever looks at the
// head and Count() is the index's size. Slots live in one vector linked by
// 32-bit indices (reused through a free list) rather than as separate list
// nodes: about 32 bytes a client instead of a 48-byte allocation plus
// pointers.
class ClientCounter::Application {
 public:
  explicit Application(const HashKey& key) : index_(0, CmidHash(key)) {}

  std::size_t size() const { return index_.size(); }

  void Record(const Uuid& cmid, std::int64_t now) {
    Sort();
    std::int64_t stamp = now;
    if (tail_ != kNil && now < newest()) {
      if (AddSeconds(now, kMaxClampSeconds) >= newest()) {
        stamp = newest();
      } else {
        Restamp(now);
      }
    }
    ExpireBefore(Cutoff(now));
    Place(cmid, stamp);
  }

  void Load(const Uuid& cmid, std::int64_t last_seen) {
    // One lookup per record: start-up makes a million of these.
    auto [it, inserted] = index_.try_emplace(cmid, kNil);
    if (!inserted) {
      if (slots_[it->second].last_seen >= last_seen) return;
      Unlink(it->second);
    } else {
      it->second = Allocate(cmid);
    }
    // Storage need not be in time order; sort once, when the table is next
    // used, rather than insert each record in its place.
    if (tail_ != kNil && last_seen < newest()) sorted_ = false;
    slots_[it->second].last_seen = last_seen;
    Append(it->second);
  }

  void Reserve(std::size_t clients) {
    index_.reserve(clients);
    slots_.reserve(clients);
  }

  // Drops the records last seen before `cutoff`; returns how many.
  std::size_t ExpireBefore(std::int64_t cutoff) {
    Sort();
    std::size_t dropped = 0;
    while (head_ != kNil && slots_[head_].last_seen < cutoff) {
      std::uint32_t i = head_;
      index_.erase(slots_[i].cmid);
      Unlink(i);
      Free(i);
      ++dropped;
    }
    if (index_.empty() && !slots_.empty()) {
      // Return the slots' memory once nobody is left.
      slots_ = {};
      free_head_ = kNil;
    }
    return dropped;
  }

  // The CMID's stamp, when it has a record (expired or not).
  std::optional<std::int64_t> LastSeen(const Uuid& cmid) const {
    auto it = index_.find(cmid);
    if (it == index_.end()) return std::nullopt;
    return slots_[it->second].last_seen;
  }

  // Newest first.
  std::vector<ClientRecord> Records() const {
    std::vector<ClientRecord> out;
    out.reserve(index_.size());
    for (std::uint32_t i = tail_; i != kNil; i = slots_[i].prev) {
      out.push_back({slots_[i].cmid, slots_[i].last_seen});
    }
    return out;
  }

 private:
  struct Slot {
    Uuid cmid{};
    std::int64_t last_seen = 0;
    std::uint32_t prev = kNil;
    std::uint32_t next = kNil;  // also links the free list
  };

  std::int64_t newest() const { return slots_[tail_].last_seen; }

  // Puts `cmid` at the tail stamped `stamp`, adding it when new.
  void Place(const Uuid& cmid, std::int64_t stamp) {
    auto [it, inserted] = index_.try_emplace(cmid, kNil);
    if (inserted) {
      it->second = Allocate(cmid);
    } else {
      Unlink(it->second);
    }
    slots_[it->second].last_seen = stamp;
    Append(it->second);
  }

  // The clock went back further than a clamp may hide: every record stamped
  // after `now` was stamped by a clock that was wrong, so it gets `now`.
  // They sit at the tail, so the walk stops at the first record not after
  // `now`, and the order holds (they all become equal to `now`). Each record
  // is walked once per such step, and such steps are rare.
  void Restamp(std::int64_t now) {
    for (std::uint32_t i = tail_; i != kNil && slots_[i].last_seen > now; i = slots_[i].prev) {
      slots_[i].last_seen = now;
    }
  }

  void Sort() {
    if (sorted_) return;
    std::vector<std::uint32_t> order;
    order.reserve(index_.size());
    for (std::uint32_t i = head_; i != kNil; i = slots_[i].next) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [this](std::uint32_t a, std::uint32_t b) {
      return slots_[a].last_seen < slots_[b].last_seen;
    });
    head_ = tail_ = kNil;
    for (std::uint32_t i : order) Append(i);
    sorted_ = true;
  }

  std::uint32_t Allocate(const Uuid& cmid) {
    std::uint32_t i = free_head_;
    if (i != kNil) {
      free_head_ = slots_[i].next;
    } else {
      // 2^32 - 1 clients of one application is far beyond any host's memory.
      i = static_cast<std::uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    slots_[i] = Slot{cmid, 0, kNil, kNil};
    return i;
  }

  void Free(std::uint32_t i) {
    slots_[i].next = free_head_;
    free_head_ = i;
  }

  void Append(std::uint32_t i) {
    slots_[i].prev = tail_;
    slots_[i].next = kNil;
    if (tail_ != kNil) {
      slots_[tail_].next = i;
    } else {
      head_ = i;
    }
    tail_ = i;
  }

  void Unlink(std::uint32_t i) {
    Slot& s = slots_[i];
    if (s.prev != kNil) {
      slots_[s.prev].next = s.next;
    } else {
      head_ = s.next;
    }
    if (s.next != kNil) {
      slots_[s.next].prev = s.prev;
    } else {
      tail_ = s.prev;
    }
    s.prev = s.next = kNil;
  }

  std::unordered_map<Uuid, std::uint32_t, CmidHash> index_;
  std::vector<Slot> slots_;
  std::uint32_t head_ = kNil;  // oldest
  std::uint32_t tail_ = kNil;  // newest
  std::uint32_t free_head_ = kNil;
  bool sorted_ = true;  // false after Load() out of time order
};

ClientCounter::ClientCounter(const HashKey& hash_key) : hash_key_(hash_key) {}
ClientCounter::~ClientCounter() = default;
ClientCounter::ClientCounter(ClientCounter&&) noexcept = default;
ClientCounter& ClientCounter::operator=(ClientCounter&&) noexcept = default;

std::uint32_t ClientCounter::Record(const Uuid& application, const Uuid& cmid, std::int64_t now) {
  auto [it, inserted] = applications_.try_emplace(application);
  if (inserted) it->second = std::make_unique<Application>(hash_key_);
  it->second->Record(cmid, now);
  return ToCount(it->second->size());
}

std::uint32_t ClientCounter::Count(const Uuid& application, std::int64_t now) {
  auto it = applications_.find(application);
  if (it == applications_.end()) return 0;
  it->second->ExpireBefore(Cutoff(now));
  return ToCount(it->second->size());
}

void ClientCounter::Load(const Uuid& application, const Uuid& cmid, std::int64_t last_seen) {
  auto [it, inserted] = applications_.try_emplace(application);
  if (inserted) it->second = std::make_unique<Application>(hash_key_);
  it->second->Load(cmid, last_seen);
}

void ClientCounter::Reserve(const Uuid& application, std::size_t clients) {
  auto [it, inserted] = applications_.try_emplace(application);
  if (inserted) it->second = std::make_unique<Application>(hash_key_);
  it->second->Reserve(clients);
}

std::size_t ClientCounter::Expire(std::int64_t now) {
  std::size_t dropped = 0;
  for (auto it = applications_.begin(); it != applications_.end();) {
    dropped += it->second->ExpireBefore(Cutoff(now));
    it = it->second->size() == 0 ? applications_.erase(it) : std::next(it);
  }
  return dropped;
}

std::vector<ClientRecord> ClientCounter::Clients(const Uuid& application, std::int64_t now) {
  auto it = applications_.find(application);
  if (it == applications_.end()) return {};
  it->second->ExpireBefore(Cutoff(now));
  return it->second->Records();
}

bool ClientCounter::Contains(const Uuid& application, const Uuid& cmid, std::int64_t now) const {
  auto it = applications_.find(application);
  if (it == applications_.end()) return false;
  std::optional<std::int64_t> seen = it->second->LastSeen(cmid);
  // Stamps after `now` (the clock went back) still count, as in Count().
  return seen.has_value() && *seen >= Cutoff(now);
}

std::size_t ClientCounter::tracked() const {
  std::size_t n = 0;
  for (const auto& [id, app] : applications_) n += app->size();
  return n;
}

}  // namespace activa
