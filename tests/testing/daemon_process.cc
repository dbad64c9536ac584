#include "testing/daemon_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "base/file_util.h"
#include "catalog/catalog.h"
#include "catalog/trust_store.h"
#include "net/unix_line_client.h"

extern char** environ;

namespace activa::testing {
namespace {

int ConnectUnix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int ConnectTcp(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

bool WriteAll(int fd, const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool ReadExactly(int fd, std::uint8_t* out, std::size_t n) {
  while (n > 0) {
    ssize_t r = ::recv(fd, out, n, 0);
    if (r <= 0) return false;
    out += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

}  // namespace

std::uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A datagram socket under an abstract name (no file, so a daemon that has
// dropped its privileges reaches it too), read by a thread of its own: it
// notes which processes sent READY=1 (the kernel's credentials of each
// message, not what a message says) and drops the rest (STATUS=,
// STOPPING=1). A start waits for its own process's READY=1, so one that a
// reload of the process before it sent late cannot end the wait early.
struct DaemonProcess::Notify {
  Notify() {
    static std::atomic<int> next{0};
    name = "@activa-test-" + std::to_string(::getpid()) + "-" + std::to_string(next++);
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    // sd_notify(3): a leading '@' is the abstract namespace's '\0'.
    std::memcpy(addr.sun_path + 1, name.data() + 1, name.size() - 1);
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    const int on = 1;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error(std::string("cannot bind a notify socket: ") + std::strerror(errno));
    }
    reader = std::thread([this] { Read(); });
  }
  ~Notify() {
    stopping = true;
    reader.join();
    ::close(fd);
  }
  Notify(const Notify&) = delete;
  Notify& operator=(const Notify&) = delete;

  // Waits up to `wait` for a READY=1 from process `pid`.
  bool WaitReady(pid_t pid, std::chrono::milliseconds wait) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, wait, [&] { return ready.count(pid) != 0; });
  }

  std::string name;  // the NOTIFY_SOCKET value
  int fd = -1;

 private:
  void Read() {
    char buf[4096];
    while (!stopping) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
      iovec iov{buf, sizeof buf};
      msghdr m{};
      m.msg_iov = &iov;
      m.msg_iovlen = 1;
      m.msg_control = control;
      m.msg_controllen = sizeof control;
      const ssize_t n = ::recvmsg(fd, &m, 0);
      if (n <= 0) continue;
      pid_t sender = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
          ucred cred;
          std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
          sender = cred.pid;
        }
      }
      std::string_view message(buf, static_cast<std::size_t>(n));
      bool is_ready = false;
      while (!message.empty()) {
        const std::size_t end = std::min(message.find('\n'), message.size());
        if (message.substr(0, end) == "READY=1") is_ready = true;
        message.remove_prefix(std::min(end + 1, message.size()));
      }
      if (is_ready && sender > 0) {
        std::lock_guard lock(mu);
        ready.insert(sender);
        cv.notify_all();
      }
    }
  }

  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable cv;
  std::set<pid_t> ready;  // the processes that sent READY=1
  std::thread reader;
};

DaemonProcess::DaemonProcess(Options options) : options_(std::move(options)) {
  bool own_notify = false;
  for (const std::string& e : options_.env) own_notify |= e.rfind("NOTIFY_SOCKET=", 0) == 0;
  if (!own_notify) notify_ = std::make_unique<Notify>();
  ::mkdir(options_.state_dir.c_str(), 0700);
  socket_ = options_.socket_path.empty() ? options_.state_dir + "/run/activad.sock"
                                         : options_.socket_path;
  std::ofstream(options_.state_dir + "/activa.toml")
      << "[daemon]\njournal = false\nmachine_name = \"" << options_.machine_name << "\"\n"
      << options_.daemon_config << "[host]\nlisten = [\"127.0.0.1\"]\nport = " << options_.port
      << "\n"
      << "idle_timeout_seconds = " << options_.idle_timeout_seconds << "\n"
      << options_.host_config
      << "[client]\nconnect_timeout_seconds = 2\nresponse_timeout_seconds = 5\n"
      << options_.extra_config;
  // A configuration may hold a TSIG secret: activad refuses one that others
  // can read.
  ::chmod((options_.state_dir + "/activa.toml").c_str(), 0600);
  if (options_.trust_dir.empty()) {
    options_.trust_dir = options_.state_dir + "/trusted-vendors.d";
    ::mkdir(options_.trust_dir.c_str(), 0755);
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(options_.catalog_dir, ec)) {
      Result<std::string> text = ReadFile(f.path().string());
      Result<Catalog> c = text.ok() ? LoadCatalog(*text) : Result<Catalog>(text.status());
      if (!c.ok()) continue;
      std::ofstream(options_.trust_dir + "/" + f.path().stem().string() + ".trust")
          << FormatTrustFile(c->vendor_keys.front(), c->vendor_name);
    }
  }
  Start();
}

DaemonProcess::~DaemonProcess() { Stop(); }

void DaemonProcess::Start() {
  bound_port_ = 0;
  std::string config = options_.state_dir + "/activa.toml";
  std::vector<std::string> args = {ACTIVAD_BIN,          "--config",         config,
                                   "--state-dir",        options_.state_dir, "--catalog-dir",
                                   options_.catalog_dir, "--socket",         socket_,
                                   "--trusted-vendors",  options_.trust_dir};
  if (options_.listen_fds.empty()) {
    args.insert(args.begin(), options_.command_prefix.begin(), options_.command_prefix.end());
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::string log = options_.state_dir + "/activad.log";
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // The daemons of a test talk to loopback only: a proxy set for the
  // machine (https_proxy and its kin) must not carry their HTTPS away.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view v(*e);
    std::string name(v.substr(0, v.find('=')));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "https_proxy" || name == "http_proxy" || name == "all_proxy" ||
        name == "no_proxy") {
      continue;
    }
    env_strings.emplace_back(v);
  }
  for (const std::string& e : options_.env) env_strings.push_back(e);
  if (notify_) env_strings.push_back("NOTIFY_SOCKET=" + notify_->name);
  if (!options_.listen_fds.empty()) {
    std::string names;
    for (std::size_t i = 0; i < options_.listen_fds.size(); ++i)
      names += i ? ":activad" : "activad";
    env_strings.push_back("LISTEN_FDS=" + std::to_string(options_.listen_fds.size()));
    env_strings.push_back("LISTEN_FDNAMES=" + names);
    env_strings.push_back("LISTEN_PID=");  // completed in the child
  }
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  // The child inherits this process's limits: lowered for the spawn alone
  // (a soft limit may be raised again up to the hard one).
  rlimit own{};
  ::getrlimit(RLIMIT_NOFILE, &own);
  if (options_.start_soft_nofile != 0) {
    rlimit lowered = own;
    lowered.rlim_cur = static_cast<rlim_t>(options_.start_soft_nofile);
    ::setrlimit(RLIMIT_NOFILE, &lowered);
  }
  if (options_.listen_fds.empty()) {
    int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start activad");
  } else {
    // LISTEN_PID must be the daemon's own pid: fork, then exec.
    posix_spawn_file_actions_destroy(&actions);
    // Out of the way of 3, 4, ... first (the child moves them into place).
    std::vector<int> high;
    for (int fd : options_.listen_fds) high.push_back(::fcntl(fd, F_DUPFD_CLOEXEC, 100));
    char pid_text[32] = {};
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls from here on.
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      ::dup2(out, 1);
      ::dup2(out, 2);
      for (std::size_t i = 0; i < high.size(); ++i) ::dup2(high[i], 3 + static_cast<int>(i));
      int pid = static_cast<int>(::getpid());
      char digits[16];
      int n = 0;
      do {
        digits[n++] = static_cast<char>('0' + pid % 10);
        pid /= 10;
      } while (pid > 0);
      std::memcpy(pid_text, "LISTEN_PID=", 11);
      for (int i = 0; i < n; ++i) pid_text[11 + i] = digits[n - 1 - i];
      envp[envp.size() - 2] = pid_text;
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    for (int fd : high) ::close(fd);
    if (pid_ < 0) throw std::runtime_error("cannot start activad");
  }
  if (options_.start_soft_nofile != 0) ::setrlimit(RLIMIT_NOFILE, &own);
  if (options_.nofile_limit != 0) {
    rlimit limit{static_cast<rlim_t>(options_.nofile_limit),
                 static_cast<rlim_t>(options_.nofile_limit)};
    if (::prlimit(pid_, RLIMIT_NOFILE, &limit, nullptr) != 0) {
      throw std::runtime_error(std::string("prlimit: ") + std::strerror(errno));
    }
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (notify_) {
      if (notify_->WaitReady(pid_, std::chrono::milliseconds(20))) return;
    } else {
      int fd = ConnectUnix(socket_);
      if (fd >= 0) {
        ::close(fd);
        return;
      }
    }
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("activad exited at start; see " + log);
    }
    if (!notify_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error(notify_ ? "activad did not say READY=1 within 30 s; see " + log
                                   : "activad did not open its socket within 30 s; see " + log);
}

void DaemonProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void DaemonProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

boost::json::object DaemonProcess::Call(const boost::json::object& request) {
  if (const boost::json::value* op = request.if_contains("op");
      op != nullptr && op->is_string() &&
      (op->as_string() == "ipk" || op->as_string() == "upk" || op->as_string() == "sprt")) {
    bound_port_ = 0;
  }
  Result<std::string> reply =
      net::CallUnixSocket(socket_, boost::json::serialize(request), std::chrono::seconds(120));
  if (!reply.ok()) throw std::runtime_error(reply.status().ToString());
  return boost::json::parse(*reply).as_object();
}

std::uint16_t DaemonProcess::port() {
  if (bound_port_ != 0) return bound_port_;
  boost::json::object dli = Call({{"op", "dli"}});
  const boost::json::value* host = dli.if_contains("host");
  const boost::json::value* port =
      host != nullptr && host->is_object() ? host->as_object().if_contains("port") : nullptr;
  if (port == nullptr || !port->is_number() || port->to_number<std::int64_t>() == 0) {
    throw std::runtime_error("activad in " + options_.state_dir +
                             " does not listen (no host key?): " + boost::json::serialize(dli));
  }
  bound_port_ = port->to_number<std::uint16_t>();
  return bound_port_;
}

std::uint32_t DaemonProcess::ResultOf(const boost::json::object& response) {
  return static_cast<std::uint32_t>(response.at("result").to_number<std::uint64_t>());
}

Result<Message> SendActivation(std::uint16_t port, const ActivationRequest& request) {
  int fd = ConnectTcp(port);
  if (fd < 0) return Status(ResultCode::kNoHostReachable, "connect failed");
  Bytes frame = EncodeRequest(request);
  Bytes whole(kFrameHeaderSize);
  if (!WriteAll(fd, frame.data(), frame.size()) ||
      !ReadExactly(fd, whole.data(), kFrameHeaderSize)) {
    ::close(fd);
    return Status(ResultCode::kNoHostReachable, "no answer");
  }
  Result<FrameHeader> h = DecodeFrameHeader(whole);
  if (!h.ok()) {
    ::close(fd);
    return h.status();
  }
  whole.resize(kFrameHeaderSize + h->body_length);
  bool ok = ReadExactly(fd, whole.data() + kFrameHeaderSize, h->body_length);
  ::close(fd);
  if (!ok) return Status(ResultCode::kNoHostReachable, "answer cut short");
  return DecodeFrame(whole);
}

Bytes SendRaw(std::uint16_t port, const Bytes& bytes, int timeout_ms) {
  int fd = ConnectTcp(port);
  if (fd < 0) return {};
  WriteAll(fd, bytes.data(), bytes.size());
  Bytes out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    std::uint8_t buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

}  // namespace activa::testing
