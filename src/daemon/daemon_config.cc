#include "daemon/daemon_config.h"

#include "config/toml_reader.h"
#include "dns/dns_publisher.h"
#include "net/dns_name.h"

#include <cctype>

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

Result<DaemonConfig> ParseDaemonConfig(std::string_view text, const std::string& file) {
  Result<toml::table> parsed = ParseToml(text, file);
  if (!parsed.ok()) return parsed.status();
  DaemonConfig c;
  TableReader root(*parsed, file, "top level");
  const toml::table* daemon = root.Table("daemon");
  const toml::table* host = root.Table("host");
  const toml::table* client = root.Table("client");
  const toml::table* dns = root.Table("dns");
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
    range(r, "max_new_clients_per_minute", 1, 1000000, c.max_new_clients_per_minute);
    range(r, "keep_clients_days", 0, 36500, c.keep_clients_days);
    if (r.status().ok()) r.RejectUnknownKeys();
    ACTIVA_RETURN_IF_ERROR(r.status());
  }
  if (client != nullptr) {
    TableReader r(*client, file, "[client]");
    range(r, "connect_timeout_seconds", 1, 600, c.connect_timeout_seconds);
    range(r, "response_timeout_seconds", 1, 600, c.response_timeout_seconds);
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
      if (e.status().ok()) e.RejectUnknownKeys();
      ACTIVA_RETURN_IF_ERROR(e.status());
      c.dns.publish.push_back(std::move(entry));
    }
  }
  return c;
}

Result<dns::PublishTarget> ToPublishTarget(const DnsPublishEntry& entry) {
  dns::PublishTarget t;
  t.domain = entry.domain;
  t.priority = entry.priority;
  t.weight = entry.weight;
  t.server = entry.server;
  t.server_port = entry.server_port;
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
