#include "base/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace activa {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Status(ResultCode::kFileNotFound, path + ": no such file");
    return Status(ResultCode::kStorage, path + ": " + std::strerror(errno));
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return Status(ResultCode::kStorage, path + ": read failed");
  return out.str();
}

Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode,
                       bool overwrite) {
  if (!overwrite && ::access(path.c_str(), F_OK) == 0) {
    return Status(ResultCode::kFileExists, path + " already exists; not overwriting it");
  }
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return Status(ResultCode::kStorage, path + ": " + std::strerror(errno));
  auto fail = [&](const char* what) {
    std::string msg = path + ": " + what + ": " + std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status(ResultCode::kStorage, msg);
  };
  if (::fchmod(fd, mode) != 0) return fail("chmod");
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("fsync");
  ::close(fd);
  if (!overwrite) {
    // link() fails if `path` appeared meanwhile, so a racing writer loses
    // instead of silently replacing the other's file.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      if (err == EEXIST) {
        return Status(ResultCode::kFileExists, path + " already exists; not overwriting it");
      }
      return Status(ResultCode::kStorage, path + ": " + std::strerror(err));
    }
    ::unlink(tmp.c_str());
    return Status::Ok();
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status(ResultCode::kStorage, path + ": rename: " + std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace activa
