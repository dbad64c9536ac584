// Runs a real BIND `named` for tests: loopback, a free port, a temporary
// folder, a generated TSIG key, and master zones that accept dynamic updates.
#ifndef ACTIVA_TESTING_NAMED_PROCESS_H_
#define ACTIVA_TESTING_NAMED_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dns/dns_publisher.h"
#include "dns/srv_record.h"
#include "dns/srv_resolver.h"
#include "testing/temp_dir.h"

namespace activa::testing {

// A port free on 127.0.0.1 for both UDP and TCP a moment ago.
std::uint16_t FreeDnsPort();

struct NamedZone {
  std::string name;  // "corp.example"
  // allow-update { key KEY; } (the process's key) and/or { 127.0.0.1; }.
  bool update_by_key = true;
  bool update_by_address = false;
  // More zone-file lines, e.g. "kms1 IN A 127.0.0.1".
  std::vector<std::string> records;
};

class NamedProcess {
 public:
  static constexpr const char* kNamedPath = "/usr/sbin/named";
  // Whether named is installed.
  static bool Available();

  // Writes the configuration (SOA MNAME ns.ZONE, with an A record 127.0.0.1,
  // and NS for each zone) and starts named, waiting (up to 15 s) until it
  // answers a SOA query for the first zone. Throws std::runtime_error with
  // named's log when it does not.
  explicit NamedProcess(std::vector<NamedZone> zones);
  ~NamedProcess();  // SIGTERM, then waits
  NamedProcess(const NamedProcess&) = delete;
  NamedProcess& operator=(const NamedProcess&) = delete;

  std::uint16_t port() const { return port_; }
  // The key named accepts updates with (hmac-sha256, 32 random bytes).
  const dns::TsigKey& key() const { return key_; }
  // A resolver config pointing at this named only (short timeout).
  dns::ResolverConfig resolver_config() const;

  // The SRV records at `name` as named has them now (via dig), sorted.
  std::vector<dns::SrvRecord> Srv(const std::string& name) const;
  std::string log() const;

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  dns::TsigKey key_;
  pid_t pid_ = -1;
};

}  // namespace activa::testing

// Skips the test when named is missing, except in CI (CI=true), where a
// missing named is a failure: CI installs bind9 and must run these tests.
#define ACTIVA_REQUIRE_NAMED()                                                         \
  do {                                                                                 \
    if (!::activa::testing::NamedProcess::Available()) {                               \
      const char* ci = std::getenv("CI");                                              \
      if (ci != nullptr && std::string(ci) == "true") {                                \
        FAIL() << "named is not installed (CI must install bind9 and bind9-dnsutils)"; \
      }                                                                                \
      GTEST_SKIP() << "named is not installed (apt-get install bind9 bind9-dnsutils)"; \
    }                                                                                  \
  } while (0)

#endif  // ACTIVA_TESTING_NAMED_PROCESS_H_
