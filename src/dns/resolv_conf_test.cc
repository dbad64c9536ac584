#include "dns/resolv_conf.h"

#include <gtest/gtest.h>

namespace activa::dns {
namespace {

TEST(ResolvConfTest, ReadsNameserversAndTheLastSearchLine) {
  ResolvConf conf = ParseResolvConf(
      "# generated\n"
      "nameserver 192.0.2.53\n"
      "nameserver ::1 ; comment\n"
      "domain old.example\n"
      "search corp.example. lab.corp.example\n"
      "options ndots:2\n");
  EXPECT_EQ(conf.nameservers, (std::vector<std::string>{"192.0.2.53", "::1"}));
  EXPECT_EQ(conf.search, (std::vector<std::string>{"corp.example", "lab.corp.example"}));
}

TEST(ResolvConfTest, DomainAfterSearchWins) {
  ResolvConf conf = ParseResolvConf("search a.example b.example\ndomain c.example\n");
  EXPECT_EQ(conf.search, (std::vector<std::string>{"c.example"}));
}

TEST(ResolvConfTest, HostDomainFirstWithoutDuplicates) {
  ResolvConf conf = ParseResolvConf("search Corp.Example lab.example\n");
  EXPECT_EQ(SearchDomainsFor("kms1.corp.example", conf),
            (std::vector<std::string>{"corp.example", "lab.example"}));
  EXPECT_EQ(SearchDomainsFor("kms1", conf),
            (std::vector<std::string>{"Corp.Example", "lab.example"}));
  EXPECT_TRUE(SearchDomainsFor("", ResolvConf{}).empty());
}

TEST(ResolvConfTest, GarbageIsIgnored) {
  ResolvConf conf = ParseResolvConf("nameserver\nsearch\n\x01\x02 x\n");
  EXPECT_TRUE(conf.nameservers.empty());
  EXPECT_TRUE(conf.search.empty());
}

}  // namespace
}  // namespace activa::dns
