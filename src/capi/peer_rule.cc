#include "capi/peer_rule.h"

#include <sys/stat.h>

#include <string>

namespace activa::capi {

std::optional<long> DaemonUser(std::string_view runtime_dir) {
  const std::string dir(runtime_dir);
  const std::string parent = dir.substr(0, dir.find_last_of('/'));
  struct stat folder {
  }, above{};
  // lstat: a link named /run/activa would let whoever owns its target vouch.
  if (::lstat(dir.c_str(), &folder) != 0 || !S_ISDIR(folder.st_mode)) return std::nullopt;
  if (::stat(parent.empty() ? "/" : parent.c_str(), &above) != 0 || above.st_uid != 0 ||
      (above.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return std::nullopt;
  }
  return static_cast<long>(folder.st_uid);
}

Status CheckPeer(long peer_uid, std::optional<long> daemon_user, std::string_view socket_path) {
  if (peer_uid == 0 || (peer_uid > 0 && daemon_user && peer_uid == *daemon_user)) {
    return Status::Ok();
  }
  return Status(ResultCode::kUntrustedService,
                "the process answering on " + std::string(socket_path) + " runs as user " +
                    (peer_uid < 0 ? std::string("(unknown)") : std::to_string(peer_uid)) +
                    ", neither root nor activad's user (the owner of /run/activa); its answer "
                    "is not believed");
}

}  // namespace activa::capi
