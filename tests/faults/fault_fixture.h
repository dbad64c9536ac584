// The fault suite's common ground (docs/reliability.md): a vendor, an
// activated host on loopback, clients that speak the protocol directly, and
// what /proc says about the daemon (memory, CPU time, descriptors).
//
// Each fault is a test program of its own beside this file. They run
// bounded under ctest; with ACTIVA_FAULTS_FULL=1 in the environment
// (scripts/faults --full) the repeated ones run at the sizes.
#ifndef ACTIVA_TESTS_FAULTS_FAULT_FIXTURE_H_
#define ACTIVA_TESTS_FAULTS_FAULT_FIXTURE_H_

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/codec.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa::faults {

// True under scripts/faults --full.
bool FullRun();
// `bounded` normally, `full` under scripts/faults --full.
int Scale(int bounded, int full);

// What /proc/PID says.
std::uint64_t RssKiB(pid_t pid);
// User plus system CPU time, in clock ticks.
std::uint64_t CpuTicks(pid_t pid);
// The share of one CPU the process used over `seconds` (1.0: one core).
double CpuShare(pid_t pid, double seconds);
int OpenDescriptors(pid_t pid);

// One TCP connection to 127.0.0.1:port that speaks the activation protocol.
class Connection {
 public:
  explicit Connection(std::uint16_t port);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool Send(const Bytes& bytes);
  // The next whole frame, decoded; kNoHostReachable when the host closed
  // the connection or said nothing within `timeout_ms`.
  Result<Message> Receive(int timeout_ms = 30000);
  // True when the host closes the connection (or resets it) within
  // `timeout_ms` without sending anything.
  bool ClosedByHost(int timeout_ms);
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Options for a daemon named `name` in this test's folder.
  testing::DaemonProcess::Options Options(const std::string& name);
  // A host started with `o`, its host key installed and activated offline.
  std::unique_ptr<testing::DaemonProcess> ActivatedHost(testing::DaemonProcess::Options o);
  std::unique_ptr<testing::DaemonProcess> ActivatedHost() { return ActivatedHost(Options("host")); }

  // A request from a new machine of the first (client) edition.
  ActivationRequest NewMachine() const;
  const Edition& edition() const { return vendor_->catalog().editions[0]; }

  static std::uint32_t Ok(const boost::json::object& r) {
    return testing::DaemonProcess::ResultOf(r);
  }
  // The host's count for the first application, as /dli says.
  static int Count(testing::DaemonProcess& host);
  // The CMIDs of every client record the host lists (/dlc, page by page).
  static std::set<std::string> StoredClients(testing::DaemonProcess& host);
  static ResultCode ResultOf(const Message& m);

  testing::TempDir dir_;
  std::optional<Vendor> vendor_;
};

}  // namespace activa::faults

#endif  // ACTIVA_TESTS_FAULTS_FAULT_FIXTURE_H_
