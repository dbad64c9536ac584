#include "daemon/daemon_config.h"

#include "config/toml_reader.h"

namespace activa {

Result<DaemonConfig> ParseDaemonConfig(std::string_view text, const std::string& file) {
  Result<toml::table> parsed = ParseToml(text, file);
  if (!parsed.ok()) return parsed.status();
  DaemonConfig c;
  TableReader root(*parsed, file, "top level");
  const toml::table* daemon = root.Table("daemon");
  const toml::table* host = root.Table("host");
  const toml::table* client = root.Table("client");
  // [dns] belongs to DNS publishing and discovery; accepted here so a config
  // written for them does not stop the daemon.
  root.Table("dns");
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
    range(r, "port", 1, 65535, c.port);
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
    range(r, "idle_timeout_seconds", 1, 3600, c.idle_timeout_seconds);
    range(r, "commit_delay_ms", 0, 1000, c.commit_delay_ms);
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
  return c;
}

}  // namespace activa
