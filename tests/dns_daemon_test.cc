// DNS publishing and discovery by real activad daemons against a real BIND
// named on loopback (DESIGN.md section 6).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "base/file_util.h"
#include "daemon/state_store.h"
#include "testing/daemon_process.h"
#include "testing/named_process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::DaemonProcess;
using testing::NamedProcess;
using testing::NamedZone;
using testing::TempDir;

constexpr char kService[] = "_activa._tcp.corp.example";

class DnsDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ACTIVA_REQUIRE_NAMED();
    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    vendor_.emplace(std::move(Vendor::Open(dir_ / "vendor")).value());
    ::mkdir((dir_ / "catalogs").c_str(), 0755);
    ASSERT_TRUE(
        WriteFileAtomic(dir_ / "catalogs/example.json", *vendor_->SignedCatalog(0), 0644, true)
            .ok());
    named_ = std::make_unique<NamedProcess>(std::vector<NamedZone>{
        {"corp.example", true, false, {"host1 IN A 127.0.0.1", "host2 IN A 127.0.0.1"}},
        {"branch.example", true, false, {}}});
  }

  std::string Server() const { return "127.0.0.1:" + std::to_string(named_->port()); }
  std::string Tsig(const std::string& secret = "") const {
    const dns::TsigKey& k = named_->key();
    return k.name + ":" + k.algorithm + ":" + (secret.empty() ? k.secret_base64 : secret);
  }

  // `[dns]` for a host publishing into `domains` (domain, priority, weight).
  std::string HostDns(const std::string& name,
                      const std::vector<std::tuple<std::string, int, int>>& domains,
                      const std::string& tsig) const {
    std::string c = "[dns]\nhost_name = \"" + name + "\"\nresolver = \"" + Server() + "\"\n";
    for (const auto& [domain, priority, weight] : domains) {
      c += "[[dns.publish]]\ndomain = \"" + domain + "\"\npriority = " + std::to_string(priority) +
           "\nweight = " + std::to_string(weight) + "\nserver = \"" + Server() + "\"\ntsig = \"" +
           tsig + "\"\n";
    }
    return c;
  }

  std::unique_ptr<DaemonProcess> Host(const std::string& name, const std::string& dns_config) {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = dir_ / "catalogs";
    o.machine_name = name;
    o.extra_config = dns_config;
    auto host = std::make_unique<DaemonProcess>(o);
    Result<MintedKey> key = vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, 0);
    EXPECT_EQ(Ok(host->Call({{"op", "ipk"}, {"key", key->text}})), 0u);
    json::object dti = host->Call({{"op", "dti"}});
    Result<std::string> cid =
        vendor_->Confirm(std::string(dti.at("installation_id").as_string()), ::time(nullptr));
    EXPECT_EQ(Ok(host->Call({{"op", "atp"}, {"confirmation_id", *cid}})), 0u);
    return host;
  }

  // A client with no /skms, looking in corp.example through our named.
  std::unique_ptr<DaemonProcess> Client(const std::string& name, std::size_t edition = 1) {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = dir_ / "catalogs";
    o.machine_name = name;
    o.extra_config = "[dns]\nresolver = \"" + Server() + "\"\n";
    auto c = std::make_unique<DaemonProcess>(o);
    EXPECT_EQ(Ok(c->Call({{"op", "ipk"}, {"key", vendor_->catalog().editions[edition].setup_key}})),
              0u);
    EXPECT_EQ(Ok(c->Call({{"op", "skms_domain"}, {"domain", "corp.example"}})), 0u);
    return c;
  }

  static std::uint32_t Ok(const json::object& r) { return DaemonProcess::ResultOf(r); }
  // The messages of the daemon's events with `id`, read from its database.
  static std::string Events(DaemonProcess& d, int id) {
    Result<StateStore> store = StateStore::Open(d.state_dir() + "/activad.db");
    if (!store.ok()) return store.status().ToString();
    Result<std::vector<Event>> events = store->RecentEvents(100, id);
    std::string all;
    for (const Event& e : *events) all += e.message + "\n";
    return all;
  }
  static json::object Product(DaemonProcess& d) {
    return d.Call({{"op", "dli"}}).at("products").as_array().at(0).as_object();
  }

  // Waits (bounded) until named holds `count` SRV records at `name`.
  std::vector<dns::SrvRecord> WaitForRecords(const std::string& name, std::size_t count) {
    std::vector<dns::SrvRecord> r;
    for (int i = 0; i < 200; ++i) {
      r = named_->Srv(name);
      if (r.size() == count) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "expected " << count << " records at " << name << ", have " << r.size();
    return r;
  }

  // Waits (bounded) for the host's last publishing result in `domain`.
  json::object WaitForPublishResult(DaemonProcess& host, const std::string& domain) {
    for (int i = 0; i < 200; ++i) {
      json::object h = host.Call({{"op", "dli"}}).at("host").as_object();
      for (const json::value& d : h.at("dns").as_array()) {
        if (d.at("domain").as_string() == domain) return d.as_object();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "no publishing result for " << domain;
    return {};
  }

  TempDir dir_;
  std::optional<Vendor> vendor_;
  std::unique_ptr<NamedProcess> named_;
};

TEST_F(DnsDaemonTest, TwoHostsShareTheNameAndCdnsWithdrawsOnlyItsOwn) {
  auto h1 = Host("host1", HostDns("host1.corp.example", {{"corp.example", 0, 0}}, Tsig()));
  auto h2 = Host("host2", HostDns("host2.corp.example", {{"corp.example", 0, 0}}, Tsig()));
  std::vector<dns::SrvRecord> records = WaitForRecords(kService, 2);
  ASSERT_EQ(records.size(), 2u);
  std::set<std::pair<std::string, int>> got;
  for (const auto& r : records) got.emplace(r.target, r.port);
  EXPECT_TRUE(got.contains({"host1.corp.example", h1->port()}));
  EXPECT_TRUE(got.contains({"host2.corp.example", h2->port()}));
  EXPECT_EQ(WaitForPublishResult(*h1, "corp.example").at("result").to_number<int>(), 0);

  ASSERT_EQ(Ok(h1->Call({{"op", "cdns"}})), 0u);
  records = WaitForRecords(kService, 1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].target, "host2.corp.example");
  EXPECT_FALSE(h1->Call({{"op", "dli"}}).at("host").at("dns_publishing").as_bool());

  // /sdns publishes again.
  ASSERT_EQ(Ok(h1->Call({{"op", "sdns"}})), 0u);
  EXPECT_EQ(WaitForRecords(kService, 2).size(), 2u);
}

TEST_F(DnsDaemonTest, PublishesIntoTwoDomainsWithTheirPriorityAndWeight) {
  auto h = Host("host1", HostDns("host1.corp.example",
                                 {{"corp.example", 10, 50}, {"branch.example", 20, 5}}, Tsig()));
  auto corp = WaitForRecords("_activa._tcp.corp.example", 1);
  auto branch = WaitForRecords("_activa._tcp.branch.example", 1);
  ASSERT_EQ(corp.size(), 1u);
  ASSERT_EQ(branch.size(), 1u);
  EXPECT_EQ(corp[0].priority, 10);
  EXPECT_EQ(corp[0].weight, 50);
  EXPECT_EQ(branch[0].priority, 20);
  EXPECT_EQ(branch[0].weight, 5);
  EXPECT_EQ(corp[0].port, h->port());
  // /sprt moves the records with the listener.
  std::uint16_t moved = testing::FreePort();
  ASSERT_EQ(Ok(h->Call({{"op", "sprt"}, {"port", std::to_string(moved)}})), 0u);
  for (int i = 0; i < 200; ++i) {
    auto r = named_->Srv(kService);
    if (r.size() == 1 && r[0].port == moved) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  auto now = named_->Srv(kService);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].port, moved);
}

TEST_F(DnsDaemonTest, WrongTsigKeyIsEvent12293AndNoRecord) {
  auto h = Host("host1", HostDns("host1.corp.example", {{"corp.example", 0, 0}},
                                 Tsig("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")));
  json::object result = WaitForPublishResult(*h, "corp.example");
  EXPECT_EQ(result.at("result").to_number<std::uint32_t>(), 0xC0AC0008u);
  std::string message(result.at("message").as_string());
  EXPECT_TRUE(message.find("NOTAUTH") != std::string::npos ||
              message.find("BADSIG") != std::string::npos ||
              message.find("REFUSED") != std::string::npos)
      << message;
  EXPECT_TRUE(named_->Srv(kService).empty());
  std::string events = Events(*h, 12293);
  EXPECT_NE(events.find("_activa._tcp.corp.example"), std::string::npos) << events;
}

// Rewrites the host's configuration file, replacing `from` with `to`, and
// has the daemon reread it.
void ReloadReplacing(DaemonProcess& d, const std::string& from, const std::string& to) {
  const std::string path = d.state_dir() + "/activa.toml";
  Result<std::string> text = ReadFile(path);
  ASSERT_TRUE(text.ok());
  std::size_t at = text->find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text->replace(at, from.size(), to);
  ASSERT_TRUE(WriteFileAtomic(path, *text, 0600, true).ok());
  ASSERT_EQ(::kill(d.pid(), SIGHUP), 0);
}

TEST_F(DnsDaemonTest, ReloadWithANewTsigKeyOrPublishListRepublishes) {
  const std::string wrong = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  auto h = Host("host1", HostDns("host1.corp.example", {{"corp.example", 0, 0}}, Tsig(wrong)));
  json::object result = WaitForPublishResult(*h, "corp.example");
  ASSERT_EQ(result.at("result").to_number<std::uint32_t>(), 0xC0AC0008u);
  // The right key: published at once, not after the failure's backoff.
  ReloadReplacing(*h, wrong, named_->key().secret_base64);
  EXPECT_EQ(WaitForRecords(kService, 1).size(), 1u);
  // Another domain in the publish list: published there too.
  ReloadReplacing(*h, "[[dns.publish]]",
                  "[[dns.publish]]\ndomain = \"branch.example\"\nserver = \"" + Server() +
                      "\"\ntsig = \"" + Tsig() + "\"\n[[dns.publish]]");
  EXPECT_EQ(WaitForRecords("_activa._tcp.branch.example", 1).size(), 1u);
  EXPECT_EQ(named_->Srv(kService).size(), 1u);
}

// Without `server`, the zone's primary comes from its SOA (through the
// resolver) and takes the update on the resolver's port, as docs/dns.md
// says: that is how a named on another port than 53 is reached.
TEST_F(DnsDaemonTest, WithoutServerTheUpdateGoesToThePrimaryAtTheResolversPort) {
  std::string config = "[dns]\nhost_name = \"host1.corp.example\"\nresolver = \"" + Server() +
                       "\"\n[[dns.publish]]\ndomain = \"corp.example\"\ntsig = \"" + Tsig() +
                       "\"\n";
  auto h = Host("host1", config);
  json::object result = WaitForPublishResult(*h, "corp.example");
  EXPECT_EQ(result.at("result").to_number<std::uint32_t>(), 0u) << json::serialize(result);
  std::vector<dns::SrvRecord> records = WaitForRecords(kService, 1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].target, "host1.corp.example");
}

TEST_F(DnsDaemonTest, ClientWithoutSkmsFindsAHostThroughDnsAndActivates) {
  auto h = Host("host1", HostDns("host1.corp.example", {{"corp.example", 0, 0}}, Tsig()));
  WaitForRecords(kService, 1);
  std::vector<std::unique_ptr<DaemonProcess>> clients;
  for (int i = 1; i <= 5; ++i) {
    clients.push_back(Client("srv" + std::to_string(i)));
    EXPECT_EQ(Ok(clients.back()->Call({{"op", "ato"}})), i < 5 ? 0xC004F038u : 0u) << i;
  }
  json::object p = Product(*clients.back());
  EXPECT_EQ(p.at("license_status").as_int64(), 1);
  EXPECT_EQ(std::string(p.at("kms").at("in_use").as_string()),
            "host1.corp.example:" + std::to_string(h->port()));
  EXPECT_TRUE(p.at("kms").at("from_dns").as_bool());
  EXPECT_EQ(std::string(p.at("kms").at("address").as_string()), "127.0.0.1");
}

TEST_F(DnsDaemonTest, LowerPriorityIsUsedWhileItAnswersThenTheOther) {
  auto h1 = Host("host1", HostDns("host1.corp.example", {{"corp.example", 0, 0}}, Tsig()));
  auto h2 = Host("host2", HostDns("host2.corp.example", {{"corp.example", 10, 0}}, Tsig()));
  WaitForRecords(kService, 2);
  auto c = Client("srv1");
  std::string first = "host1.corp.example:" + std::to_string(h1->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Ok(c->Call({{"op", "ckhc"}})), 0u);  // ask DNS every time
    c->Call({{"op", "ato"}});
    EXPECT_EQ(std::string(Product(*c).at("kms").at("in_use").as_string()), first);
  }
  h1->Stop();
  EXPECT_EQ(Ok(c->Call({{"op", "ato"}})), 0xC004F038u);  // answered: by host2
  EXPECT_EQ(std::string(Product(*c).at("kms").at("in_use").as_string()),
            "host2.corp.example:" + std::to_string(h2->port()));
}

TEST_F(DnsDaemonTest, HostCachingKeepsTheHostWithoutAskingDnsAgain) {
  auto h = Host("host1", HostDns("host1.corp.example", {{"corp.example", 0, 0}}, Tsig()));
  WaitForRecords(kService, 1);
  auto cached = Client("srv1");
  auto uncached = Client("srv2");
  ASSERT_EQ(Ok(uncached->Call({{"op", "ckhc"}})), 0u);
  EXPECT_EQ(Ok(cached->Call({{"op", "ato"}})), 0xC004F038u);
  EXPECT_EQ(Ok(uncached->Call({{"op", "ato"}})), 0xC004F038u);
  // The SRV record goes away (the host stops publishing; it still runs):
  // only the client that cached its host still reaches it.
  ASSERT_EQ(Ok(h->Call({{"op", "cdns"}})), 0u);
  WaitForRecords(kService, 0);
  EXPECT_EQ(Ok(cached->Call({{"op", "ato"}})), 0xC004F038u);
  EXPECT_EQ(Ok(uncached->Call({{"op", "ato"}})), 0xC004F074u);
  // Turning caching off forgets the host: DNS again, and nothing there.
  ASSERT_EQ(Ok(cached->Call({{"op", "ckhc"}})), 0u);
  EXPECT_EQ(Ok(cached->Call({{"op", "ato"}})), 0xC004F074u);
}

TEST_F(DnsDaemonTest, NoRecordsSaysWhichNamesWereAsked) {
  auto c = Client("srv1");
  EXPECT_EQ(Ok(c->Call({{"op", "ato"}})), 0xC004F074u);
  std::string events = Events(*c, 12289);
  EXPECT_NE(events.find("no SRV records for an activation host at _activa._tcp.corp.example"),
            std::string::npos)
      << events;
}

}  // namespace
}  // namespace activa
