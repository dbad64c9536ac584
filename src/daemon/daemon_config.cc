#include "daemon/daemon_config.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "clearinghouse_client/clearinghouse_api.h"
#include "config/toml_reader.h"
#include "dns/dns_publisher.h"
#include "net/dns_name.h"

namespace activa {
Status ValidateServiceLabel(std::string_view service) {
  // KMS's label is reserved for Microsoft's clients: publishing under it would
  // send Windows machines to a host that cannot answer them.
  std::string lower(service);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower.rfind("_vlmcs.", 0) == 0) {
    return Status(ResultCode::kInvalidArgument,
                  "\"_vlmcs\" belongs to Microsoft's KMS; Activa must not publish under it");
  }
  std::size_t dot = lower.find('.');
  bool ok = dot != std::string::npos && lower.size() > dot + 1 && lower[0] == '_' &&
            lower[dot + 1] == '_' && lower.find('.', dot + 1) == std::string::npos &&
            IsValidDnsName(lower);
  if (!ok) {
    return Status(ResultCode::kInvalidArgument,
                  "\"service\" must be _NAME._PROTOCOL, such as _activa._tcp");
  }
  return Status::Ok();
}

namespace {

// [management] metrics_listen = ["ADDR:PORT", ...]: addresses, never names
// (a listener binds what it is given; a name could resolve elsewhere
// tomorrow), each with its port (there is no default port to guess).
void ReadMetricsListen(TableReader& r, DaemonConfig* c) {
  std::optional<std::vector<std::string>> listen = r.Strings("metrics_listen");
  if (!listen) return;
  for (const std::string& text : *listen) {
    Result<HostAddress> a = ParseHostAddress(text, 0);
    if (a.ok() && a->port == 0) {
      r.Fail("metrics_listen",
             "\"metrics_listen\": \"" + text + "\" needs a port, such as 127.0.0.1:9688");
      return;
    }
    if (!a.ok() || !ParseNetwork(a->host) || a->host.find('/') != std::string::npos) {
      r.Fail("metrics_listen", "\"metrics_listen\": \"" + text +
                                   "\" is not ADDRESS:PORT with an IPv4 or [IPv6] address, "
                                   "such as 127.0.0.1:9688 or [::1]:9688");
      return;
    }
    c->metrics_listen.push_back(*a);
  }
}

}  // namespace

Result<DaemonConfig> ParseDaemonConfig(std::string_view text, const std::string& file) {
  Result<toml::table> parsed = ParseToml(text, file);
  if (!parsed.ok()) return parsed.status();
  DaemonConfig c;
  TableReader root(*parsed, file, "top level");
  const toml::table* daemon = root.Table("daemon");
  const toml::table* host = root.Table("host");
  const toml::table* client = root.Table("client");
  const toml::table* dns = root.Table("dns");
  const toml::table* management = root.Table("management");
  if (root.status().ok()) root.RejectUnknownKeys();
  ACTIVA_RETURN_IF_ERROR(root.status());

  auto range = [](TableReader& r, std::string_view key, std::int64_t lo, std::int64_t hi,
                  auto& out) {
    std::optional<std::int64_t> v = r.Int(key);
    if (!v) return;
    if (*v < lo || *v > hi) {
      r.Fail(key, "\"" + std::string(key) + "\" must be " + std::to_string(lo) + " to " +
                      std::to_string(hi));
      return;
    }
    out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
  };

  if (daemon != nullptr) {
    TableReader r(*daemon, file, "[daemon]");
    if (auto name = r.OptionalString("machine_name")) {
      if (name->empty() || name->size() > 255) r.Fail("machine_name", "must be 1 to 255 bytes");
      c.machine_name = *name;
    }
    if (auto j = r.Bool("journal")) c.journal = *j;
    range(r, "keep_events", 100, 100000000, c.keep_events);
    if (auto user = r.OptionalString("user")) {
      // A name as useradd(8) takes it; a number is not a name.
      bool ok = !user->empty() && user->size() <= 32 && (*user)[0] != '-' &&
                user->find_first_not_of(
                    "abcdefghijklmnopqrstuvwxyz"
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == std::string::npos &&
                user->find_first_not_of("0123456789") != std::string::npos;
      if (!ok) r.Fail("user", "\"user\" must be a user name such as \"activa\"");
      c.user = *user;
    }
    if (r.status().ok()) r.RejectUnknownKeys();
    ACTIVA_RETURN_IF_ERROR(r.status());
  }
  if (host != nullptr) {
    TableReader r(*host, file, "[host]");
    if (auto listen = r.Strings("listen")) {
      for (const std::string& a : *listen) {
        std::optional<Network> n = ParseNetwork(a);
        if (!n || a.find('/') != std::string::npos) {
          r.Fail("listen", "\"" + a + "\" is not an IPv4 or IPv6 address");
        }
      }
      c.listen = *listen;
    }
    // 0: the kernel chooses a free port at each start (tests run many hosts).
    range(r, "port", 0, 65535, c.port);
    if (auto nets = r.Strings("allowed_networks")) {
      c.allowed_networks.clear();
      for (const std::string& s : *nets) {
        std::optional<Network> n = ParseNetwork(s);
        if (!n) {
          r.Fail("allowed_networks", "\"" + s + "\" is not a network such as 10.0.0.0/8");
          break;
        }
        c.allowed_networks.push_back(*n);
      }
    }
    range(r, "max_connections", 1, 1000000, c.max_connections);
    range(r, "max_connections_per_address", 1, 1000000, c.max_connections_per_address);
    range(r, "idle_timeout_seconds", 1, 3600, c.idle_timeout_seconds);
    range(r, "io_threads", 0, 1024, c.io_threads);
    range(r, "max_new_clients_per_minute", 1, 1000000, c.max_new_clients_per_minute);
    range(r, "keep_clients_days", 0, 36500, c.keep_clients_days);
    if (r.status().ok()) r.RejectUnknownKeys();
    ACTIVA_RETURN_IF_ERROR(r.status());
  }
  if (client != nullptr) {
    TableReader r(*client, file, "[client]");
    range(r, "connect_timeout_seconds", 1, 600, c.connect_timeout_seconds);
    range(r, "response_timeout_seconds", 1, 600, c.response_timeout_seconds);
    if (auto url = r.OptionalString("clearinghouse")) {
      Result<HostAddress> a = clearinghouse::ParseClearinghouseUrl(*url, "clearinghouse");
      if (!a.ok()) r.Fail("clearinghouse", a.status().message());
      c.clearinghouse = *url;
    }
    if (auto ca = r.OptionalString("clearinghouse_ca")) {
      if (ca->empty() || ca->front() != '/') {
        r.Fail("clearinghouse_ca", "\"clearinghouse_ca\" must be an absolute path");
      }
      c.clearinghouse_ca = *ca;
    }
    if (auto proxy = r.OptionalString("proxy")) {
      Result<HostAddress> a = clearinghouse::ParseProxyUrl(*proxy, "proxy");
      if (!a.ok()) r.Fail("proxy", a.status().message());
      c.proxy = *proxy;
    }
    if (r.status().ok()) r.RejectUnknownKeys();
    ACTIVA_RETURN_IF_ERROR(r.status());
  }
  if (dns != nullptr) {
    TableReader r(*dns, file, "[dns]");
    if (auto service = r.OptionalString("service")) {
      Status s = ValidateServiceLabel(*service);
      if (!s.ok()) r.Fail("service", s.message());
      c.dns.service = *service;
    }
    if (auto name = r.OptionalString("host_name")) {
      if (!IsValidDnsName(*name)) r.Fail("host_name", "\"" + *name + "\" is not a DNS name");
      c.dns.host_name = *name;
    }
    if (auto resolver = r.OptionalString("resolver")) {
      Result<HostAddress> a = ParseHostAddress(*resolver, 53);
      if (!a.ok()) {
        r.Fail("resolver", "\"resolver\" must be ADDRESS[:PORT], such as 127.0.0.1:5300");
      } else {
        c.dns.resolver = a->host;
        c.dns.resolver_port = a->port;
      }
    }
    if (auto d = r.Bool("disable_publishing")) c.dns.disable_publishing = *d;
    std::vector<const toml::table*> entries = r.Tables("publish");
    if (r.status().ok()) r.RejectUnknownKeys();
    ACTIVA_RETURN_IF_ERROR(r.status());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      TableReader e(*entries[i], file, "[[dns.publish]] #" + std::to_string(i + 1));
      DnsPublishEntry entry;
      entry.domain = e.String("domain");
      if (e.status().ok() && !IsValidDnsName(entry.domain)) {
        e.Fail("domain", "\"" + entry.domain + "\" is not a DNS name");
      }
      range(e, "priority", 0, 65535, entry.priority);
      range(e, "weight", 0, 65535, entry.weight);
      if (auto server = e.OptionalString("server")) {
        Result<HostAddress> a = ParseHostAddress(*server, 53);
        if (!a.ok()) {
          e.Fail("server", "\"server\" must be HOST[:PORT], such as 127.0.0.1:5300");
        } else {
          entry.server = a->host;
          entry.server_port = a->port;
        }
      }
      if (auto tsig = e.OptionalString("tsig")) {
        entry.tsig = *tsig;
        Result<dns::PublishTarget> target = ToPublishTarget(entry);
        if (!target.ok()) e.Fail("tsig", target.status().message());
      }
      if (auto tsig_file = e.OptionalString("tsig_file")) {
        // Relative to what? activad's working folder is not the config's.
        if (tsig_file->empty() || tsig_file->front() != '/') {
          e.Fail("tsig_file",
                 "\"tsig_file\" must be an absolute path, such as "
                 "/etc/activa/tsig.key");
        } else if (!entry.tsig.empty()) {
          e.Fail("tsig_file", "set \"tsig\" or \"tsig_file\", not both");
        }
        entry.tsig_file = *tsig_file;
      }
      if (e.status().ok()) e.RejectUnknownKeys();
      ACTIVA_RETURN_IF_ERROR(e.status());
      c.dns.publish.push_back(std::move(entry));
    }
  }
  if (management != nullptr) {
    TableReader r(*management, file, "[management]");
    if (auto listen = r.Strings("listen")) {
      for (const std::string& text : *listen) {
        Result<HostAddress> a = ParseHostAddress(text, kDefaultManagementPort);
        std::optional<Network> ip = a.ok() ? ParseNetwork(a->host) : std::nullopt;
        if (!a.ok() || !ip || a->host.find('/') != std::string::npos) {
          r.Fail("listen", "\"" + text +
                               "\" is not ADDRESS[:PORT] with an IP address, such as "
                               "\"0.0.0.0:1689\" or \"[::]:1689\"");
          break;
        }
        c.management.listen.push_back(*a);
      }
    }
    for (auto [key, out] : {std::pair{"tls_cert", &c.management.tls_cert},
                            std::pair{"tls_key", &c.management.tls_key}}) {
      if (auto path = r.OptionalString(key)) {
        if (path->empty() || path->front() != '/') {
          r.Fail(key, "\"" + std::string(key) + "\" must be an absolute path");
        }
        *out = *path;
      }
    }
    range(r, "session_idle_seconds", 60, 86400, c.management.session_idle_seconds);
    if (r.status().ok() && c.management.tls_cert.empty() != c.management.tls_key.empty()) {
      r.Fail(c.management.tls_cert.empty() ? "tls_key" : "tls_cert",
             "set \"tls_cert\" and \"tls_key\" together, or neither for a self-signed "
             "certificate");
    }
    ReadMetricsListen(r, &c);
    if (r.status().ok()) r.RejectUnknownKeys();
    ACTIVA_RETURN_IF_ERROR(r.status());
  }
  return c;
}

std::vector<std::string> DaemonConfigKeys() {
  KeyRecorder recorder;
  (void)ParseDaemonConfig("", "(keys)");
  return recorder.keys();
}

namespace {

std::string ModeText(std::uint32_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

// A secret's file: a plain file, owned by root or by us, that nobody else
// may read or change (then another local user could publish as this host,
// or withdraw it).
Status CheckKeyFile(System& system, const std::string& path) {
  Result<System::FileInfo> info = system.Stat(path);
  if (!info.ok()) return info.status();
  if (info->is_symlink || info->is_directory) {
    return Status(ResultCode::kAccessDenied,
                  path + (info->is_symlink ? ": is a symbolic link" : ": is a folder") +
                      "; a TSIG key file must be a plain file");
  }
  if (info->uid != 0 && info->uid != system.EffectiveUid()) {
    return Status(ResultCode::kAccessDenied,
                  path + ": owned by uid " + std::to_string(info->uid) +
                      "; a TSIG key file must be owned by root or by the user activad runs as "
                      "(uid " +
                      std::to_string(system.EffectiveUid()) + ")");
  }
  if ((info->mode & 077) != 0) {
    return Status(ResultCode::kAccessDenied,
                  path + ": mode " + ModeText(info->mode) +
                      " lets group or others at the TSIG secret; run chmod 600 " + path);
  }
  return Status::Ok();
}

// Reads the entry's tsig_file into `entry->tsig`.
Status LoadTsigFile(System& system, DnsPublishEntry* entry) {
  // Every message below starts with the file's path.
  const std::string where = "domain \"" + entry->domain + "\": \"tsig_file\" ";
  Status checked = CheckKeyFile(system, entry->tsig_file);
  if (!checked.ok()) return Status(checked.code(), where + checked.message());
  Result<std::string> text = system.ReadFile(entry->tsig_file);
  if (!text.ok()) return Status(text.status().code(), where + text.status().message());
  Result<dns::TsigKey> key = dns::ParseTsigKeyFile(*text);
  std::fill(text->begin(), text->end(), '\0');
  if (!key.ok()) {
    return Status(ResultCode::kInvalidArgument,
                  where + entry->tsig_file + ": " + key.status().message());
  }
  entry->tsig = key->name + ":" + key->algorithm + ":" + key->secret_base64;
  std::fill(key->secret_base64.begin(), key->secret_base64.end(), '\0');
  return Status::Ok();
}

}  // namespace

Result<DaemonConfig> LoadDaemonConfig(System& system, const std::string& path) {
  Result<std::string> text = system.ReadFile(path);
  if (!text.ok()) return text.status();
  Result<DaemonConfig> config = ParseDaemonConfig(*text, path);
  if (!config.ok()) return config.status();
  // An inline secret is as private as the file it is written in. (Key files
  // are not read yet, so a `tsig` here is inline.) The mode of a symbolic
  // link says nothing about its target, so that is refused as well.
  auto inline_key = std::find_if(config->dns.publish.begin(), config->dns.publish.end(),
                                 [](const DnsPublishEntry& e) { return !e.tsig.empty(); });
  if (inline_key != config->dns.publish.end()) {
    Result<System::FileInfo> info = system.Stat(path);
    if (!info.ok()) return info.status();
    if (info->is_symlink || (info->mode & 044) != 0) {
      return Status(ResultCode::kAccessDenied,
                    path + ": [[dns.publish]] domain \"" + inline_key->domain +
                        "\" has its TSIG secret inline in \"tsig\", and this file " +
                        (info->is_symlink ? "is a symbolic link"
                                          : "has mode " + ModeText(info->mode) +
                                                ", readable by group or others") +
                        "; move the key to a file named by \"tsig_file\" (such as "
                        "/etc/activa/tsig.key, chmod 600) or run chmod 600 " +
                        path);
    }
  }
  for (DnsPublishEntry& entry : config->dns.publish) {
    if (entry.tsig_file.empty()) continue;
    ACTIVA_RETURN_IF_ERROR(LoadTsigFile(system, &entry));
    Result<dns::PublishTarget> target = ToPublishTarget(entry);
    if (!target.ok()) return target.status();
  }
  return config;
}

Result<dns::PublishTarget> ToPublishTarget(const DnsPublishEntry& entry) {
  dns::PublishTarget t;
  t.domain = entry.domain;
  t.priority = entry.priority;
  t.weight = entry.weight;
  t.server = entry.server;
  t.server_port = entry.server_port;
  if (!entry.tsig_file.empty() && entry.tsig.empty()) {
    // Never a target without the key it names: that would publish unsigned.
    return Status(ResultCode::kInvalidArgument,
                  "domain \"" + entry.domain + "\": \"tsig_file\" " + entry.tsig_file +
                      " has not been read (the configuration was not loaded by LoadDaemonConfig)");
  }
  if (!entry.tsig.empty()) {
    Result<dns::TsigKey> key = dns::ParseTsigKey(entry.tsig);
    if (!key.ok()) {
      // ParseTsigKey's message names the key once it got that far and never
      // holds the secret.
      return Status(ResultCode::kInvalidArgument,
                    "domain \"" + entry.domain + "\": \"tsig\": " + key.status().message());
    }
    t.tsig = std::move(key).value();
  }
  return t;
}

Result<std::vector<dns::PublishTarget>> ToPublishTargets(
    const std::vector<DnsPublishEntry>& entries) {
  std::vector<dns::PublishTarget> out;
  for (const DnsPublishEntry& e : entries) {
    Result<dns::PublishTarget> t = ToPublishTarget(e);
    if (!t.ok()) return t.status();
    out.push_back(std::move(t).value());
  }
  return out;
}

}  // namespace activa
