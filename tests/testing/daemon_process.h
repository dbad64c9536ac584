// Runs a real activad for integration tests: its own state folder, a config
// on loopback, a free port; management calls over its Unix socket.
#ifndef ACTIVA_TESTING_DAEMON_PROCESS_H_
#define ACTIVA_TESTING_DAEMON_PROCESS_H_

#include <sys/types.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "base/status.h"
#include "protocol/codec.h"

namespace activa::testing {

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t FreePort();

class DaemonProcess {
 public:
  struct Options {
    std::string state_dir;
    std::string catalog_dir;
    std::string machine_name = "test-machine";
    std::uint16_t port = 0;  // host port in the config; 0: a free one
    std::string extra_config;  // appended to the generated config
    std::string socket_path;   // empty: STATE_DIR/activad.sock
  };

  // Starts the daemon and waits (up to 10 s) until its socket answers.
  // Throws std::runtime_error when it does not start.
  explicit DaemonProcess(Options options);
  ~DaemonProcess();  // SIGTERM, then waits
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // One management request; the parsed response object.
  boost::json::object Call(const boost::json::object& request);
  // Its `result` as a number.
  static std::uint32_t ResultOf(const boost::json::object& response);

  void Kill();     // SIGKILL, and waits for it
  void Start();    // starts again with the same options (after Kill)
  void Stop();     // SIGTERM, and waits
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return options_.port; }
  const std::string& socket_path() const { return socket_; }
  const std::string& state_dir() const { return options_.state_dir; }

 private:
  Options options_;
  std::string socket_;
  pid_t pid_ = -1;
};

// Sends one request frame to 127.0.0.1:port on a new connection and returns
// the decoded answer. Transport errors are kNoHostReachable.
Result<Message> SendActivation(std::uint16_t port, const ActivationRequest& request);

// Sends raw bytes and returns what came back before the host closed the
// connection or `timeout_ms` passed.
Bytes SendRaw(std::uint16_t port, const Bytes& bytes, int timeout_ms);

}  // namespace activa::testing

#endif  // ACTIVA_TESTING_DAEMON_PROCESS_H_
