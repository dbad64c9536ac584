#include "daemon/service_status.h"

namespace activa {

ServiceStatus CollectServiceStatus(DaemonCore& core, std::string listen_error) {
  ServiceStatus s;
  HostRole& host = core.host();
  s.products = core.client().products().size();
  s.host = host.key_installed();
  if (!s.host) return s;
  s.activated = host.activated();
  s.port = host.port;
  s.listen_error = std::move(listen_error);
  const std::int64_t now = core.clock().Now();
  if (const Catalog* catalog = host.catalog()) {
    for (const Application& a : catalog->applications) {
      s.counts.emplace_back(a.name, host.requests().Count(a.id, now));
    }
  }
  s.clients = host.requests().tracked();
  s.requests = host.requests().stats().total;
  s.failed = host.requests().stats().failed;
  // The latest outcome over every domain.
  const PublishStatus* latest = nullptr;
  for (const PublishStatus& p : host.publish_status()) {
    if (latest == nullptr || p.time >= latest->time) latest = &p;
  }
  if (!host.dns_publishing) {
    s.dns = "publishing off";
  } else if (!core.dns_problem().empty()) {
    s.dns = core.dns_problem();
  } else if (latest != nullptr) {
    s.dns = latest->domain + (latest->withdrawn                   ? " withdrawn"
                              : latest->result == ResultCode::kOk ? " published"
                                                                  : " failed: " + latest->message);
  }
  return s;
}

std::string FormatServiceStatus(const ServiceStatus& s) {
  std::string out;
  if (!s.host) {
    out = "client: " + std::to_string(s.products) + (s.products == 1 ? " product" : " products") +
          ", no host key";
    return out;
  }
  out = s.activated ? "host:" : "host (not activated):";
  if (!s.listen_error.empty()) out += " " + s.listen_error + ",";
  for (std::size_t i = 0; i < s.counts.size(); ++i) {
    out +=
        (i == 0 ? " count " : ", ") + s.counts[i].first + " " + std::to_string(s.counts[i].second);
  }
  if (!s.counts.empty()) out += ",";
  out += " " + std::to_string(s.clients) + (s.clients == 1 ? " client, " : " clients, ") +
         std::to_string(s.requests) + (s.requests == 1 ? " request" : " requests");
  if (s.failed > 0) out += " (" + std::to_string(s.failed) + " failed)";
  if (s.listen_error.empty()) out += ", port " + std::to_string(s.port);
  if (!s.dns.empty()) out += ", DNS " + s.dns;
  // One line: sd_notify's assignments are separated by newlines.
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  constexpr std::size_t kMax = 200;
  if (out.size() > kMax) out = out.substr(0, kMax - 3) + "...";
  return out;
}

}  // namespace activa
