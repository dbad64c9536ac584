#include "daemon/service_status.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

TEST(ServiceStatusTest, ClientOnly) {
  ServiceStatus s;
  s.products = 2;
  EXPECT_EQ(FormatServiceStatus(s), "client: 2 products, no host key");
}

TEST(ServiceStatusTest, HostShowsCountsClientsRequestsPortAndDns) {
  ServiceStatus s;
  s.host = true;
  s.activated = true;
  s.port = 1688;
  s.counts = {{"Office", 25}, {"Server", 5}};
  s.clients = 30;
  s.requests = 412;
  s.failed = 3;
  s.dns = "corp.example published";
  EXPECT_EQ(FormatServiceStatus(s),
            "host: count Office 25, Server 5, 30 clients, 412 requests (3 failed), port 1688, "
            "DNS corp.example published");
}

TEST(ServiceStatusTest, AFailedBindIsShownInsteadOfThePort) {
  ServiceStatus s;
  s.host = true;
  s.port = 1688;
  s.clients = 1;
  s.requests = 1;
  s.listen_error = "cannot listen on port 1688: 0.0.0.0:1688: Address already in use";
  EXPECT_EQ(FormatServiceStatus(s),
            "host (not activated): cannot listen on port 1688: 0.0.0.0:1688: Address already in "
            "use, 1 client, 1 request");
}

TEST(ServiceStatusTest, OneLineOfAtMost200Bytes) {
  ServiceStatus s;
  s.host = true;
  s.dns = "corp.example failed: " + std::string(300, 'x') + "\nREADY=1";
  std::string line = FormatServiceStatus(s);
  EXPECT_LE(line.size(), 200u);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  s.dns = "a\nREADY=1";
  line = FormatServiceStatus(s);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
}

}  // namespace
}  // namespace activa
