// Whom libactiva believes (DESIGN.md section 3, point 5): the process that
// answers on the socket must run as root or as activad's user. activad's
// user is the owner of activad's runtime folder, /run/activa: only root may
// create a folder in /run, and systemd gives it to the user the service runs
// as (packaging/activad.service, RuntimeDirectory). So a user who can make
// a socket of their own anywhere still cannot answer as activad.
#ifndef ACTIVA_CAPI_PEER_RULE_H_
#define ACTIVA_CAPI_PEER_RULE_H_

#include <optional>
#include <string_view>

#include "base/status.h"

namespace activa::capi {

inline constexpr std::string_view kRuntimeDir = "/run/activa";

// The owner of `runtime_dir` when root made it: the folder is a real folder
// (not a link) whose parent is root's and writable by nobody else. None
// otherwise (no such folder: only root is believed).
std::optional<long> DaemonUser(std::string_view runtime_dir = kRuntimeDir);

// OK when `peer_uid` (SO_PEERCRED; -1 unknown) is 0 or `daemon_user`;
// kUntrustedService naming the user otherwise. Pure.
Status CheckPeer(long peer_uid, std::optional<long> daemon_user, std::string_view socket_path);

}  // namespace activa::capi

#endif  // ACTIVA_CAPI_PEER_RULE_H_
