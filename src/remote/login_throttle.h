// How long a login must wait, per (source address, user): nothing after
// no failure, then 1, 2, 4, 8 ... seconds after 1, 2, 3, 4 ... failures in
// a row, capped at kMaxDelaySeconds. A success clears the row; so does
// kForgetSeconds of quiet. Attempts still being checked count as failures
// until they end, so parallel guesses do not share one short delay.
//
// Pure logic: the caller passes the time. Not thread-safe (the daemon's
// event loop owns it). Memory is bounded: beyond kMaxEntries rows the
// quietest is dropped.
#ifndef ACTIVA_REMOTE_LOGIN_THROTTLE_H_
#define ACTIVA_REMOTE_LOGIN_THROTTLE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace activa::remote {

class LoginThrottle {
 public:
  static constexpr int kMaxDelaySeconds = 32;
  static constexpr std::int64_t kForgetSeconds = 15 * 60;
  static constexpr std::size_t kMaxEntries = 10000;

  // Starts an attempt at `now` (seconds) and returns the seconds it must
  // wait before its password is checked.
  int Begin(const std::string& source, const std::string& user, std::int64_t now);
  // Ends an attempt begun with Begin.
  void Succeeded(const std::string& source, const std::string& user);
  void Failed(const std::string& source, const std::string& user, std::int64_t now);

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    int failures = 0;
    int in_flight = 0;
    std::int64_t last = 0;
  };
  using Key = std::pair<std::string, std::string>;
  void Prune(std::int64_t now);
  std::map<Key, Entry> entries_;
};

}  // namespace activa::remote

#endif  // ACTIVA_REMOTE_LOGIN_THROTTLE_H_
