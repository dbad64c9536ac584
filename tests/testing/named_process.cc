#include "testing/named_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "base/bytes.h"
#include "testing/process.h"

extern char** environ;

namespace activa::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

// A port free on 127.0.0.1 for both UDP and TCP a moment ago (named needs
// both). The kernel picks a TCP port; UDP is then checked on the same number.
std::uint16_t FreeDnsPort() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(tcp, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(tcp, reinterpret_cast<sockaddr*>(&addr), &len);
    int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
    bool udp_free = ::bind(udp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(udp);
    ::close(tcp);
    if (udp_free) return ntohs(addr.sin_port);
  }
  throw std::runtime_error("no free port for named");
}

bool NamedProcess::Available() { return ::access(kNamedPath, X_OK) == 0; }

NamedProcess::NamedProcess(std::vector<NamedZone> zones) {
  if (zones.empty()) throw std::runtime_error("NamedProcess needs a zone");
  port_ = FreeDnsPort();
  std::random_device random;
  Bytes secret(32);
  for (auto& b : secret) b = static_cast<std::uint8_t>(random());
  key_ = {"activa-test-key", "hmac-sha256", Base64Encode(secret)};

  const std::string& d = dir_.path();
  std::ofstream conf(dir_ / "named.conf");
  conf << "key \"" << key_.name << "\" { algorithm hmac-sha256; secret \"" << key_.secret_base64
       << "\"; };\n"
       << "options {\n  directory \"" << d << "\";\n  pid-file \"" << d << "/named.pid\";\n"
       << "  listen-on port " << port_ << " { 127.0.0.1; };\n  listen-on-v6 { none; };\n"
       << "  recursion no;\n  allow-query { any; };\n  notify no;\n  dnssec-validation no;\n"
       << "};\n";
  for (const NamedZone& z : zones) {
    std::string allow;
    if (z.update_by_key) allow += " key \"" + key_.name + "\";";
    if (z.update_by_address) allow += " 127.0.0.1;";
    if (allow.empty()) allow = " none;";
    conf << "zone \"" << z.name << "\" {\n  type master;\n  file \"" << d << "/" << z.name
         << ".zone\";\n  allow-update {" << allow << " };\n};\n";
    std::ofstream zone(dir_ / (z.name + ".zone"));
    zone << "$TTL 300\n$ORIGIN " << z.name << ".\n"
         << "@ IN SOA ns." << z.name << ". hostmaster." << z.name << ". 1 3600 600 86400 300\n"
         << "@ IN NS ns." << z.name << ".\n"
         << "ns IN A 127.0.0.1\n";
    for (const std::string& line : z.records) zone << line << "\n";
  }
  conf.close();

  std::vector<std::string> args = {kNamedPath,          "-g", "-c",
                                   dir_ / "named.conf", "-p", std::to_string(port_)};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::string log = dir_ / "named.log";
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start named");

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    ProcessResult r = RunProcess({"/usr/bin/dig", "@127.0.0.1", "-p", std::to_string(port_),
                                  "+short", "+time=1", "+tries=1", zones.front().name, "SOA"});
    if (r.exit_code == 0 && r.out.find("hostmaster") != std::string::npos) return;
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("named exited at start:\n" + ReadFile(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string text = ReadFile(log);
  ::kill(pid_, SIGKILL);
  int status;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  throw std::runtime_error("named did not answer within 15 s:\n" + text);
}

NamedProcess::~NamedProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status;
  ::waitpid(pid_, &status, 0);
}

dns::ResolverConfig NamedProcess::resolver_config() const {
  dns::ResolverConfig config;
  config.nameserver = "127.0.0.1";
  config.port = port_;
  config.timeout_ms = 2000;
  config.resolv_conf = "/nonexistent";  // never the machine's resolver
  return config;
}

std::vector<dns::SrvRecord> NamedProcess::Srv(const std::string& name) const {
  ProcessResult r = RunProcess({"/usr/bin/dig", "@127.0.0.1", "-p", std::to_string(port_), "+short",
                                "+time=2", "+tries=1", name, "SRV"});
  if (r.exit_code != 0) throw std::runtime_error("dig failed: " + r.err + r.out);
  std::vector<dns::SrvRecord> out;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    unsigned p, w, port;
    std::string target;
    if (!(f >> p >> w >> port >> target)) continue;
    if (target.size() > 1 && target.back() == '.') target.pop_back();
    out.push_back({static_cast<std::uint16_t>(p), static_cast<std::uint16_t>(w),
                   static_cast<std::uint16_t>(port), target});
  }
  std::sort(out.begin(), out.end(),
            [](const dns::SrvRecord& a, const dns::SrvRecord& b) { return a.target < b.target; });
  return out;
}

std::string NamedProcess::log() const { return ReadFile(dir_ / "named.log"); }

}  // namespace activa::testing
