// The one source of "now" for everything that depends on time
// (DESIGN.md section 5: "All rules that depend on time take an injected
// clock").
//
// Code that needs the time takes a `const Clock&` (or, for pure logic, just
// the `std::int64_t now` read from it), so a test can move time by 180 days
// in a microsecond. Times are Unix seconds, UTC.
//
// Thread safety: every Clock here may be read from several threads at once,
// and FakeClock and OffsetClock may be moved while others read them (the
// values are atomics). A clock must outlive whatever holds a reference to it.
#ifndef ACTIVA_BASE_CLOCK_H_
#define ACTIVA_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace activa {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix seconds, UTC. May go backwards when the system clock is set back;
  // users must cope (the counter and the state machine do).
  virtual std::int64_t Now() const = 0;
};

// The system's real-time clock.
class SystemClock final : public Clock {
 public:
  std::int64_t Now() const override;
};

// A clock that moves only when told to; for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t now = 0) : now_(now) {}

  std::int64_t Now() const override { return now_.load(std::memory_order_relaxed); }
  void Set(std::int64_t now) { now_.store(now, std::memory_order_relaxed); }
  // Negative `seconds` move the clock back, as an administrator might.
  void Advance(std::int64_t seconds) { now_.fetch_add(seconds, std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> now_;
};

// Another clock plus an adjustable offset. A daemon built for tests reads
// its time through one of these, so an integration test can move a running
// daemon's time (days ahead, or back) without touching the system clock.
// `base` must outlive this clock.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(const Clock& base, std::int64_t offset_seconds = 0)
      : base_(base), offset_(offset_seconds) {}

  std::int64_t Now() const override { return base_.Now() + offset(); }
  std::int64_t offset() const { return offset_.load(std::memory_order_relaxed); }
  void SetOffset(std::int64_t seconds) { offset_.store(seconds, std::memory_order_relaxed); }
  // Adds to the offset; negative values move time back.
  void Advance(std::int64_t seconds) { offset_.fetch_add(seconds, std::memory_order_relaxed); }

 private:
  const Clock& base_;
  std::atomic<std::int64_t> offset_;
};

}  // namespace activa

#endif  // ACTIVA_BASE_CLOCK_H_
