#include "daemon/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

#include "daemon/log.h"

namespace activa {
namespace {

Status Failed(const std::string& call) {
  return Status(ResultCode::kAccessDenied,
                "cannot drop root: " + call + " failed: " + std::strerror(errno));
}

// The highest capability this kernel knows.
int LastCapability() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int last = 0;
  if (in >> last && last > 0 && last < 64) return last;
  return CAP_LAST_CAP;
}

// A folder activad writes in as `uid`: made for it when missing, else it
// must be the user's already.
Status CheckOwnFolder(const std::string& dir, mode_t mode, uid_t uid, gid_t gid,
                      const std::string& user, const char* what) {
  if (dir.empty()) return Status::Ok();
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return Failed("lstat " + dir);
    if (::mkdir(dir.c_str(), mode) != 0) return Failed("mkdir " + dir);
    if (::chown(dir.c_str(), uid, gid) != 0) return Failed("chown " + dir);
    ::chmod(dir.c_str(), mode);  // whatever the umask made of it
    return Status::Ok();
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status(ResultCode::kAccessDenied, dir + ": the " + what + " is not a folder");
  }
  if (st.st_uid != uid) {
    return Status(ResultCode::kAccessDenied,
                  dir + ": the " + what + " belongs to uid " + std::to_string(st.st_uid) +
                      ", but activad runs as " + user + " ([daemon] user); run chown -R " + user +
                      ":" + user + " " + dir);
  }
  return Status::Ok();
}

}  // namespace

Status DropPrivileges(const std::string& user, const std::string& state_dir,
                      const std::string& socket_dir) {
  if (user.empty() || ::geteuid() != 0) return Status::Ok();
  errno = 0;
  passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr) {
    return Status(ResultCode::kNotFound, "[daemon] user: there is no user \"" + user +
                                             "\"; create it (adduser --system --group " + user +
                                             ") or remove the key to stay root");
  }
  const uid_t uid = pw->pw_uid;
  const gid_t gid = pw->pw_gid;
  if (uid == 0) return Status::Ok();
  ACTIVA_RETURN_IF_ERROR(CheckOwnFolder(state_dir, 0700, uid, gid, user, "state folder"));
  ACTIVA_RETURN_IF_ERROR(CheckOwnFolder(socket_dir, 0755, uid, gid, user, "socket's folder"));

  std::vector<gid_t> groups = {gid};
  if (group* shadow = ::getgrnam("shadow"); shadow != nullptr && shadow->gr_gid != gid) {
    groups.push_back(shadow->gr_gid);
  }
  // The bounding set first: dropping from it needs CAP_SETPCAP, which the
  // user will not have. What is not in it can never come back, not even
  // through a program with file capabilities.
  for (int cap = 0; cap <= LastCapability(); ++cap) {
    if (cap == kCapNetBindService) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      return Failed("PR_CAPBSET_DROP " + std::to_string(cap));
    }
  }
  // Keep the permitted set across setuid(), to take CAP_NET_BIND_SERVICE
  // back into the effective set below.
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return Failed("PR_SET_KEEPCAPS");
  if (::setgroups(groups.size(), groups.data()) != 0) return Failed("setgroups");
  if (::setresgid(gid, gid, gid) != 0) return Failed("setresgid");
  if (::setresuid(uid, uid, uid) != 0) return Failed("setresuid");
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  data[0].effective = 1u << kCapNetBindService;
  data[0].permitted = 1u << kCapNetBindService;
  if (::syscall(SYS_capset, &header, data) != 0) return Failed("capset");
  ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  // Root must be gone for good.
  if (::setuid(0) == 0 || ::setgid(0) == 0) {
    return Status(ResultCode::kAccessDenied, "cannot drop root: it could be regained");
  }
  LogInfo("running as " + user + " (uid " + std::to_string(uid) +
          "), keeping only CAP_NET_BIND_SERVICE");
  return Status::Ok();
}

}  // namespace activa
