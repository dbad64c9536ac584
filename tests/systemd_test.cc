// activad under systemd, without systemd (docs/operations.md, "Running under
// systemd"): the unit file as systemd-analyze judges it, sd_notify through a
// NOTIFY_SOCKET the test listens on, socket activation through descriptors
// the test binds and passes as systemd does, and --check-config.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "base/file_util.h"
#include "protocol/codec.h"
#include "testing/daemon_process.h"
#include "testing/process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::DaemonProcess;
using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

constexpr const char* kAnalyze = "/usr/bin/systemd-analyze";

// The unit as `cmake --install` writes it, with activad at `sbindir`.
std::string GenerateUnit(const std::string& dir, const std::string& sbindir) {
  Result<std::string> in =
      ReadFile(std::string(ACTIVA_SOURCE_DIR) + "/packaging/activad.service.in");
  EXPECT_TRUE(in.ok());
  std::string text = *in;
  for (auto [from, to] : {std::pair<std::string, std::string>{"@ACTIVA_SBINDIR@", sbindir},
                          {"@ACTIVA_SYSCONFDIR@", "/etc"}}) {
    for (std::size_t at; (at = text.find(from)) != std::string::npos;)
      text.replace(at, from.size(), to);
  }
  std::ofstream(dir + "/activad.service") << text;
  std::filesystem::copy_file(std::string(ACTIVA_SOURCE_DIR) + "/packaging/activad.socket",
                             dir + "/activad.socket");
  return dir + "/activad.service";
}

TEST(SystemdUnitTest, SecurityExposureIsAtMostTwoPointFive) {
  if (::access(kAnalyze, X_OK) != 0) GTEST_SKIP() << "no systemd-analyze";
  TempDir dir;
  std::string unit = GenerateUnit(dir.path(), "/usr/sbin");
  ProcessResult r = RunProcess({kAnalyze, "security", "--offline=yes", "--no-pager", unit});
  std::smatch m;
  std::string all = r.out + r.err;
  ASSERT_TRUE(std::regex_search(
      all, m, std::regex("Overall exposure level for activad\\.service: ([0-9.]+)")))
      << all;
  double score = std::stod(m[1]);
  EXPECT_LE(score, 2.5) << all;
}

TEST(SystemdUnitTest, VerifyPasses) {
  if (::access(kAnalyze, X_OK) != 0) GTEST_SKIP() << "no systemd-analyze";
  TempDir dir;
  std::string unit =
      GenerateUnit(dir.path(), std::filesystem::path(ACTIVAD_BIN).parent_path().string());
  ProcessResult r =
      RunProcess({kAnalyze, "verify", "--man=no", "--generators=no", unit, dir / "activad.socket"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out + r.err, "") << "verify has remarks";
}

TEST(CheckConfigTest, GoodFileIsOkAndBadOneNamesFileKeyAndReason) {
  TempDir dir;
  std::string good = dir / "good.toml";
  std::ofstream(good) << "[host]\nport = 1688\n";
  ProcessResult ok = RunProcess({ACTIVAD_BIN, "--check-config", good});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("configuration OK"), std::string::npos) << ok.out;

  std::string bad = dir / "bad.toml";
  std::ofstream(bad) << "[host]\nport = 70000\n";
  ProcessResult no = RunProcess({ACTIVAD_BIN, "--check-config", bad});
  EXPECT_EQ(no.exit_code, 1);
  EXPECT_NE(no.err.find(bad), std::string::npos) << no.err;
  EXPECT_NE(no.err.find("port"), std::string::npos) << no.err;
  EXPECT_NE(no.err.find("0 to 65535"), std::string::npos) << no.err;
  EXPECT_EQ(no.out, "");

  std::string unknown = dir / "unknown.toml";
  std::ofstream(unknown) << "[daemon]\nusr = \"activa\"\n";
  ProcessResult u = RunProcess({ACTIVAD_BIN, "--check-config", unknown});
  EXPECT_EQ(u.exit_code, 1);
  EXPECT_NE(u.err.find("usr"), std::string::npos) << u.err;

  std::string nouser = dir / "nouser.toml";
  std::ofstream(nouser) << "[daemon]\nuser = \"activa-no-such-user\"\n";
  ProcessResult n = RunProcess({ACTIVAD_BIN, "--check-config", nouser});
  EXPECT_EQ(n.exit_code, 1);
  EXPECT_NE(n.err.find("activa-no-such-user"), std::string::npos) << n.err;

  ProcessResult missing = RunProcess({ACTIVAD_BIN, "--check-config", dir / "missing.toml"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("missing.toml"), std::string::npos) << missing.err;
}

// The datagram socket a service manager listens on (sd_notify(3)).
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error("cannot bind " + path);
    }
  }
  ~NotifySocket() { ::close(fd_); }
  std::string env() const { return "NOTIFY_SOCKET=" + path_; }

  // The next message holding `what`; every message read is kept in seen().
  // Throws after 20 s without one.
  std::string WaitFor(const std::string& what) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      std::string m(buf, static_cast<std::size_t>(n));
      seen_.push_back(m);
      if (m.find(what) != std::string::npos) return m;
    }
    std::string all;
    for (const std::string& m : seen_) all += "[" + m + "] ";
    throw std::runtime_error("no " + what + " from activad; got " + all);
  }
  const std::vector<std::string>& seen() const { return seen_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> seen_;
};

int ListenTcp(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t PortOf(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

int ListenUnix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    return -1;
  }
  ::chmod(path.c_str(), 0666);
  return fd;
}

bool Connects(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

class SystemdDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    Result<Vendor> v = Vendor::Open(dir_ / "vendor");
    ASSERT_TRUE(v.ok());
    vendor_.emplace(std::move(v).value());
    std::filesystem::create_directories(dir_ / "catalogs");
    ASSERT_TRUE(WriteFileAtomic(dir_ / "catalogs/example.json",
                                *vendor_->SignedCatalog(::time(nullptr)), 0644, true)
                    .ok());
    ::mkdir((dir_ / "run").c_str(), 0755);
  }

  DaemonProcess::Options Options() {
    DaemonProcess::Options o;
    o.state_dir = dir_ / "state";
    o.catalog_dir = dir_ / "catalogs";
    return o;
  }

  void InstallHostKey(DaemonProcess& d) {
    Result<MintedKey> key =
        vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, ::time(nullptr));
    ASSERT_TRUE(key.ok());
    json::object ipk = d.Call({{"op", "ipk"}, {"key", key->text}});
    ASSERT_EQ(DaemonProcess::ResultOf(ipk), 0u) << json::serialize(ipk);
  }

  // A request any host answers (here: not activated, 0xC004F041).
  ActivationRequest SomeRequest() const {
    const Edition& e = vendor_->catalog().editions[0];
    ActivationRequest r;
    r.cmid[0] = 1;
    r.application_id = e.application_id;
    r.sku_id = e.id;
    r.required_count = static_cast<std::uint16_t>(e.threshold);
    r.machine_name = "pc1";
    r.client_time = ::time(nullptr);
    return r;
  }

  TempDir dir_;
  std::optional<Vendor> vendor_;
};

TEST_F(SystemdDaemonTest, ReadyOnlyOnceListeningThenStatusWatchdogAndReload) {
  // A first run installs the host key, so the next start has a port to bind.
  DaemonProcess::Options o = Options();
  o.port = testing::FreePort();
  {
    DaemonProcess first(o);
    InstallHostKey(first);
  }
  NotifySocket notify(dir_ / "notify");
  o.env = {notify.env(), "WATCHDOG_USEC=2000000"};
  DaemonProcess daemon(o);
  std::string ready = notify.WaitFor("READY=1");
  // READY=1 came after the bind: the port answers now.
  EXPECT_TRUE(Connects(o.port)) << ready;
  EXPECT_NE(ready.find("STATUS=host (not activated):"), std::string::npos) << ready;
  EXPECT_NE(ready.find("port " + std::to_string(o.port)), std::string::npos) << ready;
  // From the event loop, at half of WATCHDOG_USEC.
  notify.WaitFor("WATCHDOG=1");
  // A request changes the status line: one more request counted.
  Result<Message> answer = testing::SendActivation(o.port, SomeRequest());
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  notify.WaitFor("1 request");

  // SIGHUP: RELOADING=1, then READY=1 again.
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  notify.WaitFor("RELOADING=1");
  notify.WaitFor("READY=1");
  // A broken file: the reload is refused, the daemon stays ready and serves.
  std::ofstream(o.state_dir + "/activa.toml", std::ios::app) << "[bogus]\n";
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  notify.WaitFor("RELOADING=1");
  notify.WaitFor("READY=1");
  json::object dli = daemon.Call({{"op", "dli"}});
  EXPECT_TRUE(dli.contains("products")) << json::serialize(dli);
  EXPECT_TRUE(testing::SendActivation(o.port, SomeRequest()).ok());
  Result<std::string> log = ReadFile(o.state_dir + "/activad.log");
  EXPECT_NE(log->find("reload refused"), std::string::npos) << *log;
  daemon.Stop();
  notify.WaitFor("STOPPING=1");
}

TEST_F(SystemdDaemonTest, AFailedBindIsInTheStatusLine) {
  DaemonProcess::Options o = Options();
  {
    DaemonProcess first(o);  // on a port of the kernel's choice
    InstallHostKey(first);
  }
  // Then the configured port is taken by someone else.
  int taken = ListenTcp(0);
  ASSERT_GE(taken, 0);
  o.port = PortOf(taken);
  NotifySocket notify(dir_ / "notify");
  o.env = {notify.env()};
  DaemonProcess daemon(o);
  std::string ready = notify.WaitFor("READY=1");
  EXPECT_NE(ready.find("cannot listen"), std::string::npos) << ready;
  ::close(taken);
}

// A client's status changes only through management requests, so it is
// looked at after each (no once-a-second look: an idle client must not
// wake for it); a client that becomes a host starts the look that follows
// its counts.
TEST_F(SystemdDaemonTest, AClientsStatusFollowsItsRequestsAndAHostsItsCounts) {
  DaemonProcess::Options o = Options();
  NotifySocket notify(dir_ / "notify");
  o.env = {notify.env()};
  DaemonProcess daemon(o);
  std::string ready = notify.WaitFor("READY=1");
  EXPECT_NE(ready.find("STATUS=client: 0 products"), std::string::npos) << ready;
  json::object ipk =
      daemon.Call({{"op", "ipk"}, {"key", vendor_->catalog().editions[0].setup_key}});
  ASSERT_EQ(DaemonProcess::ResultOf(ipk), 0u) << json::serialize(ipk);
  notify.WaitFor("STATUS=client: 1 product");
  InstallHostKey(daemon);
  notify.WaitFor("STATUS=host");
  Result<Message> answer = testing::SendActivation(daemon.port(), SomeRequest());
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  notify.WaitFor("1 request");
}

// Socket activation: the daemon uses the sockets it is given. The test keeps
// its own descriptors open, as systemd does, so a daemon that bound by
// itself would fail (the port and the socket's path are taken).
TEST_F(SystemdDaemonTest, TakesTheActivationPortAndManagementSocketFromSystemd) {
  int tcp = ListenTcp(0);
  ASSERT_GE(tcp, 0);
  std::string socket_path = dir_ / "run/activad.sock";
  int unix_fd = ListenUnix(socket_path);
  ASSERT_GE(unix_fd, 0);
  DaemonProcess::Options o = Options();
  o.port = PortOf(tcp);
  o.socket_path = socket_path;
  o.listen_fds = {unix_fd, tcp};
  {
    DaemonProcess daemon(o);
    InstallHostKey(daemon);  // over the inherited management socket
    EXPECT_EQ(daemon.port(), o.port);
    Result<Message> answer = testing::SendActivation(o.port, SomeRequest());
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    // A rebind (slmgr /sprt to the same port) finds systemd's socket again.
    json::object sprt = daemon.Call({{"op", "sprt"}, {"port", o.port}});
    EXPECT_EQ(DaemonProcess::ResultOf(sprt), 0u) << json::serialize(sprt);
    EXPECT_TRUE(testing::SendActivation(o.port, SomeRequest()).ok());
    Result<std::string> log = ReadFile(o.state_dir + "/activad.log");
    EXPECT_EQ(log->find("passed by systemd matches neither"), std::string::npos) << *log;
  }
  // Stopped: the socket is systemd's, left in place (and still listening).
  EXPECT_TRUE(std::filesystem::exists(socket_path));
  // Started again on the same sockets, as systemd restarts it.
  DaemonProcess again(o);
  EXPECT_TRUE(testing::SendActivation(o.port, SomeRequest()).ok());
  again.Stop();
  ::close(tcp);
  ::close(unix_fd);
}

// Without LISTEN_FDS (every other test too) it binds by itself; a socket
// that matches nothing configured is named in the log, and the daemon binds
// what it needs itself.
TEST_F(SystemdDaemonTest, BindsByItselfWhatItIsNotGiven) {
  int tcp = ListenTcp(0);
  ASSERT_GE(tcp, 0);
  DaemonProcess::Options o = Options();
  o.port = testing::FreePort();
  o.listen_fds = {tcp};
  {
    DaemonProcess first(Options());
    InstallHostKey(first);
  }
  DaemonProcess daemon(o);
  EXPECT_EQ(daemon.port(), o.port);
  EXPECT_TRUE(testing::SendActivation(o.port, SomeRequest()).ok());
  daemon.Stop();
  Result<std::string> log = ReadFile(o.state_dir + "/activad.log");
  EXPECT_NE(
      log->find("127.0.0.1:" + std::to_string(PortOf(tcp)) + " passed by systemd matches neither"),
      std::string::npos)
      << *log;
  ::close(tcp);
}

}  // namespace
}  // namespace activa
