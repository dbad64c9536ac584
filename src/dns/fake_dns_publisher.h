// An in-memory DnsPublisher for unit tests of the code that publishes: it
// keeps the records each domain would hold, records every call and can be
// told to fail.
#ifndef ACTIVA_DNS_FAKE_DNS_PUBLISHER_H_
#define ACTIVA_DNS_FAKE_DNS_PUBLISHER_H_

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "dns/dns_publisher.h"
#include "dns/srv_record.h"

namespace activa::dns {

class FakeDnsPublisher : public DnsPublisher {
 public:
  // One Publish or Withdraw, as it was asked for.
  struct Call {
    bool publish = false;  // false: Withdraw
    PublishTarget target;
    SrvRegistration registration;
  };

  // Makes calls for `domain` fail with `status` (kDnsUpdateFailed, say).
  // A failing call changes no record.
  void SetError(const std::string& domain, Status status) { errors_[domain] = status; }
  void ClearError(const std::string& domain) { errors_.erase(domain); }

  // The records at SERVICE.DOMAIN, keyed by that name ("_activa._tcp.corp.example").
  const std::vector<SrvRecord>& records(const std::string& name) { return zone_[name]; }
  // Every call so far, in order; failed ones too.
  const std::vector<Call>& history() const { return history_; }
  void ClearHistory() { history_.clear(); }

  Status Publish(const PublishTarget& target, const SrvRegistration& registration) override {
    history_.push_back(Call{true, target, registration});
    ACTIVA_RETURN_IF_ERROR(Remove(target, registration));
    zone_[registration.service + "." + target.domain].push_back(
        SrvRecord{target.priority, target.weight, registration.port, registration.target});
    return Status::Ok();
  }
  Status Withdraw(const PublishTarget& target, const SrvRegistration& registration) override {
    history_.push_back(Call{false, target, registration});
    return Remove(target, registration);
  }

 private:
  Status Remove(const PublishTarget& target, const SrvRegistration& registration) {
    if (auto e = errors_.find(target.domain); e != errors_.end()) return e->second;
    std::erase_if(zone_[registration.service + "." + target.domain], [&](const SrvRecord& r) {
      return r.target == registration.target && r.port == registration.port;
    });
    return Status::Ok();
  }

  std::map<std::string, std::vector<SrvRecord>> zone_;
  std::map<std::string, Status> errors_;
  std::vector<Call> history_;
};

}  // namespace activa::dns

#endif  // ACTIVA_DNS_FAKE_DNS_PUBLISHER_H_
