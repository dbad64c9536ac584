// A few request-body buffers kept for reuse by one event loop, so that a
// connection per request does not cost an allocation per request.
//
// A buffer is taken when a request's header has arrived and given back once
// its body is decoded. Only buffers of at most `max_capacity` are kept (a
// request is a few hundred bytes; a rare large one is freed rather than
// held), and at most `max_kept` of them, so the pool's memory is bounded
// whatever the peers do; when it is empty, Take() allocates.
//
// Thread safety: none; one event loop's thread.
#ifndef ACTIVA_DAEMON_BUFFER_POOL_H_
#define ACTIVA_DAEMON_BUFFER_POOL_H_

#include <cstddef>
#include <utility>
#include <vector>

#include "base/bytes.h"

namespace activa {

class BufferPool {
 public:
  BufferPool(std::size_t max_kept, std::size_t max_capacity)
      : max_kept_(max_kept), max_capacity_(max_capacity) {}

  // An empty buffer, with its capacity from an earlier use when there is one.
  Bytes Take() {
    if (free_.empty()) return Bytes();
    Bytes b = std::move(free_.back());
    free_.pop_back();
    return b;
  }

  void Give(Bytes b) {
    if (b.capacity() == 0 || b.capacity() > max_capacity_ || free_.size() >= max_kept_) return;
    b.clear();
    free_.push_back(std::move(b));
  }

  std::size_t kept() const { return free_.size(); }

 private:
  std::size_t max_kept_;
  std::size_t max_capacity_;
  std::vector<Bytes> free_;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_BUFFER_POOL_H_
