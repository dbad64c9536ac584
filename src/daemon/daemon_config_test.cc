#include "daemon/daemon_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/fake_system.h"
#include "base/file_util.h"

namespace activa {
namespace {

TEST(DaemonConfigTest, EmptyFileGivesDefaults) {
  Result<DaemonConfig> c = ParseDaemonConfig("", "activa.toml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 1688);
  EXPECT_EQ(c->listen, (std::vector<std::string>{"0.0.0.0", "::"}));
  EXPECT_EQ(c->idle_timeout_seconds, 30);
  EXPECT_EQ(c->max_connections_per_address, 64u);
  EXPECT_EQ(c->max_new_clients_per_minute, 600u);
  EXPECT_EQ(c->keep_clients_days, 90);
}

TEST(DaemonConfigTest, ReadsEverySection) {
  Result<DaemonConfig> c = ParseDaemonConfig(R"(
[daemon]
machine_name = "pc7"
journal = false

[host]
listen = ["127.0.0.1"]
port = 11688
allowed_networks = ["127.0.0.0/8"]
max_connections = 10
max_connections_per_address = 4
idle_timeout_seconds = 2
max_new_clients_per_minute = 50
keep_clients_days = 7

[client]
connect_timeout_seconds = 3

[dns]
)",
                                             "activa.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->machine_name, "pc7");
  EXPECT_FALSE(c->journal);
  EXPECT_EQ(c->port, 11688);
  EXPECT_EQ(c->max_connections, 10u);
  EXPECT_EQ(c->max_connections_per_address, 4u);
  EXPECT_EQ(c->max_new_clients_per_minute, 50u);
  EXPECT_EQ(c->keep_clients_days, 7);
  EXPECT_EQ(c->allowed_networks.size(), 1u);
  EXPECT_EQ(c->connect_timeout_seconds, 3);
}

TEST(DaemonConfigTest, ManagementSection) {
  Result<DaemonConfig> off = ParseDaemonConfig("", "activa.toml");
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(off->management.listen.empty());  // off by default
  EXPECT_EQ(off->management.session_idle_seconds, 900);

  Result<DaemonConfig> c = ParseDaemonConfig(R"(
[management]
listen = ["0.0.0.0:1689", "[::]:1700", "127.0.0.1"]
tls_cert = "/etc/activa/m.crt"
tls_key = "/etc/activa/m.key"
session_idle_seconds = 120
)",
                                             "activa.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->management.listen.size(), 3u);
  EXPECT_EQ(c->management.listen[0].ToString(), "0.0.0.0:1689");
  EXPECT_EQ(c->management.listen[1].ToString(), "[::]:1700");
  EXPECT_EQ(c->management.listen[2].port, kDefaultManagementPort);
  EXPECT_EQ(c->management.tls_key, "/etc/activa/m.key");
  EXPECT_EQ(c->management.session_idle_seconds, 120);

  for (const char* bad : {"listen = [\"host.example:1689\"]", "listen = [\"::1689\"]",
                          "listen = [\"10.0.0.0/8\"]", "tls_cert = \"/a.crt\"",
                          "tls_key = \"relative.key\"", "session_idle_seconds = 5", "tls = true"}) {
    Result<DaemonConfig> r =
        ParseDaemonConfig(std::string("[management]\n") + bad + "\n", "activa.toml");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("activa.toml"), std::string::npos) << r.status().message();
  }
}

TEST(DaemonConfigTest, PortZeroLetsTheKernelChoose) {
  Result<DaemonConfig> c = ParseDaemonConfig("[host]\nport = 0\n", "activa.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->port, 0);
}

TEST(DaemonConfigTest, ErrorsNameKeyAndLine) {
  auto error = [](const char* text) {
    Result<DaemonConfig> c = ParseDaemonConfig(text, "activa.toml");
    EXPECT_FALSE(c.ok()) << text;
    return c.status().message();
  };
  EXPECT_EQ(error("[host]\nprot = 1"), "activa.toml:2: [host]: unknown key \"prot\"");
  EXPECT_EQ(error("[host]\nport = 65536"), "activa.toml:2: [host]: \"port\" must be 0 to 65535");
  EXPECT_EQ(error("[host]\nmax_new_clients_per_minute = 0"),
            "activa.toml:2: [host]: \"max_new_clients_per_minute\" must be 1 to 1000000");
  EXPECT_NE(error("[host]\nlisten = [\"localhost\"]").find("not an IPv4 or IPv6 address"),
            std::string::npos);
  EXPECT_NE(error("[host]\nallowed_networks = [\"10/8\"]").find("not a network"),
            std::string::npos);
  EXPECT_NE(error("[hosts]\n").find("unknown key \"hosts\""), std::string::npos);
  EXPECT_NE(error("[host\n").find("activa.toml:1"), std::string::npos);
}

TEST(DaemonConfigTest, DnsSection) {
  Result<DaemonConfig> c = ParseDaemonConfig(R"(
[dns]
service = "_activa._tcp"
host_name = "kms1.corp.example"
resolver = "127.0.0.1:5300"
disable_publishing = false

[[dns.publish]]
domain = "corp.example"
priority = 10
weight = 50
server = "127.0.0.1:5300"
tsig = "keyname:hmac-sha256:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="

[[dns.publish]]
domain = "branch.example"
)",
                                             "activa.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->dns.host_name, "kms1.corp.example");
  EXPECT_EQ(c->dns.resolver, "127.0.0.1");
  EXPECT_EQ(c->dns.resolver_port, 5300);
  ASSERT_EQ(c->dns.publish.size(), 2u);
  EXPECT_EQ(c->dns.publish[0].priority, 10);
  EXPECT_EQ(c->dns.publish[0].weight, 50);
  EXPECT_EQ(c->dns.publish[0].server_port, 5300);
  EXPECT_EQ(c->dns.publish[1].server, "");  // the zone's primary, from its SOA
  EXPECT_EQ(c->dns.publish[1].priority, 0);
}

TEST(DaemonConfigTest, DnsErrorsNameTheKey) {
  auto error = [](const char* text) {
    Result<DaemonConfig> c = ParseDaemonConfig(text, "activa.toml");
    EXPECT_FALSE(c.ok()) << text;
    return c.status().message();
  };
  EXPECT_NE(error("[dns]\nservice = \"_vlmcs._tcp\"").find("Microsoft"), std::string::npos);
  EXPECT_NE(error("[dns]\nservice = \"activa\"").find("_NAME._PROTOCOL"), std::string::npos);
  EXPECT_NE(error("[dns]\nresolvr = \"1.2.3.4\"").find("unknown key \"resolvr\""),
            std::string::npos);
  EXPECT_NE(error("[[dns.publish]]\ndomain = \"corp.example\"\npriority = 70000")
                .find("\"priority\" must be 0 to 65535"),
            std::string::npos);
  EXPECT_NE(error("[[dns.publish]]\ndomain = \"bad domain\"").find("not a DNS name"),
            std::string::npos);
  std::string tsig = error("[[dns.publish]]\ndomain = \"a.example\"\ntsig = \"k:hmac-nope:QUFB\"");
  EXPECT_NE(tsig.find("\"tsig\": TSIG key: unknown algorithm \"hmac-nope\""), std::string::npos)
      << tsig;
}

TEST(DaemonConfigTest, BadTsigKeyStopsTheConfigurationNamingFileDomainAndKey) {
  Result<DaemonConfig> c = ParseDaemonConfig(R"([[dns.publish]]
domain = "corp.example"

[[dns.publish]]
domain = "branch.example"
tsig = "activa-host:hmac-sha257:c2VjcmV0c2VjcmV0"
)",
                                             "/etc/activa/activa.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ResultCode::kInvalidData);
  const std::string m = c.status().message();
  EXPECT_NE(m.find("/etc/activa/activa.toml:6: [[dns.publish]] #2"), std::string::npos) << m;
  EXPECT_NE(m.find("domain \"branch.example\": \"tsig\": TSIG key: unknown algorithm "
                   "\"hmac-sha257\""),
            std::string::npos)
      << m;
  EXPECT_EQ(m.find("c2VjcmV0c2VjcmV0"), std::string::npos) << m;

  c = ParseDaemonConfig(
      "[[dns.publish]]\ndomain = \"corp.example\"\ntsig = \"activa-host:hmac-sha256:not base64!\"",
      "activa.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("the secret of key \"activa-host\" is not base64"),
            std::string::npos)
      << c.status().message();
}

TEST(DaemonConfigTest, ToPublishTargetParsesTheKeyOrFails) {
  DnsPublishEntry e;
  e.domain = "corp.example";
  e.priority = 10;
  e.weight = 50;
  e.server = "127.0.0.1";
  e.server_port = 5300;
  Result<dns::PublishTarget> t = ToPublishTarget(e);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->domain, "corp.example");
  EXPECT_EQ(t->priority, 10);
  EXPECT_EQ(t->weight, 50);
  EXPECT_EQ(t->server, "127.0.0.1");
  EXPECT_EQ(t->server_port, 5300);
  EXPECT_FALSE(t->tsig.has_value());

  e.tsig = "activa-host:hmac-sha256:c2VjcmV0";
  t = ToPublishTarget(e);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_TRUE(t->tsig.has_value());
  EXPECT_EQ(t->tsig->name, "activa-host");

  // A key that does not parse gives no target at all, never one without TSIG.
  e.tsig = "activa-host:hmac-sha256";
  t = ToPublishTarget(e);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ResultCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("domain \"corp.example\": \"tsig\""), std::string::npos)
      << t.status().message();

  DnsPublishEntry good;
  good.domain = "lab.example";
  Result<std::vector<dns::PublishTarget>> all = ToPublishTargets({good, e});
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.status().message().find("corp.example"), std::string::npos);
  all = ToPublishTargets({good});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

constexpr char kSecret[] = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=";

// Configuration and key files with chosen modes in a temporary folder, read
// through the real file system.
class LoadDaemonConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "activa-config-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `text` to dir_/name with exactly `mode` (whatever the umask).
  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    std::string path = dir_ + "/" + name;
    EXPECT_TRUE(WriteFileAtomic(path, text, 0600, true).ok());
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  std::string PublishWithFile(const std::string& key_path) {
    return "[[dns.publish]]\ndomain = \"corp.example\"\ntsig_file = \"" + key_path + "\"\n";
  }
  Result<DaemonConfig> Load(const std::string& path) { return LoadDaemonConfig(system_, path); }

  std::string dir_;
  FakeClock clock_{0};
  RealSystem system_{clock_};
};

TEST_F(LoadDaemonConfigTest, ReadsTheKeyFileOneLineOrBind) {
  std::string line =
      Write("line.key", std::string("activa-host:hmac-sha256:") + kSecret + "\n", 0600);
  Result<DaemonConfig> c = Load(Write("activa.toml", PublishWithFile(line), 0644));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->dns.publish.size(), 1u);
  EXPECT_EQ(c->dns.publish[0].tsig_file, line);
  Result<dns::PublishTarget> t = ToPublishTarget(c->dns.publish[0]);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_TRUE(t->tsig.has_value());
  EXPECT_EQ(t->tsig->name, "activa-host");
  EXPECT_EQ(t->tsig->secret_base64, kSecret);

  // As tsig-keygen writes it; read-only for the owner is as good as 0600.
  std::string bind = Write("bind.key",
                           std::string("key \"activa-host\" {\n\talgorithm hmac-sha384;\n"
                                       "\tsecret \"") +
                               kSecret + "\";\n};\n",
                           0400);
  c = Load(Write("activa.toml", PublishWithFile(bind), 0644));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  t = ToPublishTarget(c->dns.publish[0]);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->tsig->algorithm, "hmac-sha384");
  EXPECT_EQ(t->tsig->secret_base64, kSecret);
}

TEST_F(LoadDaemonConfigTest, KeyFileThatOthersMayReadIsRefused) {
  std::string text = std::string("activa-host:hmac-sha256:") + kSecret + "\n";
  for (mode_t mode : {0640, 0604, 0644, 0660, 0602, 0610}) {
    std::string key = Write("tsig.key", text, mode);
    Result<DaemonConfig> c = Load(Write("activa.toml", PublishWithFile(key), 0600));
    ASSERT_FALSE(c.ok()) << std::oct << mode;
    EXPECT_EQ(c.status().code(), ResultCode::kAccessDenied);
    const std::string m = c.status().message();
    EXPECT_NE(m.find(key), std::string::npos) << m;
    EXPECT_NE(m.find("chmod 600 " + key), std::string::npos) << m;
    EXPECT_NE(m.find("domain \"corp.example\""), std::string::npos) << m;
    EXPECT_EQ(m.find(kSecret), std::string::npos) << m;
  }
}

TEST_F(LoadDaemonConfigTest, KeyFileMustBeAPlainFileThatExistsAndParses) {
  std::string key = Write("tsig.key", std::string("activa-host:hmac-sha256:") + kSecret, 0600);
  std::string link = dir_ + "/link.key";
  ASSERT_EQ(::symlink(key.c_str(), link.c_str()), 0);
  std::string folder = dir_ + "/folder.key";
  ASSERT_EQ(::mkdir(folder.c_str(), 0700), 0);
  std::string broken = Write("broken.key", std::string("activa-host:hmac-sha256") + kSecret, 0600);
  struct Case {
    std::string path;
    ResultCode code;
    const char* says;
  };
  for (const Case& k : {Case{link, ResultCode::kAccessDenied, "symbolic link"},
                        Case{folder, ResultCode::kAccessDenied, "folder"},
                        Case{dir_ + "/missing.key", ResultCode::kFileNotFound, "missing.key"},
                        Case{broken, ResultCode::kInvalidArgument, "TSIG key: expected"}}) {
    Result<DaemonConfig> c = Load(Write("activa.toml", PublishWithFile(k.path), 0644));
    ASSERT_FALSE(c.ok()) << k.path;
    EXPECT_EQ(c.status().code(), k.code) << c.status().ToString();
    EXPECT_NE(c.status().message().find(k.says), std::string::npos) << c.status().message();
    EXPECT_NE(c.status().message().find(k.path), std::string::npos) << c.status().message();
    EXPECT_EQ(c.status().message().find(kSecret), std::string::npos) << c.status().message();
  }
}

TEST(LoadDaemonConfigOwnerTest, KeyFileOwnedBySomeoneElseIsRefused) {
  FakeSystem system;
  system.SetEffectiveUid(998);
  system.SetFile("/etc/activa/activa.toml",
                 "[[dns.publish]]\ndomain = \"corp.example\"\n"
                 "tsig_file = \"/etc/activa/tsig.key\"\n");
  system.SetFile("/etc/activa/tsig.key", std::string("activa-host:hmac-sha256:") + kSecret);
  for (std::uint32_t uid : {0u, 998u}) {
    system.SetFileInfo("/etc/activa/tsig.key", {uid, 0600, false, false});
    EXPECT_TRUE(LoadDaemonConfig(system, "/etc/activa/activa.toml").ok()) << uid;
  }
  system.SetFileInfo("/etc/activa/tsig.key", {1000, 0600, false, false});
  Result<DaemonConfig> c = LoadDaemonConfig(system, "/etc/activa/activa.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ResultCode::kAccessDenied);
  EXPECT_NE(c.status().message().find("/etc/activa/tsig.key: owned by uid 1000"), std::string::npos)
      << c.status().message();
}

TEST_F(LoadDaemonConfigTest, InlineSecretOnlyInAFileOthersCannotRead) {
  const std::string inline_key = std::string("[[dns.publish]]\ndomain = \"corp.example\"\n") +
                                 "tsig = \"activa-host:hmac-sha256:" + kSecret + "\"\n";
  for (mode_t mode : {0644, 0640, 0604}) {
    std::string path = Write("activa.toml", inline_key, mode);
    Result<DaemonConfig> c = Load(path);
    ASSERT_FALSE(c.ok()) << std::oct << mode;
    EXPECT_EQ(c.status().code(), ResultCode::kAccessDenied);
    const std::string m = c.status().message();
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find("\"tsig_file\""), std::string::npos) << m;
    EXPECT_EQ(m.find(kSecret), std::string::npos) << m;
  }
  Result<DaemonConfig> c = Load(Write("activa.toml", inline_key, 0600));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->dns.publish[0].tsig, std::string("activa-host:hmac-sha256:") + kSecret);
  // Through a symbolic link the target's mode is unknown: refused too.
  std::string real = Write("real.toml", inline_key, 0600);
  std::string link = dir_ + "/link.toml";
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  EXPECT_EQ(Load(link).status().code(), ResultCode::kAccessDenied);
  // Without a secret, the file's mode does not matter.
  c = Load(Write("activa.toml", "[[dns.publish]]\ndomain = \"corp.example\"\n", 0644));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
}

TEST(DaemonConfigTest, TsigFileIsAnAbsolutePathAndExcludesTsig) {
  auto error = [](const std::string& text) {
    Result<DaemonConfig> c = ParseDaemonConfig(text, "activa.toml");
    EXPECT_FALSE(c.ok()) << text;
    return c.status().message();
  };
  const std::string entry = "[[dns.publish]]\ndomain = \"corp.example\"\n";
  EXPECT_NE(error(entry + "tsig_file = \"tsig.key\"").find("must be an absolute path"),
            std::string::npos);
  std::string both = error(entry + "tsig = \"k:hmac-sha256:" + kSecret +
                           "\"\ntsig_file = \"/etc/activa/tsig.key\"");
  EXPECT_NE(both.find("not both"), std::string::npos) << both;
  EXPECT_EQ(both.find(kSecret), std::string::npos) << both;
  // Parsed alone, the file is named but not read, and gives no target:
  // never one that would publish unsigned.
  Result<DaemonConfig> c =
      ParseDaemonConfig(entry + "tsig_file = \"/etc/activa/tsig.key\"", "activa.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->dns.publish[0].tsig, "");
  Result<dns::PublishTarget> t = ToPublishTarget(c->dns.publish[0]);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("has not been read"), std::string::npos);
}

TEST(DaemonConfigTest, ClearinghouseKeys) {
  Result<DaemonConfig> c = ParseDaemonConfig(
      "[client]\nclearinghouse = \"https://127.0.0.1:8443\"\n"
      "clearinghouse_ca = \"/etc/activa/ch-ca.pem\"\nproxy = \"http://proxy.corp:3128\"\n",
      "activa.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->clearinghouse, "https://127.0.0.1:8443");
  EXPECT_EQ(c->clearinghouse_ca, "/etc/activa/ch-ca.pem");
  EXPECT_EQ(c->proxy, "http://proxy.corp:3128");
  auto error = [](const std::string& line) {
    Result<DaemonConfig> r = ParseDaemonConfig("[client]\n" + line + "\n", "activa.toml");
    return r.ok() ? std::string() : r.status().ToString();
  };
  EXPECT_NE(error("clearinghouse = \"http://ch.example\"").find("clearinghouse"),
            std::string::npos);
  EXPECT_NE(error("clearinghouse_ca = \"ca.pem\"").find("absolute path"), std::string::npos);
  EXPECT_NE(error("proxy = \"socks5://p:1080\"").find("proxy"), std::string::npos);
}

}  // namespace
}  // namespace activa
