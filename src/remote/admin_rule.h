// Who is an administrator of activad (DESIGN.md section 7): root, or a
// member of the group activa-admin on this machine. The Unix socket asks
// with the peer process's credentials, the management listener with the
// groups of the user who logged in; both through this one rule.
#ifndef ACTIVA_REMOTE_ADMIN_RULE_H_
#define ACTIVA_REMOTE_ADMIN_RULE_H_

#include <sys/types.h>

#include <span>
#include <string>

namespace activa::remote {

// True for uid 0, or when `gid` or one of `groups` is activa-admin's (false
// when the group does not exist).
bool IsAdminIdentity(uid_t uid, gid_t gid, std::span<const gid_t> groups);

// The same for a user by name, with the groups /etc/group (NSS) gives that
// user now (getgrouplist). False for an unknown user. Sets `*uid` when the
// user exists.
bool IsAdminUser(const std::string& user, uid_t* uid);

}  // namespace activa::remote

#endif  // ACTIVA_REMOTE_ADMIN_RULE_H_
