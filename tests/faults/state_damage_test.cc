// Fault: a corrupt, truncated or missing state (docs/reliability.md).
// The daemon refuses to start, naming the file and what to do, and never
// starts with a fresh identity over what is left; a brand-new folder still
// starts fresh. And the way back: activad --backup while the host serves,
// restored into a new folder.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "base/file_util.h"
#include "crypto/signing.h"
#include "faults/fault_fixture.h"
#include "testing/process.h"

namespace activa::faults {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::DaemonProcess;

class FaultStateDamageTest : public FaultTest {
 protected:
  // An activated host that has answered `clients` new machines, stopped.
  std::unique_ptr<DaemonProcess> StoppedHostWithClients(int clients) {
    auto host = ActivatedHost();
    const std::uint16_t port = host->port();
    for (int i = 0; i < clients; ++i) {
      Result<Message> m = testing::SendActivation(port, NewMachine());
      EXPECT_TRUE(m.ok() && std::holds_alternative<ActivationResponse>(*m));
    }
    host->Stop();
    return host;
  }

  // Starts `host` expecting a refusal; returns the daemon's log.
  std::string StartRefused(DaemonProcess& host) {
    const std::string log = host.state_dir() + "/activad.log";
    ::truncate(log.c_str(), 0);
    EXPECT_THROW(host.Start(), std::runtime_error) << "the daemon started over a damaged state";
    Result<std::string> text = ReadFile(log);
    return text.ok() ? *text : std::string();
  }

  static std::uintmax_t SizeOf(const std::string& path) {
    std::error_code ec;
    std::uintmax_t n = fs::file_size(path, ec);
    return ec ? 0 : n;
  }
};

TEST_F(FaultStateDamageTest, ABrandNewFolderStartsFresh) {
  DaemonProcess d(Options("fresh"));
  EXPECT_EQ(Ok(d.Call({{"op", "dli"}})), 0u);
  EXPECT_TRUE(fs::exists(d.state_dir() + "/activad.db"));
}

TEST_F(FaultStateDamageTest, AnEmptyDatabaseBesideTheHostKeyIsRefused) {
  auto host = StoppedHostWithClients(3);
  const std::string db = host->state_dir() + "/activad.db";
  ASSERT_EQ(::truncate(db.c_str(), 0), 0);
  fs::remove(db + "-wal");
  fs::remove(db + "-shm");
  std::string log = StartRefused(*host);
  EXPECT_NE(log.find(db), std::string::npos) << log;
  EXPECT_NE(log.find("empty"), std::string::npos) << log;
  EXPECT_NE(log.find("restore"), std::string::npos) << log;
  // Nothing was made over it.
  EXPECT_EQ(SizeOf(db), 0u);
}

TEST_F(FaultStateDamageTest, AMissingDatabaseBesideTheHostKeyIsRefused) {
  auto host = StoppedHostWithClients(3);
  const std::string db = host->state_dir() + "/activad.db";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);
  std::string log = StartRefused(*host);
  EXPECT_NE(log.find(db), std::string::npos) << log;
  EXPECT_NE(log.find("missing"), std::string::npos) << log;
  EXPECT_NE(log.find("host.key"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(db)) << "a new database was created over the lost one";
}

TEST_F(FaultStateDamageTest, AMissingHostKeyBesideTheCertificateIsRefused) {
  auto host = StoppedHostWithClients(3);
  const std::string key = host->state_dir() + "/host.key";
  ASSERT_TRUE(fs::remove(key));
  std::string log = StartRefused(*host);
  EXPECT_NE(log.find(key), std::string::npos) << log;
  EXPECT_NE(log.find("restore host.key"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(key)) << "a new key was made in place of the lost one";
}

TEST_F(FaultStateDamageTest, AnotherHostKeyThanTheCertificatesIsRefused) {
  auto host = StoppedHostWithClients(1);
  const std::string key = host->state_dir() + "/host.key";
  ASSERT_TRUE(fs::remove(key));
  std::string other = SigningKeyFileText(SigningKey::Generate());
  ASSERT_TRUE(WriteFileAtomic(key, other, 0600, false).ok());
  std::string log = StartRefused(*host);
  EXPECT_NE(log.find(key), std::string::npos) << log;
  EXPECT_NE(log.find("not the one the stored host certificate names"), std::string::npos) << log;
}

TEST_F(FaultStateDamageTest, JunkInTheMiddleOfTheDatabaseIsRefused) {
  auto host = StoppedHostWithClients(300);
  const std::string db = host->state_dir() + "/activad.db";
  // The daemon checkpointed at its stop: the whole state is in the file.
  ASSERT_FALSE(fs::exists(db + "-wal") && SizeOf(db + "-wal") > 0);
  const std::uintmax_t size = SizeOf(db);
  ASSERT_GT(size, 64u * 1024) << "too small a database to damage its middle";
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>((size / 2) / 4096 * 4096));
    std::string junk(4096, '\0');
    for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>(i * 131 + 7);
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  std::string log = StartRefused(*host);
  EXPECT_NE(log.find(db), std::string::npos) << log;
  EXPECT_NE(log.find("quick_check"), std::string::npos) << log;
  EXPECT_NE(log.find("restore"), std::string::npos) << log;
}

// activad --backup while the host answers clients: the copy opens, passes
// quick_check (the tool checks it), is the daemon's alone, and a host
// restored from it (with its host.key) starts as the same host with every
// client answered before the backup began.
TEST_F(FaultStateDamageTest, BackupWhileServingRestoresTheSameHost) {
  auto host = ActivatedHost();
  const std::uint16_t port = host->port();
  const std::string host_id =
      std::string(host->Call({{"op", "dli"}}).at("host").at("host_id").as_string());
  std::mutex mu;
  std::set<std::string> answered;
  std::atomic<bool> stop{false};
  std::vector<std::thread> senders;
  for (int t = 0; t < 2; ++t) {
    senders.emplace_back([&] {
      while (!stop) {
        ActivationRequest r = NewMachine();
        Result<Message> m = testing::SendActivation(port, r);
        if (!m.ok() || !std::holds_alternative<ActivationResponse>(*m)) continue;
        std::lock_guard lock(mu);
        answered.insert(FormatUuid(r.cmid));
      }
    });
  }
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (answered.size() >= 100) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::set<std::string> before;
  {
    std::lock_guard lock(mu);
    before = answered;
  }
  const std::string copy = dir_ / "backup.db";
  testing::ProcessResult r =
      testing::RunProcess({ACTIVAD_BIN, "--state-dir", host->state_dir(), "--backup", copy});
  stop = true;
  for (auto& t : senders) t.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  struct stat st;
  ASSERT_EQ(::stat(copy.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(copy + "-wal")) << "the copy is one file";

  // Restore into a new folder: the copy as activad.db, and host.key.
  const std::string restored = dir_ / "restored";
  fs::create_directories(restored);
  ::chmod(restored.c_str(), 0700);
  fs::copy_file(copy, restored + "/activad.db");
  fs::copy_file(host->state_dir() + "/host.key", restored + "/host.key");
  ::chmod((restored + "/host.key").c_str(), 0600);
  host->Stop();
  DaemonProcess again(Options("restored"));
  json::object dli = again.Call({{"op", "dli"}});
  EXPECT_EQ(std::string(dli.at("host").at("host_id").as_string()), host_id);
  std::set<std::string> stored = StoredClients(again);
  for (const std::string& cmid : before) {
    EXPECT_TRUE(stored.contains(cmid))
        << cmid << " was answered before the backup but is not in it";
  }
  // It serves: a new client is answered with the host's signature.
  Result<Message> m = testing::SendActivation(again.port(), NewMachine());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(std::holds_alternative<ActivationResponse>(*m));
}

TEST_F(FaultStateDamageTest, BackupOfAFolderWithoutADatabaseFails) {
  fs::create_directories(dir_ / "empty");
  testing::ProcessResult r =
      testing::RunProcess({ACTIVAD_BIN, "--state-dir", dir_ / "empty", "--backup", dir_ / "x.db"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("activad.db"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "x.db"));
}

}  // namespace
}  // namespace activa::faults
