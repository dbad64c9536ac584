// What an administrator sees when something fails, through the real slmgr
// against real activad daemons (and a real named for DNS): the cause beside
// the result code, the stored events, the thresholds a host applies, a
// refused reload, and a host that has no domain to publish in.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/file_util.h"
#include "testing/daemon_process.h"
#include "testing/named_process.h"
#include "testing/process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::DaemonProcess;
using testing::ProcessResult;

class AdminDiagnosticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    vendor_.emplace(std::move(Vendor::Open(dir_ / "vendor")).value());
    ::mkdir((dir_ / "catalogs").c_str(), 0755);
    ASSERT_TRUE(
        WriteFileAtomic(dir_ / "catalogs/example.json", *vendor_->SignedCatalog(0), 0644, true)
            .ok());
  }

  std::unique_ptr<DaemonProcess> Daemon(const std::string& name,
                                        const std::string& extra_config = "") {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = dir_ / "catalogs";
    o.machine_name = name;
    o.extra_config = extra_config;
    return std::make_unique<DaemonProcess>(o);
  }

  // A host, activated offline (dti, the vendor's confirm, atp).
  std::unique_ptr<DaemonProcess> ActivatedHost(const std::string& name,
                                               const std::string& extra_config = "") {
    auto host = Daemon(name, extra_config);
    Result<MintedKey> key = vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, 0);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(Ok(host->Call({{"op", "ipk"}, {"key", key->text}})), 0u);
    json::object dti = host->Call({{"op", "dti"}});
    Result<std::string> cid =
        vendor_->Confirm(std::string(dti.at("installation_id").as_string()), ::time(nullptr));
    EXPECT_TRUE(cid.ok()) << cid.status().ToString();
    EXPECT_EQ(Ok(host->Call({{"op", "atp"}, {"confirmation_id", *cid}})), 0u);
    return host;
  }

  // A client with the first edition's setup key installed.
  std::unique_ptr<DaemonProcess> Client(const std::string& name,
                                        const std::string& extra_config = "") {
    auto c = Daemon(name, extra_config);
    EXPECT_EQ(Ok(c->Call({{"op", "ipk"}, {"key", vendor_->catalog().editions[0].setup_key}})), 0u);
    return c;
  }

  static ProcessResult Slmgr(DaemonProcess& d, std::vector<std::string> args) {
    args.insert(args.begin(), {SLMGR_BIN, "--socket", d.socket_path()});
    return testing::RunProcess(args);
  }

  static std::uint32_t Ok(const json::object& r) { return DaemonProcess::ResultOf(r); }

  std::string Log(const std::string& name) const {
    std::ifstream in(dir_ / (name + "/activad.log"));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // The daemon's standard error once it holds `text`, or after 10 s.
  std::string WaitForLog(const std::string& name, const std::string& text) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string log = Log(name);
    while (log.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      log = Log(name);
    }
    return log;
  }

  testing::TempDir dir_;
  std::optional<Vendor> vendor_;
};

TEST_F(AdminDiagnosticsTest, AtoAgainstARefusedPortPrintsTheHostAndPort) {
  auto client = Client("pc1");
  const std::string host = "127.0.0.1:" + std::to_string(testing::FreePort());
  ASSERT_EQ(Ok(client->Call({{"op", "skms"}, {"host", host}})), 0u);

  ProcessResult r = Slmgr(*client, {"/ato"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("Error: 0xC004F074 No activation host could be contacted.\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(host + ": connection refused"), std::string::npos) << r.err;

  // --json carries the same as fields.
  r = Slmgr(*client, {"/ato", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  json::object o = json::parse(r.out).as_object();
  EXPECT_EQ(o.at("result").to_number<std::uint32_t>(), 0xC004F074u);
  EXPECT_EQ(o.at("result_text").as_string(), "No activation host could be contacted.");
  EXPECT_EQ(o.at("message").as_string(), host + ": connection refused");
  const json::object& attempt = o.at("attempts").as_array().at(0).as_object();
  const json::object& tried = attempt.at("tried").as_array().at(0).as_object();
  EXPECT_EQ(tried.at("kind").as_string(), "host");
  EXPECT_EQ(tried.at("name").as_string(), host);
  EXPECT_EQ(tried.at("message").as_string(), "connection refused");
}

TEST_F(AdminDiagnosticsTest, AtoAgainstAnEmptyZonePrintsTheNameAsked) {
  ACTIVA_REQUIRE_NAMED();
  testing::NamedProcess named({{"corp.example", true, false, {}}});
  auto client =
      Client("pc1", "[dns]\nresolver = \"127.0.0.1:" + std::to_string(named.port()) + "\"\n");
  ASSERT_EQ(Ok(client->Call({{"op", "skms_domain"}, {"domain", "corp.example"}})), 0u);

  ProcessResult r = Slmgr(*client, {"/ato"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("Error: 0xC004F074"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SRV lookup of _activa._tcp.corp.example: no SRV records"),
            std::string::npos)
      << r.err;

  r = Slmgr(*client, {"/ato", "--json"});
  json::object o = json::parse(r.out).as_object();
  const json::object& tried =
      o.at("attempts").as_array().at(0).at("tried").as_array().at(0).as_object();
  EXPECT_EQ(tried.at("kind").as_string(), "dns");
  EXPECT_EQ(tried.at("name").as_string(), "_activa._tcp.corp.example");
}

TEST_F(AdminDiagnosticsTest, AHostRefusalShowsItsCodeAndTheCount) {
  auto host = ActivatedHost("host");
  auto client = Client("pc1");
  const std::string address = "127.0.0.1:" + std::to_string(host->port());
  ASSERT_EQ(Ok(client->Call({{"op", "skms"}, {"host", address}})), 0u);
  ProcessResult r = Slmgr(*client, {"/ato"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("Error: 0xC004F038 The activation host's count is below the threshold"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(address + ": 0xC004F038 count 1 (threshold 25)"), std::string::npos)
      << r.err;
}

TEST_F(AdminDiagnosticsTest, EventsListA12290AfterARequestAndFilterById) {
  auto host = ActivatedHost("host");
  auto client = Client("pc1");
  ASSERT_EQ(
      Ok(client->Call({{"op", "skms"}, {"host", "127.0.0.1:" + std::to_string(host->port())}})),
      0u);
  Slmgr(*client, {"/ato"});

  ProcessResult all = Slmgr(*host, {"/dle"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("Event 12290"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("client: pc1;"), std::string::npos) << all.out;

  // By ID: only 12290s.
  ProcessResult by_id = Slmgr(*host, {"/dle", "--id", "12290", "--json"});
  ASSERT_EQ(by_id.exit_code, 0) << by_id.err;
  json::array events = json::parse(by_id.out).at("events").as_array();
  ASSERT_FALSE(events.empty());
  for (const json::value& e : events) EXPECT_EQ(e.at("event_id").to_number<int>(), 12290);
  EXPECT_EQ(Slmgr(*host, {"/dle", "--id", "12288"}).out, "No stored event matches.\n");

  // By machine name and by result.
  EXPECT_NE(Slmgr(*host, {"/dle", "--machine", "PC1"}).out.find("client: pc1;"), std::string::npos);
  EXPECT_EQ(Slmgr(*host, {"/dle", "--machine", "pc2"}).out, "No stored event matches.\n");
  EXPECT_NE(Slmgr(*host, {"/dle", "--result", "0xC004F038"}).out.find("Event 12290"),
            std::string::npos);
  EXPECT_EQ(Slmgr(*host, {"/dle", "--result", "0xC004F042"}).out, "No stored event matches.\n");

  // Paged: one at a time, newest first, and the next page from there.
  ProcessResult first = Slmgr(*host, {"/dle", "--first", "1"});
  EXPECT_NE(first.out.find("More follow: slmgr /dle --first 1 --before "), std::string::npos)
      << first.out;

  // The client's own events: 12288 and 12289 with the cause.
  ProcessResult mine = Slmgr(*client, {"/dle", "--id", "12289"});
  EXPECT_NE(mine.out.find("Event 12289"), std::string::npos) << mine.out;
  EXPECT_NE(mine.out.find("0xC004F038"), std::string::npos) << mine.out;
}

TEST_F(AdminDiagnosticsTest, HostDliShowsEachEditionsThreshold) {
  auto host = ActivatedHost("host");
  ProcessResult r = Slmgr(*host, {"/dli"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Catalog& catalog = vendor_->catalog();
  int shown = 0;
  for (const Uuid& id : catalog.groups[0].editions) {
    const Edition* e = catalog.FindEdition(id);
    ASSERT_NE(e, nullptr);
    const std::string line = e->name + " (" +
                             (e->kind == EditionKind::kServer ? "server" : "client") +
                             " edition): threshold " + std::to_string(e->threshold) + ", " +
                             std::to_string(e->threshold) + " more machine(s) needed";
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
    ++shown;
  }
  EXPECT_GT(shown, 0);
}

TEST_F(AdminDiagnosticsTest, DlcOnAMachineThatIsNoHostSaysSo) {
  auto client = Client("pc1");
  ProcessResult r = Slmgr(*client, {"/dlc"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("This machine is not an activation host"), std::string::npos) << r.out;

  auto host = ActivatedHost("host");
  r = Slmgr(*host, {"/dlc"});
  EXPECT_EQ(r.out, "No client has contacted this activation host.\n");
}

TEST_F(AdminDiagnosticsTest, RefusedReloadIsOnStandardErrorAndDliSaysTheFileIsNewer) {
  auto d = Daemon("pc1");
  const std::string config_path = dir_ / "pc1/activa.toml";
  Result<std::string> good = ReadFile(config_path);
  ASSERT_TRUE(good.ok());
  ASSERT_TRUE(WriteFileAtomic(config_path, "[host]\nprot = 1688\n", 0600, true).ok());
  ASSERT_EQ(::kill(d->pid(), SIGHUP), 0);
  // The harness sends the daemon's standard error to activad.log.
  std::string log = WaitForLog("pc1", "reload refused");
  EXPECT_NE(log.find(config_path + ":2: [host]: unknown key \"prot\""), std::string::npos) << log;

  ProcessResult r = Slmgr(*d, {"/dli"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("The running configuration is older than its file"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("reload refused: " + config_path + ":2: [host]: unknown key"),
            std::string::npos)
      << r.out;

  // A reload that succeeds clears it.
  ASSERT_TRUE(WriteFileAtomic(config_path, *good, 0600, true).ok());
  ASSERT_EQ(::kill(d->pid(), SIGHUP), 0);
  WaitForLog("pc1", "configuration and catalogs reloaded");
  EXPECT_EQ(Slmgr(*d, {"/dli"}).out.find("older than its file"), std::string::npos);
}

TEST_F(AdminDiagnosticsTest, AHostWithNoDomainToPublishInSaysSoAndLogs12293) {
  // The own domain comes from the host name, else the resolver's search
  // list; this test needs a machine whose resolv.conf has none.
  std::ifstream resolv("/etc/resolv.conf");
  for (std::string line; std::getline(resolv, line);) {
    if (line.starts_with("search") || line.starts_with("domain")) {
      GTEST_SKIP() << "/etc/resolv.conf has a search list: " << line;
    }
  }
  auto host = ActivatedHost("host", "[dns]\nhost_name = \"kms1\"\n");
  std::string text;
  for (int i = 0; i < 200 && text.find("nothing is published") == std::string::npos; ++i) {
    text = Slmgr(*host, {"/dli"}).out;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_NE(text.find("DNS publishing enabled\n        but nothing is published: no domain to "
                      "publish in"),
            std::string::npos)
      << text;
  ProcessResult events = Slmgr(*host, {"/dle", "--id", "12293"});
  EXPECT_NE(events.out.find("no domain to publish in"), std::string::npos) << events.out;
}

}  // namespace
}  // namespace activa
