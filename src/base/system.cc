#include "base/system.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/file_util.h"

namespace activa {

std::string RealSystem::HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

bool RealSystem::IsVirtualMachine() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0) return line.find(" hypervisor") != std::string::npos;
  }
  return false;
}

Result<std::vector<std::string>> RealSystem::ListFiles(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> names;
  std::filesystem::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec)) names.push_back(it->path().filename().string());
  }
  if (ec) {
    ResultCode code = ec == std::errc::no_such_file_or_directory ? ResultCode::kFileNotFound
                                                                 : ResultCode::kStorage;
    return Status(code, dir + ": " + ec.message());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> RealSystem::ReadFile(const std::string& path) { return activa::ReadFile(path); }

Result<System::FileInfo> RealSystem::Stat(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    ResultCode code = errno == ENOENT ? ResultCode::kFileNotFound : ResultCode::kAccessDenied;
    return Status(code, path + ": " + std::strerror(errno));
  }
  FileInfo info;
  info.uid = st.st_uid;
  info.mode = st.st_mode & 07777;
  info.is_directory = S_ISDIR(st.st_mode);
  info.is_symlink = S_ISLNK(st.st_mode);
  return info;
}

std::uint32_t RealSystem::EffectiveUid() { return ::geteuid(); }

Result<std::string> RealSystem::ReadPrivateFile(const std::string& path) {
  // Opened without following a link, and checked on the open descriptor:
  // what is read is what was checked.
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status(ResultCode::kFileNotFound, path + ": no such file");
    if (errno == ELOOP) {
      return Status(ResultCode::kAccessDenied, path + ": is a symbolic link; refused");
    }
    return Status(ResultCode::kAccessDenied, path + ": " + std::strerror(errno));
  }
  struct stat st;
  std::string out;
  Status status = Status::Ok();
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    status = Status(ResultCode::kAccessDenied, path + ": not a regular file");
  } else if ((st.st_mode & 077) != 0) {
    status = Status(ResultCode::kAccessDenied,
                    path + ": readable by group or others; run chmod 600 " + path);
  } else {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        out.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0) {
        break;
      } else if (errno != EINTR) {
        status = Status(ResultCode::kStorage, path + ": " + std::strerror(errno));
        break;
      }
    }
    sodium_memzero(buf, sizeof buf);
  }
  ::close(fd);
  if (!status.ok()) return status;
  return out;
}

Status RealSystem::CreatePrivateFile(const std::string& path, std::string_view data) {
  return WriteFileAtomic(path, data, 0600, /*overwrite=*/false);
}

}  // namespace activa
