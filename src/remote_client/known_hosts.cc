#include "remote_client/known_hosts.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/file_util.h"

namespace activa::remote_client {
namespace {

// The line's two fields, or false for a comment or blank line.
bool Fields(const std::string& line, std::string* host, std::string* fingerprint) {
  std::size_t start = line.find_first_not_of(" \t");
  if (start == std::string::npos || line[start] == '#') return false;
  std::size_t space = line.find_first_of(" \t", start);
  *host = line.substr(start, space == std::string::npos ? std::string::npos : space - start);
  if (space == std::string::npos) {
    fingerprint->clear();
    return true;
  }
  std::size_t fp = line.find_first_not_of(" \t", space);
  std::size_t end = fp == std::string::npos ? fp : line.find_first_of(" \t\r", fp);
  *fingerprint =
      fp == std::string::npos ? "" : line.substr(fp, end == std::string::npos ? end : end - fp);
  return true;
}

// mkdir -p, each folder made here 0700: known_hosts says which machines
// this user manages.
Status MakeFolders(const std::filesystem::path& dir) {
  if (dir.empty() || std::filesystem::exists(dir)) return Status::Ok();
  ACTIVA_RETURN_IF_ERROR(MakeFolders(dir.parent_path()));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status(ResultCode::kAccessDenied,
                  "cannot create " + dir.string() + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

std::string DefaultKnownHostsPath() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/activa/known_hosts";
  const char* home = std::getenv("HOME");
  std::string h = home != nullptr && home[0] != '\0' ? home : "";
  if (h.empty()) {
    if (passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir != nullptr) h = pw->pw_dir;
  }
  return h + "/.config/activa/known_hosts";
}

Result<KnownHosts> KnownHosts::Load(const std::string& path) {
  KnownHosts k;
  k.path_ = path;
  if (!std::filesystem::exists(path)) return k;
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::size_t pos = 0;
  int number = 0;
  while (pos < text->size()) {
    std::size_t nl = text->find('\n', pos);
    std::string line = text->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text->size() : nl + 1;
    ++number;
    std::string host, fp;
    if (Fields(line, &host, &fp) && fp.rfind("SHA256:", 0) != 0) {
      return Status(ResultCode::kInvalidData,
                    path + ":" + std::to_string(number) +
                        ": not \"HOST:PORT SHA256:FINGERPRINT\"; fix or remove the line");
    }
    k.lines_.push_back(std::move(line));
  }
  return k;
}

std::optional<std::string> KnownHosts::Find(const std::string& host_port) const {
  for (const std::string& line : lines_) {
    std::string host, fp;
    if (Fields(line, &host, &fp) && host == host_port) return fp;
  }
  return std::nullopt;
}

Status KnownHosts::Pin(const std::string& host_port, const std::string& fingerprint) {
  std::vector<std::string> kept;
  for (const std::string& line : lines_) {
    std::string host, fp;
    if (!Fields(line, &host, &fp) || host != host_port) kept.push_back(line);
  }
  kept.push_back(host_port + " " + fingerprint);
  lines_ = std::move(kept);
  return Save();
}

Result<bool> KnownHosts::Forget(const std::string& host_port) {
  std::vector<std::string> kept;
  bool found = false;
  for (const std::string& line : lines_) {
    std::string host, fp;
    if (Fields(line, &host, &fp) && host == host_port) {
      found = true;
    } else {
      kept.push_back(line);
    }
  }
  if (!found) return false;
  lines_ = std::move(kept);
  ACTIVA_RETURN_IF_ERROR(Save());
  return true;
}

Status KnownHosts::Save() const {
  ACTIVA_RETURN_IF_ERROR(MakeFolders(std::filesystem::path(path_).parent_path()));
  std::string text;
  for (const std::string& line : lines_) text += line + "\n";
  return WriteFileAtomic(path_, text, 0600, /*overwrite=*/true);
}

}  // namespace activa::remote_client
