// activad's configuration file (/etc/activa/activa.toml), DESIGN.md
// section 10: what an administrator sets once. What slmgr changes (port,
// intervals, priority, publishing, /skms) lives in the daemon's state and
// wins over the values here, as the registry does for KMS.
#ifndef ACTIVA_DAEMON_DAEMON_CONFIG_H_
#define ACTIVA_DAEMON_DAEMON_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/system.h"
#include "dns/dns_publisher.h"
#include "net/host_address.h"
#include "net/network.h"

namespace activa {

// One domain the host publishes its SRV record in ([[dns.publish]]).
struct DnsPublishEntry {
  std::string domain;
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::string server;  // "" = the zone's primary from its SOA record
  std::uint16_t server_port = 53;
  // The TSIG key as "keyname:algorithm:BASE64SECRET": written inline as
  // `tsig`, or read by LoadDaemonConfig from `tsig_file`; "" = unsigned.
  std::string tsig;
  // An absolute path, or "" when the key (if any) is inline. A file named
  // here but not read yet (ParseDaemonConfig alone) gives no target.
  std::string tsig_file;
};

struct DnsConfig {
  std::string service = "_activa._tcp";  // the SRV label; never _vlmcs
  std::string host_name;                 // the SRV target; default: this machine's FQDN
  std::string resolver;                  // "" = the system resolver
  std::uint16_t resolver_port = 53;
  bool disable_publishing = false;
  // Empty: the machine's own domain, priority 0, weight 0.
  std::vector<DnsPublishEntry> publish;
};

// [management]: the remote management listener (docs/remote.md). Off
// unless `listen` names an address.
struct ManagementConfig {
  // "ADDR:PORT" each ("0.0.0.0:1689", "[::]:1689"), IP addresses only.
  std::vector<HostAddress> listen;
  // PEM files, both or neither; neither: STATE_DIR/management.crt and
  // .key, a self-signed certificate made on first start.
  std::string tls_cert;
  std::string tls_key;
  // A login's session ends after this long without a request.
  int session_idle_seconds = 900;
};

// The management port's default, next to the activation port 1688.
inline constexpr std::uint16_t kDefaultManagementPort = 1689;

struct DaemonConfig {
  // [daemon]
  std::string machine_name;          // default: the host name
  bool journal = true;               // send events to the system journal too
  std::size_t keep_events = 100000;  // events kept in the state database
  // Started as root outside systemd: become this user once the listeners
  // can be bound (daemon/privileges.h). "" = stay as started.
  std::string user;

  // [host]
  std::vector<std::string> listen = {"0.0.0.0", "::"};  // addresses, without port
  std::uint16_t port = 1688;  // until slmgr /sprt sets one; 0: the kernel chooses
  std::vector<Network> allowed_networks = DefaultAllowedNetworks();
  std::size_t max_connections = 1024;
  // Connections one source address may hold at once; beyond it the new
  // connection is closed at once.
  std::size_t max_connections_per_address = 64;
  int idle_timeout_seconds = 30;
  // Event loops serving the activation connections, the daemon's own among
  // them; 0: one per CPU the process may run on. Read at start.
  int io_threads = 0;
  // New client machines (CMIDs not counted yet) one source address may
  // introduce per minute; beyond it they are refused (0xC0AC000B).
  std::uint32_t max_new_clients_per_minute = 600;
  // Client records last seen more than 30 days (the count's window) plus
  // this many days ago are deleted.
  int keep_clients_days = 90;

  // [client]
  int connect_timeout_seconds = 10;
  int response_timeout_seconds = 30;
  // The vendor's clearinghouse (docs/activad.md, "Online activation"):
  // "https://host[:port]" instead of the catalog's URL; "" = the catalog's.
  std::string clearinghouse;
  // A PEM file of CA certificates to check the clearinghouse's chain
  // against instead of the system's, when the catalog pins no key.
  std::string clearinghouse_ca;
  // "http://proxy:3128": reach the clearinghouse through this HTTP CONNECT
  // proxy; "" = the environment's https_proxy, if any.
  std::string proxy;

  // [dns]
  DnsConfig dns;

  // [management] metrics_listen: plain-HTTP listeners (no TLS, no login)
  // for GET /metrics, /healthz and /readyz, each an IP address with its
  // port ("127.0.0.1:9688", "[::1]:9688"); empty: none (docs/remote.md).
  std::vector<HostAddress> metrics_listen;
  // [management]
  ManagementConfig management;
};

// OK for "_name._proto" labels other than KMS's "_vlmcs._tcp".
Status ValidateServiceLabel(std::string_view service);

// Parses the TOML text. Unknown keys and bad values are kInvalidData naming
// the file, line and key; a [[dns.publish]] entry is checked with
// ToPublishTarget, so a TSIG key that does not parse stops start-up and
// refuses a reload. Pure: a `tsig_file` is checked to be an absolute path
// but not read (LoadDaemonConfig reads it).
Result<DaemonConfig> ParseDaemonConfig(std::string_view text, const std::string& file);

// Every key ParseDaemonConfig accepts, as "section.key" ("host.port",
// "dns.publish.domain"), sorted: read from the parser itself (KeyRecorder),
// so activa.toml(5) and its test follow the code.
std::vector<std::string> DaemonConfigKeys();

// What activad calls at start and on SIGHUP: reads `path` through `system`,
// parses it, and reads each [[dns.publish]] entry's `tsig_file`. Beyond
// ParseDaemonConfig's errors:
//  - a TSIG key file that is not a plain file (a folder, a symbolic link),
//    is owned by neither root nor system.EffectiveUid(), or whose mode gives
//    group or others any access is kAccessDenied naming the file and saying
//    to run chmod 600 (or chown);
//  - a key file that is missing is kFileNotFound, one that does not parse
//    (ParseTsigKeyFile) kInvalidArgument, both naming the file and domain;
//  - a `tsig` secret written inline in a file that group or others may read
//    is kAccessDenied, saying to move the secret to a `tsig_file`.
// No message holds a secret. Retry after fixing the file.
Result<DaemonConfig> LoadDaemonConfig(System& system, const std::string& path);

// The entry as the publisher takes it, its TSIG key parsed. An entry whose
// `tsig` is set but does not parse is kInvalidArgument naming the domain,
// "tsig" and the key's name when it has one (never the secret): there is no
// target without the key, so nothing is ever published unsigned by mistake.
Result<dns::PublishTarget> ToPublishTarget(const DnsPublishEntry& entry);
// Every entry of `entries`, in order; the first error.
Result<std::vector<dns::PublishTarget>> ToPublishTargets(
    const std::vector<DnsPublishEntry>& entries);

}  // namespace activa

#endif  // ACTIVA_DAEMON_DAEMON_CONFIG_H_
