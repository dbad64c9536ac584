#include "remote/admin_rule.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "management/operations.h"

namespace activa::remote {

bool IsAdminIdentity(uid_t uid, gid_t gid, std::span<const gid_t> groups) {
  if (uid == 0) return true;
  const std::string name(management::kAdminGroup);
  // The reentrant form: logins are checked on worker threads.
  std::vector<char> buffer(65536);
  group entry{};
  group* admin = nullptr;
  if (::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &admin) != 0 ||
      admin == nullptr) {
    return false;
  }
  if (gid == admin->gr_gid) return true;
  return std::find(groups.begin(), groups.end(), admin->gr_gid) != groups.end();
}

bool IsAdminUser(const std::string& user, uid_t* uid) {
  std::vector<char> buffer(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return false;
  }
  *uid = pw.pw_uid;
  std::vector<gid_t> groups(64);
  for (int tries = 0; tries < 4; ++tries) {
    int n = static_cast<int>(groups.size());
    if (::getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) >= 0) {
      groups.resize(static_cast<std::size_t>(n));
      return IsAdminIdentity(pw.pw_uid, pw.pw_gid, groups);
    }
    groups.resize(static_cast<std::size_t>(n) + 16);
  }
  return IsAdminIdentity(pw.pw_uid, pw.pw_gid, {});
}

}  // namespace activa::remote
