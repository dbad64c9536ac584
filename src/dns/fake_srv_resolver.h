// An in-memory SrvResolver for unit tests of the code that discovers hosts.
// Names are compared as given (use the same spelling, without trailing dot).
#ifndef ACTIVA_DNS_FAKE_SRV_RESOLVER_H_
#define ACTIVA_DNS_FAKE_SRV_RESOLVER_H_

#include <map>
#include <string>
#include <vector>

#include "dns/srv_resolver.h"

namespace activa::dns {

class FakeSrvResolver : public SrvResolver {
 public:
  void SetSrv(const std::string& name, std::vector<SrvRecord> records) { srv_[name] = records; }
  void SetAddresses(const std::string& host, std::vector<std::string> addresses) {
    addresses_[host] = addresses;
  }
  // Makes QuerySrv or ResolveAddresses of `name` fail with `status`.
  void SetError(const std::string& name, Status status) { errors_[name] = status; }
  void ClearError(const std::string& name) { errors_.erase(name); }
  void SetSearchDomains(std::vector<std::string> domains) { search_ = std::move(domains); }

  // The names asked so far, in order (SRV and address queries both).
  const std::vector<std::string>& queries() const { return queries_; }

  Result<std::vector<SrvRecord>> QuerySrv(const std::string& name) override {
    queries_.push_back(name);
    if (auto e = errors_.find(name); e != errors_.end()) return e->second;
    auto it = srv_.find(name);
    return it == srv_.end() ? std::vector<SrvRecord>{} : it->second;
  }
  Result<std::vector<std::string>> ResolveAddresses(const std::string& host) override {
    queries_.push_back(host);
    if (auto e = errors_.find(host); e != errors_.end()) return e->second;
    auto it = addresses_.find(host);
    return it == addresses_.end() ? std::vector<std::string>{} : it->second;
  }
  std::vector<std::string> SearchDomains() override { return search_; }

 private:
  std::map<std::string, std::vector<SrvRecord>> srv_;
  std::map<std::string, std::vector<std::string>> addresses_;
  std::map<std::string, Status> errors_;
  std::vector<std::string> search_;
  std::vector<std::string> queries_;
};

}  // namespace activa::dns

#endif  // ACTIVA_DNS_FAKE_SRV_RESOLVER_H_
