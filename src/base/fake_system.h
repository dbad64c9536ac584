// A System for tests: a FakeClock, a settable host name, and files held in
// memory; reads fail on demand.
#ifndef ACTIVA_BASE_FAKE_SYSTEM_H_
#define ACTIVA_BASE_FAKE_SYSTEM_H_

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "base/system.h"

namespace activa {

class FakeSystem final : public System {
 public:
  explicit FakeSystem(std::int64_t now = 0) : clock_(now) {}

  FakeClock& fake_clock() { return clock_; }
  void SetHostName(std::string name) { host_name_ = std::move(name); }
  void SetVirtualMachine(bool vm) { vm_ = vm; }
  void SetFile(const std::string& path, std::string content) { files_[path] = std::move(content); }
  void RemoveFile(const std::string& path) { files_.erase(path); }
  // Reads of `path` (a file, or a folder for ListFiles) fail with `status`.
  void FailReads(const std::string& path, Status status) { failing_[path] = std::move(status); }

  const Clock& clock() const override { return clock_; }
  std::string HostName() override { return host_name_; }
  bool IsVirtualMachine() override { return vm_; }
  Result<std::vector<std::string>> ListFiles(const std::string& dir) override {
    if (auto f = failing_.find(dir); f != failing_.end()) return f->second;
    std::vector<std::string> names;
    const std::string prefix = dir + "/";
    for (const auto& [path, content] : files_) {
      if (path.rfind(prefix, 0) == 0 && path.find('/', prefix.size()) == std::string::npos) {
        names.push_back(path.substr(prefix.size()));
      }
    }
    if (names.empty()) return Status(ResultCode::kFileNotFound, dir + ": no such folder");
    return names;  // std::map keeps them sorted
  }
  Result<std::string> ReadFile(const std::string& path) override {
    if (auto f = failing_.find(path); f != failing_.end()) return f->second;
    auto it = files_.find(path);
    if (it == files_.end()) return Status(ResultCode::kFileNotFound, path + ": no such file");
    return it->second;
  }
  // Files and folders are owned by EffectiveUid() with mode 0644 (0755 for
  // a folder that holds files) unless SetFileInfo says otherwise.
  void SetFileInfo(const std::string& path, FileInfo info) { info_[path] = info; }
  void SetEffectiveUid(std::uint32_t uid) { uid_ = uid; }
  Result<FileInfo> Stat(const std::string& path) override {
    if (auto it = info_.find(path); it != info_.end()) return it->second;
    if (files_.count(path) != 0) return FileInfo{uid_, 0644, false, false};
    const std::string prefix = path + "/";
    for (const auto& [name, content] : files_) {
      if (name.rfind(prefix, 0) == 0) return FileInfo{uid_, 0755, true, false};
    }
    return Status(ResultCode::kFileNotFound, path + ": no such file");
  }
  std::uint32_t EffectiveUid() override { return uid_; }
  Result<std::string> ReadPrivateFile(const std::string& path) override { return ReadFile(path); }
  Status CreatePrivateFile(const std::string& path, std::string_view data) override {
    if (auto f = failing_writes_.find(path); f != failing_writes_.end()) return f->second;
    if (files_.count(path) != 0) return Status(ResultCode::kFileExists, path + ": exists");
    files_[path] = std::string(data);
    return Status::Ok();
  }
  // Writes of `path` fail with `status`.
  void FailWrites(const std::string& path, Status status) {
    failing_writes_[path] = std::move(status);
  }
  bool HasFile(const std::string& path) const { return files_.count(path) != 0; }

 private:
  FakeClock clock_;
  std::string host_name_ = "fake-host";
  bool vm_ = false;
  std::map<std::string, std::string> files_;
  std::map<std::string, Status> failing_;
  std::map<std::string, Status> failing_writes_;
  std::map<std::string, FileInfo> info_;
  std::uint32_t uid_ = 0;
};

}  // namespace activa

#endif  // ACTIVA_BASE_FAKE_SYSTEM_H_
