// activad's diagnostics are log lines on standard error (which the harness
// sends to STATE_DIR/activad.log); the event table keeps the KMS events only.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/event.h"
#include "base/file_util.h"
#include "daemon/state_store.h"
#include "testing/daemon_process.h"
#include "testing/example_vendor.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

using testing::DaemonProcess;

class DaemonLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Vendor> v = testing::MakeExampleVendor(dir_.path());
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vendor_.emplace(std::move(v).value());
  }

  std::unique_ptr<DaemonProcess> Daemon() {
    DaemonProcess::Options o;
    o.state_dir = dir_ / "state";
    o.catalog_dir = dir_ / "catalogs";
    return std::make_unique<DaemonProcess>(o);
  }

  void InstallHostKey(DaemonProcess& d) {
    Result<MintedKey> key =
        vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, ::time(nullptr));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    ASSERT_EQ(DaemonProcess::ResultOf(d.Call({{"op", "ipk"}, {"key", key->text}})), 0u);
  }

  std::string Log() const {
    std::ifstream in(dir_ / "state/activad.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // The log once it holds `text`, or after 10 s.
  std::string WaitForLog(const std::string& text) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string log = Log();
    while (log.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      log = Log();
    }
    return log;
  }

  std::vector<Event> Events() const {
    Result<StateStore> store = StateStore::Open(dir_ / "state/activad.db");
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return {};
    Result<std::vector<Event>> events = store->RecentEvents(1000);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<Event>{};
  }

  testing::TempDir dir_;
  std::optional<Vendor> vendor_;
};

TEST_F(DaemonLogTest, DiagnosticsAreLogLinesNotEvents) {
  ASSERT_TRUE(WriteFileAtomic(dir_ / "catalogs/broken.json", "{not a catalog", 0644, true).ok());
  auto d = Daemon();
  InstallHostKey(*d);
  std::string log = WaitForLog("host key installed");
  EXPECT_NE(log.find("activad warning: "), std::string::npos) << log;
  EXPECT_NE(log.find("broken.json"), std::string::npos) << log;
  EXPECT_NE(log.find("activad info: host key installed for product group"), std::string::npos)
      << log;
  for (const Event& e : Events()) {
    EXPECT_TRUE(IsKmsEventId(e.event_id)) << e.event_id << ": " << e.message;
  }
}

TEST_F(DaemonLogTest, RefusedReloadIsLoggedWithFileAndLine) {
  auto d = Daemon();
  const std::string config_path = dir_ / "state/activa.toml";
  Result<std::string> good = ReadFile(config_path);
  ASSERT_TRUE(good.ok());
  ASSERT_TRUE(WriteFileAtomic(config_path, "[host]\nprot = 1688\n", 0644, true).ok());
  ASSERT_EQ(::kill(d->pid(), SIGHUP), 0);
  std::string log = WaitForLog("reload refused");
  EXPECT_NE(log.find("activad error: reload refused, keeping the running configuration: "),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(config_path + ":2: [host]: unknown key \"prot\""), std::string::npos) << log;
  EXPECT_EQ(DaemonProcess::ResultOf(d->Call({{"op", "dli"}})), 0u);  // still running

  ASSERT_TRUE(WriteFileAtomic(config_path, *good, 0644, true).ok());
  ASSERT_EQ(::kill(d->pid(), SIGHUP), 0);
  log = WaitForLog("configuration and catalogs reloaded");
  EXPECT_NE(log.find("activad info: configuration and catalogs reloaded"), std::string::npos)
      << log;
  for (const Event& e : Events()) {
    EXPECT_TRUE(IsKmsEventId(e.event_id)) << e.event_id << ": " << e.message;
  }
}

// The refusals counted beyond the burst are written when the daemon stops,
// though their interval is not over.
TEST_F(DaemonLogTest, RefusedFrameSummaryIsWrittenAtShutdown) {
  auto d = Daemon();
  InstallHostKey(*d);
  const std::uint16_t port = d->port();
  Bytes garbage(kFrameHeaderSize, 'X');  // not our magic: closed without a word
  for (int i = 0; i < 25; ++i) testing::SendRaw(port, garbage, 2000);
  d->Stop();
  int one_by_one = 0;
  std::string summary;
  for (const Event& e : Events()) {
    if (e.event_id != kEventHostRequest) continue;
    if (e.message.rfind("Refused a frame", 0) == 0) ++one_by_one;
    if (e.message.find("more frames") != std::string::npos) summary = e.message;
  }
  EXPECT_EQ(one_by_one, 20);  // RefusalLog's burst
  EXPECT_NE(summary.find("Refused 5 more frames"), std::string::npos) << summary;
}

}  // namespace
}  // namespace activa
