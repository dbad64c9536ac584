// Token buckets by name (a source address, a key): each name may make
// `burst` requests at once and `rate` more per second after that.
//
// Pure: the caller passes the time (seconds on a monotonic clock). Not
// thread-safe; the server uses it from its io thread.
#ifndef ACTIVA_CLEARINGHOUSE_RATE_LIMITER_H_
#define ACTIVA_CLEARINGHOUSE_RATE_LIMITER_H_

#include <cstddef>
#include <string>
#include <unordered_map>

namespace activa {

class RateLimiter {
 public:
  // `rate` <= 0 turns the limiter off (everything is admitted).
  RateLimiter(double rate, double burst, std::size_t max_names = 100000);

  // 0 when the request is admitted (and a token taken); otherwise the whole
  // seconds (at least 1) until a token is there, for Retry-After.
  int Admit(const std::string& name, double now);

  std::size_t size() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    double last = 0;
  };
  // Forgets names whose buckets are full again: they are as if never seen,
  // so a flood of new names cannot grow the table without bound.
  void Prune(double now);

  double rate_;
  double burst_;
  std::size_t max_names_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace activa

#endif  // ACTIVA_CLEARINGHOUSE_RATE_LIMITER_H_
