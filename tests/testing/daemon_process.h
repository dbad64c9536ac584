// Runs a real activad for integration tests: its own state folder, a config
// on loopback, a port the kernel chooses; management calls over its Unix
// socket.
#ifndef ACTIVA_TESTING_DAEMON_PROCESS_H_
#define ACTIVA_TESTING_DAEMON_PROCESS_H_

#include <sys/types.h>

#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "protocol/codec.h"

namespace activa::testing {

// True when activad was built with the test-only clock control
// (-DACTIVA_TEST_CONTROLS=ON), which the `test_advance_clock` operation needs.
inline constexpr bool kDaemonHasTestControls = ACTIVAD_HAS_TEST_CONTROLS;

// A TCP port on 127.0.0.1 that was free a moment ago. Inherently racy:
// another process may take it before the test uses it. Only for tests that
// move a running host to a port of their choice with /sprt (which cannot
// ask the kernel); every daemon starts on a port the kernel chose.
std::uint16_t FreePort();

class DaemonProcess {
 public:
  struct Options {
    std::string state_dir;
    std::string catalog_dir;
    // The trust folder (--trusted-vendors). Empty: STATE_DIR/trusted-vendors.d,
    // made at start with a trust file for the vendor of each catalog in
    // `catalog_dir`, so the fixture's vendors are the ones the machine trusts.
    std::string trust_dir;
    std::string machine_name = "test-machine";
    // `[host] port` in the config. 0: the kernel chooses at every start, so
    // a restarted host may get another port; a test that needs the same
    // port across restarts passes one.
    std::uint16_t port = 0;
    std::string host_config;    // lines added to the generated [host] table
    std::string extra_config;   // appended to the generated config
    std::string socket_path;    // empty: STATE_DIR/run/activad.sock
    std::string daemon_config;  // lines added to the generated [daemon] table
    // "NAME=VALUE" entries added to activad's environment (NOTIFY_SOCKET).
    std::vector<std::string> env;
    // Listening sockets handed to activad as systemd does (socket
    // activation): descriptors 3, 4, ... with LISTEN_FDS, LISTEN_PID (the
    // child's own) and LISTEN_FDNAMES (each "activad"). The test keeps its
    // descriptors, as systemd keeps its own.
    std::vector<int> listen_fds;
    // `[host] idle_timeout_seconds`: short, so tests of slow senders end soon.
    int idle_timeout_seconds = 2;
    // When not 0: the daemon's RLIMIT_NOFILE, soft and hard, set on it
    // (prlimit(2)) right after it is started, whatever it raised before.
    std::uint64_t nofile_limit = 0;
    // When not 0: the soft RLIMIT_NOFILE the daemon starts with (the hard
    // limit stays this process's), to see what the daemon makes of it.
    std::uint64_t start_soft_nofile = 0;
    // A program and its arguments that start activad in their place, as
    // `setpriv --no-new-privs` does (it execs the daemon: same pid). Only
    // without listen_fds.
    std::vector<std::string> command_prefix;
  };

  // Starts the daemon and waits (up to 30 s) until it is ready: READY=1 on
  // a notify socket of this object's own, sent by the started process (the
  // kernel's credentials of the message say so) once the state is loaded
  // and every listener bound, as systemd waits for it. When `env` holds a
  // NOTIFY_SOCKET of the test's own, until its management socket answers.
  // Throws std::runtime_error when it does not start.
  explicit DaemonProcess(Options options);
  ~DaemonProcess();  // SIGTERM, then waits
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // One management request; the parsed response object.
  boost::json::object Call(const boost::json::object& request);
  // Its `result` as a number.
  static std::uint32_t ResultOf(const boost::json::object& response);

  void Kill();   // SIGKILL, and waits for it
  void Start();  // starts again with the same options (after Kill), and waits
  void Stop();   // SIGTERM, and waits
  pid_t pid() const { return pid_; }
  // The port the host listens on, its /dli `host.port`: asked on first use
  // after each Start(), and again after a Call() that moves or closes the
  // listener (ipk, upk, sprt). Throws std::runtime_error when the daemon
  // does not listen (no host key installed). Not thread-safe: read it
  // before starting threads.
  std::uint16_t port();
  const std::string& socket_path() const { return socket_; }
  const std::string& state_dir() const { return options_.state_dir; }

 private:
  Options options_;
  std::string socket_;
  pid_t pid_ = -1;
  std::uint16_t bound_port_ = 0;  // 0: not asked since the last change
  // The notify socket and the thread that reads it for the daemon's life
  // (a datagram socket nobody reads fills after a few messages, and then
  // the daemon's sd_notify blocks). Null when the test passes its own.
  struct Notify;
  std::unique_ptr<Notify> notify_;
};

// Sends one request frame to 127.0.0.1:port on a new connection and returns
// the decoded answer. Transport errors are kNoHostReachable.
Result<Message> SendActivation(std::uint16_t port, const ActivationRequest& request);

// Sends raw bytes and returns what came back before the host closed the
// connection or `timeout_ms` passed.
Bytes SendRaw(std::uint16_t port, const Bytes& bytes, int timeout_ms);

}  // namespace activa::testing

// Skips the test when activad has no test-only clock control (the
// `test_advance_clock` operation), naming the option that builds it in.
#define ACTIVA_REQUIRE_TEST_CONTROLS()                                             \
  do {                                                                             \
    if (!::activa::testing::kDaemonHasTestControls) {                              \
      GTEST_SKIP() << "activad was built without the test-only clock control; "    \
                      "configure with -DACTIVA_TEST_CONTROLS=ON to run this test"; \
    }                                                                              \
  } while (0)

#endif  // ACTIVA_TESTING_DAEMON_PROCESS_H_
