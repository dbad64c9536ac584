// What an idle client activad runs (docs/performance.md, "The client daemon
// at rest"): the event loop and the worker for DNS and the client's
// attempts, and no thread for a role it does not have: no commit thread
// (the host's client records), no clearinghouse thread (a host's renewals,
// a MAK's online activation), none for remote logins (PAM) when the
// management listener is off.
#include <gtest/gtest.h>

#include <cstddef>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/file_util.h"
#include "testing/daemon_process.h"
#include "testing/example_vendor.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::DaemonProcess;
using testing::TempDir;

// The threads of process `pid`, as the kernel lists them.
std::size_t Threads(pid_t pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& t :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    ++n;
  }
  return n;
}

std::uint32_t Ok(const json::object& r) { return DaemonProcess::ResultOf(r); }

class IdleClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Vendor> v = testing::MakeExampleVendor(dir_.path());
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vendor_.emplace(std::move(v).value());
  }

  std::unique_ptr<DaemonProcess> Daemon(const std::string& name) {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = dir_ / "catalogs";
    o.machine_name = name;
    return std::make_unique<DaemonProcess>(o);
  }

  TempDir dir_;
  std::optional<Vendor> vendor_;
};

// Nothing installed: two threads, also after a management request has
// nudged every loop into a pass.
TEST_F(IdleClientTest, ANewClientRunsTwoThreads) {
  auto client = Daemon("client");
  ASSERT_EQ(Ok(client->Call({{"op", "dli"}})), 0u);
  EXPECT_EQ(Threads(client->pid()), 2u);
}

// A client that asked a host has done all a client does (an attempt over
// the network, the chain check, its state saved) and still holds no
// host's thread.
TEST_F(IdleClientTest, AClientThatAskedAHostRunsNoHostThreads) {
  auto host = Daemon("host");
  Result<MintedKey> key =
      vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, ::time(nullptr));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  ASSERT_EQ(Ok(host->Call({{"op", "ipk"}, {"key", key->text}})), 0u);
  json::object dti = host->Call({{"op", "dti"}});
  ASSERT_TRUE(dti.contains("installation_id")) << json::serialize(dti);
  Result<std::string> cid =
      vendor_->Confirm(std::string(dti.at("installation_id").as_string()), ::time(nullptr));
  ASSERT_TRUE(cid.ok()) << cid.status().ToString();
  ASSERT_EQ(Ok(host->Call({{"op", "atp"}, {"confirmation_id", *cid}})), 0u);

  auto client = Daemon("client");
  ASSERT_EQ(Ok(client->Call({{"op", "ipk"}, {"key", vendor_->catalog().editions[0].setup_key}})),
            0u);
  ASSERT_EQ(
      Ok(client->Call({{"op", "skms"}, {"host", "127.0.0.1:" + std::to_string(host->port())}})),
      0u);
  // Licensed or not (one client is short of the edition's threshold), the
  // host answered it and counted it.
  client->Call({{"op", "ato"}});
  json::object dli = host->Call({{"op", "dli"}});
  ASSERT_EQ(dli.at("host").at("counts").as_array().at(0).at("count").to_number<int>(), 1)
      << json::serialize(dli);
  EXPECT_EQ(Threads(client->pid()), 2u);
  // The host, which wrote the client's record, has its commit thread.
  EXPECT_GT(Threads(host->pid()), 2u);
}

}  // namespace
}  // namespace activa
