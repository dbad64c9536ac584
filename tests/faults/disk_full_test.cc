// Fault: the state folder's disk fills up under load (docs/reliability.md).
// The state directory is a small tmpfs, filled by a file of the test's
// while clients ask. What must hold: no client is answered with the host's
// signature unless its record is on disk; the others get 0xC0AC0005, which
// the log explains; the count only ever includes durable records (a failed
// commit counts nowhere: before, 40 refused clients had raised the count to
// 40 with nothing stored); and once space returns the host records and
// answers again by itself, without a restart.
//
// Needs root (mount); skipped elsewhere.
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/file_util.h"
#include "faults/fault_fixture.h"

namespace activa::faults {
namespace {

namespace fs = std::filesystem;
using testing::DaemonProcess;

// A tmpfs of `size` at `path` for the test's life.
class TmpfsMount {
 public:
  TmpfsMount(const std::string& path, const std::string& size) : path_(path) {
    fs::create_directories(path);
    std::string options = "size=" + size + ",mode=0700";
    mounted_ = ::mount("tmpfs", path.c_str(), "tmpfs", 0, options.c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

// Writes `path` until the disk is full; returns the bytes written.
std::uint64_t FillDisk(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::string chunk(64 * 1024, 'x');
  std::uint64_t written = 0;
  for (;;) {
    std::size_t n = std::fwrite(chunk.data(), 1, chunk.size(), f);
    written += n;
    if (n < chunk.size() || std::fflush(f) != 0) break;
  }
  // The last partial block too, byte by byte.
  for (int i = 0; i < 8192 && std::fputc('x', f) != EOF && std::fflush(f) == 0; ++i) ++written;
  std::fclose(f);
  return written;
}

class FaultDiskFullTest : public FaultTest {};

TEST_F(FaultDiskFullTest, AFullDiskCountsNothingAndRecoversWithoutARestart) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  const std::string state = dir_ / "host";
  TmpfsMount mount(state, "16m");
  if (!mount.mounted()) GTEST_SKIP() << "cannot mount a tmpfs: " << mount.error();
  // The daemon's log lives outside the small disk, so it can still say why.
  const std::string log = dir_ / "host-activad.log";
  std::ofstream(log).flush();
  fs::create_symlink(log, state + "/activad.log");

  auto host = ActivatedHost(Options("host"));
  const std::uint16_t port = host->port();
  std::set<std::string> signed_answers;
  for (int i = 0; i < 2; ++i) {
    ActivationRequest r = NewMachine();
    Result<Message> m = testing::SendActivation(port, r);
    ASSERT_TRUE(m.ok() && std::holds_alternative<ActivationResponse>(*m));
    signed_answers.insert(FormatUuid(r.cmid));
  }
  ASSERT_EQ(Count(*host), 2);

  const std::string filler = state + "/filler";
  ASSERT_GT(FillDisk(filler), 0u);
  // New machines while the disk is full: a signed answer only with a
  // stored record, otherwise 0xC0AC0005.
  int refused = 0;
  const int attempts = Scale(200, 2000);
  for (int i = 0; i < attempts && refused < Scale(40, 400); ++i) {
    ActivationRequest r = NewMachine();
    Result<Message> m = testing::SendActivation(port, r);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    if (std::holds_alternative<ActivationResponse>(*m)) {
      signed_answers.insert(FormatUuid(r.cmid));
      continue;
    }
    EXPECT_EQ(ResultOf(*m), ResultCode::kStorage);
    ++refused;
  }
  ASSERT_GT(refused, 0) << "the disk never refused a commit";
  // The count holds durable records only: what /dlc lists, read back from
  // the database, and every signed answer is among them.
  std::set<std::string> stored = StoredClients(*host);
  EXPECT_EQ(Count(*host), static_cast<int>(stored.size()));
  for (const std::string& cmid : signed_answers) {
    EXPECT_TRUE(stored.contains(cmid)) << cmid << " was answered without a record";
  }
  Result<std::string> text = ReadFile(log);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("cannot write the state database"), std::string::npos) << *text;

  // Space returns: the next new machine is recorded and counted as one
  // more, without a restart.
  fs::remove(filler);
  ActivationRequest next = NewMachine();
  Result<Message> m = testing::SendActivation(port, next);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(std::holds_alternative<ActivationResponse>(*m)) << static_cast<int>(ResultOf(*m));
  EXPECT_EQ(std::get<ActivationResponse>(*m).current_count, stored.size() + 1);
  EXPECT_EQ(Count(*host), static_cast<int>(stored.size() + 1));
  text = ReadFile(log);
  EXPECT_NE(text->find("the state database is written again"), std::string::npos) << *text;

  // And what was counted survives a kill.
  host->Kill();
  host->Start();
  EXPECT_EQ(Count(*host), static_cast<int>(stored.size() + 1));
  EXPECT_TRUE(StoredClients(*host).contains(FormatUuid(next.cmid)));
}

}  // namespace
}  // namespace activa::faults
