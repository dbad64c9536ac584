// A product asks the real activad for its license through libactiva, and
// the attacks on that question: an impostor on the socket, another
// machine's proof, a proof missing or altered (DESIGN.md section 3,
// point 5). Before libactiva checked the proof and the peer, each of the
// impostors below made the product report "licensed, 180 days".
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "activa/activa.h"
#include "base/bytes.h"
#include "base/file_util.h"
#include "capi/status_message.h"
#include "net/unix_line_client.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

namespace json = boost::json;
using testing::DaemonProcess;

constexpr char kTestUser[] = "activa-test";

// Answers every line on `listen_fd` with `reply` (one line, with its '\n'),
// until the process ends. Plain system calls only: it runs in a forked child.
[[noreturn]] void ServeForever(int listen_fd, const std::string& reply) {
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd < 0) continue;
    char c;
    while (::recv(fd, &c, 1, 0) == 1) {
      if (c == '\n' && ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) break;
    }
    ::close(fd);
  }
}

int Listen(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A fake activad: a process that answers every `status` with `reply`, as
// `uid` (the six-line server of the attack).
class FakeDaemon {
 public:
  FakeDaemon(const std::string& path, const std::string& reply, uid_t uid, gid_t gid) {
    ::unlink(path.c_str());
    int ready[2];
    if (::pipe(ready) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      if (uid != 0 && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) {
        ::_exit(2);
      }
      int fd = Listen(path);
      if (fd < 0) ::_exit(3);
      char ok = 1;
      if (::write(ready[1], &ok, 1) != 1) ::_exit(4);
      ServeForever(fd, reply);
    }
    ::close(ready[1]);
    char ok = 0;
    const bool up = ::read(ready[0], &ok, 1) == 1;
    ::close(ready[0]);
    if (!up) throw std::runtime_error("fake daemon did not start on " + path);
  }
  ~FakeDaemon() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

 private:
  pid_t pid_ = -1;
};

class CApiDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The vendor's client edition activates from the first machine, so one
    // host and two clients make a deployment.
    ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
    std::ifstream in(dir_ / "vendor/vendor.toml");
    std::stringstream toml;
    toml << in.rdbuf();
    std::string text = toml.str();
    std::size_t kind = text.find("kind = \"client\"");
    ASSERT_NE(kind, std::string::npos);
    text.insert(text.find('\n', kind) + 1, "threshold = 1\n");
    ASSERT_TRUE(WriteFileAtomic(dir_ / "vendor/vendor.toml", text, 0644, true).ok());
    Result<Vendor> v = Vendor::Open(dir_ / "vendor");
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vendor_.emplace(std::move(v).value());
    ASSERT_EQ(vendor_->catalog().editions[0].threshold, 1);
    std::filesystem::create_directories(dir_ / "catalogs");
    ASSERT_TRUE(WriteFileAtomic(dir_ / "catalogs/example.json",
                                *vendor_->SignedCatalog(::time(nullptr)), 0644, true)
                    .ok());
    key_ = vendor_->catalog().vendor_keys[0];
    app_ = FormatUuid(edition().application_id);
    sku_ = FormatUuid(edition().id);
  }

  const Edition& edition() const { return vendor_->catalog().editions[0]; }

  std::unique_ptr<DaemonProcess> Daemon(const std::string& name) {
    DaemonProcess::Options o;
    o.state_dir = dir_ / name;
    o.catalog_dir = dir_ / "catalogs";
    o.machine_name = name;
    return std::make_unique<DaemonProcess>(o);
  }

  std::unique_ptr<DaemonProcess> ActivatedHost() {
    auto host = Daemon("host");
    Result<MintedKey> key =
        vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, ::time(nullptr));
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(DaemonProcess::ResultOf(host->Call({{"op", "ipk"}, {"key", key->text}})), 0u);
    json::object dti = host->Call({{"op", "dti"}});
    Result<std::string> cid =
        vendor_->Confirm(std::string(dti.at("installation_id").as_string()), ::time(nullptr));
    EXPECT_TRUE(cid.ok()) << cid.status().ToString();
    EXPECT_EQ(DaemonProcess::ResultOf(host->Call({{"op", "atp"}, {"confirmation_id", *cid}})), 0u);
    return host;
  }

  // A client machine whose product a host activated.
  std::unique_ptr<DaemonProcess> LicensedClient(const std::string& name, DaemonProcess& host) {
    auto c = Daemon(name);
    EXPECT_EQ(DaemonProcess::ResultOf(c->Call({{"op", "ipk"}, {"key", edition().setup_key}})), 0u);
    EXPECT_EQ(DaemonProcess::ResultOf(
                  c->Call({{"op", "skms"}, {"host", "127.0.0.1:" + std::to_string(host.port())}})),
              0u);
    EXPECT_EQ(DaemonProcess::ResultOf(c->Call({{"op", "ato"}})), 0u);
    return c;
  }

  // The `status` reply line activad gives, as a fake would replay it.
  json::object StatusReply(DaemonProcess& d) {
    Result<std::string> line = net::CallUnixSocket(
        d.socket_path(), capi::StatusRequestLine(edition().application_id, edition().id),
        std::chrono::seconds(10));
    EXPECT_TRUE(line.ok()) << line.status().ToString();
    return json::parse(*line).as_object();
  }

  struct Seen {
    activa_result open = 0, query = 0, verification = 0;
    int state = -1, days = -1;
  };
  // What the product sees on `socket`.
  Seen Ask(const std::string& socket) {
    Seen s;
    activa_client* client = nullptr;
    s.open = activa_open_with_vendor_key(key_.data(), socket.c_str(), &client);
    if (s.open != ACTIVA_OK) return s;
    activa_license_info* info = nullptr;
    s.query = activa_query_license(client, app_.c_str(), sku_.c_str(), &info);
    if (s.query == ACTIVA_OK) {
      s.state = activa_license_state(info);
      s.days = activa_license_days_left(info);
      s.verification = activa_license_verification(info);
      if (s.verification != ACTIVA_OK) {
        std::cerr << "  verification: " << activa_license_verification_message(info) << "\n";
      }
    }
    activa_license_info_free(info);
    activa_close(client);
    return s;
  }

  testing::TempDir dir_;
  std::optional<Vendor> vendor_;
  PublicKey key_{};
  std::string app_, sku_;
};

TEST_F(CApiDaemonTest, GraceIsReportedAsActivadsWord) {
  auto daemon = Daemon("pc");
  ASSERT_EQ(DaemonProcess::ResultOf(daemon->Call({{"op", "ipk"}, {"key", edition().setup_key}})),
            0u);
  activa_client* client = nullptr;
  ASSERT_EQ(activa_open_with_vendor_key(key_.data(), daemon->socket_path().c_str(), &client),
            ACTIVA_OK);
  activa_license_info* info = nullptr;
  ASSERT_EQ(activa_query_license(client, app_.c_str(), sku_.c_str(), &info), ACTIVA_OK)
      << activa_last_error_message(client);
  EXPECT_EQ(activa_license_state(info), ACTIVA_STATE_INITIAL_GRACE);
  EXPECT_TRUE(activa_license_is_usable(info));
  EXPECT_GE(activa_license_days_left(info), 29);
  EXPECT_LE(activa_license_days_left(info), 30);
  EXPECT_EQ(activa_license_verification(info), ACTIVA_GRACE_UNVERIFIED);
  EXPECT_STREQ(activa_license_product_name(info), edition().name.c_str());
  activa_license_info_free(info);

  // The other edition is not installed.
  std::string other = FormatUuid(vendor_->catalog().editions[1].id);
  EXPECT_EQ(activa_query_license(client, app_.c_str(), other.c_str(), &info), 0xC0AC0007u);
  activa_close(client);
}

TEST_F(CApiDaemonTest, GenuineActivationIsLicensedWithTheSignedDaysLeft) {
  auto host = ActivatedHost();
  auto pc = LicensedClient("pc", *host);
  Seen s = Ask(pc->socket_path());
  EXPECT_EQ(s.open, ACTIVA_OK);
  EXPECT_EQ(s.query, ACTIVA_OK);
  EXPECT_EQ(s.state, ACTIVA_STATE_LICENSED);
  EXPECT_EQ(s.verification, ACTIVA_OK);
  // 180 days from the host's signed time, less the seconds since.
  EXPECT_GE(s.days, 179);
  EXPECT_LE(s.days, 180);

  // The proof outlives a restart (it is in the state database).
  pc->Stop();
  pc->Start();
  s = Ask(pc->socket_path());
  EXPECT_EQ(s.state, ACTIVA_STATE_LICENSED);
  EXPECT_EQ(s.verification, ACTIVA_OK);

  // Another vendor's product on the same machine believes none of it.
  ASSERT_TRUE(Vendor::Init(dir_ / "other", "Other").ok());
  PublicKey mine = key_;
  key_ = std::move(Vendor::Open(dir_ / "other")).value().catalog().vendor_keys[0];
  s = Ask(pc->socket_path());
  EXPECT_EQ(s.state, ACTIVA_STATE_UNLICENSED);
  EXPECT_EQ(s.verification, ACTIVA_E_BAD_SIGNATURE);
  key_ = mine;
}

TEST_F(CApiDaemonTest, ImpostorRunByAnotherUserReplayingAGenuineReplyIsRefused) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to act as another user";
  if (::getpwnam(kTestUser) == nullptr) {
    ASSERT_EQ(std::system("useradd --system --no-create-home --shell /usr/sbin/nologin "
                          "activa-test"),
              0);
  }
  passwd* pw = ::getpwnam(kTestUser);
  ASSERT_NE(pw, nullptr);
  auto host = ActivatedHost();
  auto pc = LicensedClient("pc", *host);
  const std::string genuine = json::serialize(StatusReply(*pc)) + "\n";
  // No activad at all: only the impostor, in a folder it may write.
  pc->Stop();
  ::chmod(dir_.path().c_str(), 0755);
  const std::string evil = dir_ / "evil";
  ::mkdir(evil.c_str(), 0777);
  ::chmod(evil.c_str(), 0777);
  FakeDaemon fake(evil + "/activad.sock", genuine, pw->pw_uid, pw->pw_gid);
  Seen s = Ask(evil + "/activad.sock");
  EXPECT_EQ(s.open, ACTIVA_E_UNTRUSTED_SERVICE);
  EXPECT_NE(s.state, ACTIVA_STATE_LICENSED);
}

// The impostors below run as root, so the peer check passes and only the
// proof stands between them and "licensed".
TEST_F(CApiDaemonTest, ProofMissingOrAlteredIsNotLicensed) {
  auto host = ActivatedHost();
  auto pc = LicensedClient("pc", *host);
  const json::object genuine = StatusReply(*pc);
  ASSERT_TRUE(genuine.at("proof").is_object());
  pc->Stop();
  const std::string socket = dir_ / "fake.sock";

  {  // the reply as activad gave it, replayed by root: this machine's own proof
    FakeDaemon fake(socket, json::serialize(genuine) + "\n", 0, 0);
    EXPECT_EQ(Ask(socket).state, ACTIVA_STATE_LICENSED);
  }
  {  // no proof
    json::object r = genuine;
    r["proof"] = nullptr;
    FakeDaemon fake(socket, json::serialize(r) + "\n", 0, 0);
    Seen s = Ask(socket);
    EXPECT_EQ(s.query, ACTIVA_OK);
    EXPECT_EQ(s.state, ACTIVA_STATE_UNLICENSED);
    EXPECT_EQ(s.verification, ACTIVA_E_PROOF_MISSING);
    EXPECT_EQ(s.days, 0);
  }
  {  // the signed validity end pushed one second further
    json::object r = genuine;
    Bytes frame;
    ASSERT_TRUE(Base64Decode(r["proof"].as_object()["response"].as_string(), &frame));
    Result<Message> m = DecodeFrame(frame);
    ASSERT_TRUE(m.ok());
    ActivationResponse altered = std::get<ActivationResponse>(*m);
    altered.validity_end += 1;  // the signature stays the host's
    r["proof"].as_object()["response"] = Base64Encode(EncodeResponse(altered));
    FakeDaemon fake(socket, json::serialize(r) + "\n", 0, 0);
    Seen s = Ask(socket);
    EXPECT_EQ(s.state, ACTIVA_STATE_UNLICENSED);
    EXPECT_EQ(s.verification, ACTIVA_E_BAD_SIGNATURE);
  }
  {  // a catalog that lowers nothing but is no longer the vendor's bytes
    json::object r = genuine;
    Bytes catalog;
    ASSERT_TRUE(Base64Decode(r["proof"].as_object()["catalog"].as_string(), &catalog));
    catalog[catalog.size() / 2] ^= 0x01;
    r["proof"].as_object()["catalog"] = Base64Encode(catalog);
    FakeDaemon fake(socket, json::serialize(r) + "\n", 0, 0);
    Seen s = Ask(socket);
    EXPECT_EQ(s.state, ACTIVA_STATE_UNLICENSED);
    EXPECT_NE(s.verification, ACTIVA_OK);
  }
}

TEST_F(CApiDaemonTest, AnotherMachinesGenuineProofIsNotLicensed) {
  auto host = ActivatedHost();
  auto a = LicensedClient("pc-a", *host);
  auto b = Daemon("pc-b");  // installed, never activated
  ASSERT_EQ(DaemonProcess::ResultOf(b->Call({{"op", "ipk"}, {"key", edition().setup_key}})), 0u);
  json::object from_a = StatusReply(*a);
  const json::value b_cmid = StatusReply(*b).at("cmid");
  ASSERT_NE(from_a.at("cmid"), b_cmid);
  // On machine B, A's whole licensed answer, but B's identity.
  json::object r = from_a;
  r["cmid"] = b_cmid;
  const std::string socket = dir_ / "fake.sock";
  FakeDaemon fake(socket, json::serialize(r) + "\n", 0, 0);
  Seen s = Ask(socket);
  EXPECT_EQ(s.query, ACTIVA_OK);
  EXPECT_EQ(s.state, ACTIVA_STATE_UNLICENSED);
  EXPECT_EQ(s.verification, ACTIVA_E_OTHER_MACHINE);
}

}  // namespace
}  // namespace activa
