#include "dns/ldns_srv_resolver.h"

#include <ldns/ldns.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <fstream>
#include <sstream>

#include "dns/dns_message.h"
#include "dns/internal/transport.h"
#include "dns/resolv_conf.h"

namespace activa::dns {
namespace {

ResolvConf ReadResolvConf(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseResolvConf(text.str());
}

std::string WithoutDot(std::string name) {
  while (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

}  // namespace

Result<std::unique_ptr<SrvResolver>> LdnsSrvResolver::Create(const ResolverConfig& config) {
  if (config.timeout_ms <= 0) {
    return Status(ResultCode::kInvalidArgument, "the DNS timeout must be positive");
  }
  if (!config.nameserver.empty()) {
    auto address = ParseServerAddress(config.nameserver, config.port);
    if (!address.ok()) return address.status();
  }
  return std::unique_ptr<SrvResolver>(new LdnsSrvResolver(config));
}

Result<std::vector<SrvRecord>> LdnsSrvResolver::QuerySrv(const std::string& name) {
  std::vector<SrvRecord> records;
  Status status =
      internal::AskServers(config_, WithoutDot(name), LDNS_RR_TYPE_SRV, [&](ByteSpan answer) {
        auto parsed = ParseSrvAnswer(answer);
        if (!parsed.ok()) return parsed.status();
        records = std::move(*parsed);
        return Status::Ok();
      });
  if (!status.ok()) return status;
  return records;
}

Result<std::vector<std::string>> LdnsSrvResolver::ResolveAddresses(const std::string& host) {
  std::vector<std::string> out;
  for (ldns_rr_type type : {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA}) {
    Status status = internal::AskServers(config_, WithoutDot(host), type, [&](ByteSpan answer) {
      auto parsed = ParseAddressAnswer(answer);
      if (!parsed.ok()) return parsed.status();
      for (std::string& a : *parsed) {
        if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(std::move(a));
      }
      return Status::Ok();
    });
    if (!status.ok()) return status;
  }
  return out;
}

std::vector<std::string> LdnsSrvResolver::SearchDomains() {
  std::string host = config_.host_name;
  if (host.empty()) {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) host = buf;
  }
  return SearchDomainsFor(host, ReadResolvConf(config_.resolv_conf));
}

}  // namespace activa::dns
