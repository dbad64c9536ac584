// The operating system as the daemon's roles see it (STYLE.md 7, after
// leveldb's Env and envoy's TimeSource): the clock, this machine's name and
// whether it is a virtual machine, and the files it reads and writes (the
// catalogs, the host's signing key).
//
// The roles take a System&; production passes RealSystem, tests a
// FakeSystem (base/fake_system.h) whose time, host name and files they set,
// and whose reads fail on demand. The state database is not behind it: it
// is SQLite's own I/O, and its writes reach the roles through the state
// store and the commit queue, which tests fake or fail directly.
//
// Thread safety: RealSystem may be used from any thread; fakes from one.
#ifndef ACTIVA_BASE_SYSTEM_H_
#define ACTIVA_BASE_SYSTEM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace activa {

class System {
 public:
  virtual ~System() = default;

  virtual const Clock& clock() const = 0;
  // This machine's name (gethostname); "localhost" when it has none.
  virtual std::string HostName() = 0;
  // True when the processor reports a hypervisor. Reported only: a virtual
  // machine counts like a physical one.
  virtual bool IsVirtualMachine() = 0;
  // The names (not paths) of the regular files in `dir`, sorted.
  // kFileNotFound when `dir` does not exist, other errors as they come.
  virtual Result<std::vector<std::string>> ListFiles(const std::string& dir) = 0;
  // A whole file; kFileNotFound when it does not exist.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Who owns `path` and its mode bits (the permissions only), without
  // following a symbolic link at the end of it. kFileNotFound when absent.
  struct FileInfo {
    std::uint32_t uid = 0;
    std::uint32_t mode = 0;  // st_mode & 07777
    bool is_directory = false;
    bool is_symlink = false;
  };
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  // The user this process acts as (geteuid).
  virtual std::uint32_t EffectiveUid() = 0;
  // A secret's file: kFileNotFound when it does not exist, kAccessDenied
  // when its group or others may read it (the message says how to fix it).
  virtual Result<std::string> ReadPrivateFile(const std::string& path) = 0;
  // Creates `path` with mode 0600 and `data`, durably; kFileExists when it
  // exists already (a secret is never overwritten).
  virtual Status CreatePrivateFile(const std::string& path, std::string_view data) = 0;
};

// The real machine, with time from `clock` (which must outlive it).
class RealSystem final : public System {
 public:
  explicit RealSystem(const Clock& clock) : clock_(clock) {}
  const Clock& clock() const override { return clock_; }
  std::string HostName() override;
  bool IsVirtualMachine() override;
  Result<std::vector<std::string>> ListFiles(const std::string& dir) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override;
  std::uint32_t EffectiveUid() override;
  Result<std::string> ReadPrivateFile(const std::string& path) override;
  Status CreatePrivateFile(const std::string& path, std::string_view data) override;

 private:
  const Clock& clock_;
};

}  // namespace activa

#endif  // ACTIVA_BASE_SYSTEM_H_
