#include "faults/fault_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "base/file_util.h"
#include "crypto/signing.h"

namespace activa::faults {

namespace json = boost::json;
using testing::DaemonProcess;

bool FullRun() {
  const char* v = std::getenv("ACTIVA_FAULTS_FULL");
  return v != nullptr && std::string(v) == "1";
}

int Scale(int bounded, int full) { return FullRun() ? full : bounded; }

std::uint64_t RssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

std::uint64_t CpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name may hold spaces: fields are counted after its ')'.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string f;
  std::uint64_t utime = 0, stime = 0;
  for (int i = 3; fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) {
      stime = std::stoull(f);
      break;
    }
  }
  return utime + stime;
}

double CpuShare(pid_t pid, double seconds) {
  const std::uint64_t before = CpuTicks(pid);
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const std::uint64_t after = CpuTicks(pid);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(after - before) / static_cast<double>(::sysconf(_SC_CLK_TCK)) / wall;
}

int OpenDescriptors(pid_t pid) {
  int n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

Connection::Connection(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool Connection::Send(const Bytes& bytes) {
  const std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  while (n > 0) {
    ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

namespace {

bool ReadExactly(int fd, std::uint8_t* out, std::size_t n, int timeout_ms) {
  while (n > 0) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return false;
    ssize_t r = ::recv(fd, out, n, 0);
    if (r <= 0) return false;
    out += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

}  // namespace

Result<Message> Connection::Receive(int timeout_ms) {
  Bytes whole(kFrameHeaderSize);
  if (fd_ < 0 || !ReadExactly(fd_, whole.data(), kFrameHeaderSize, timeout_ms)) {
    return Status(ResultCode::kNoHostReachable, "no answer");
  }
  Result<FrameHeader> h = DecodeFrameHeader(whole);
  if (!h.ok()) return h.status();
  whole.resize(kFrameHeaderSize + h->body_length);
  if (!ReadExactly(fd_, whole.data() + kFrameHeaderSize, h->body_length, timeout_ms)) {
    return Status(ResultCode::kNoHostReachable, "answer cut short");
  }
  return DecodeFrame(whole);
}

bool Connection::ClosedByHost(int timeout_ms) {
  if (fd_ < 0) return true;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) != 1) return false;
  std::uint8_t b;
  return ::recv(fd_, &b, 1, 0) <= 0;
}

void FaultTest::SetUp() {
  // Some faults hold thousands of connections: this process's soft limit
  // (often 1,024) goes up to the hard one. The daemons inherit it, as a
  // unit's LimitNOFILE= would give it to activad.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  ASSERT_TRUE(Vendor::Init(dir_ / "vendor", "Example").ok());
  Result<Vendor> v = Vendor::Open(dir_ / "vendor");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  vendor_.emplace(std::move(v).value());
  std::filesystem::create_directories(dir_ / "catalogs");
  ASSERT_TRUE(
      WriteFileAtomic(dir_ / ("catalogs/catalog-" + vendor_->catalog().vendor_name + ".json"),
                      *vendor_->SignedCatalog(::time(nullptr)), 0644, true)
          .ok());
}

DaemonProcess::Options FaultTest::Options(const std::string& name) {
  DaemonProcess::Options o;
  o.state_dir = dir_ / name;
  o.catalog_dir = dir_ / "catalogs";
  o.machine_name = name;
  // The suite introduces thousands of new machines from 127.0.0.1: the
  // per-address limit on them is another test's subject.
  o.host_config = "max_new_clients_per_minute = 1000000\n";
  return o;
}

std::unique_ptr<DaemonProcess> FaultTest::ActivatedHost(DaemonProcess::Options o) {
  auto host = std::make_unique<DaemonProcess>(o);
  Result<MintedKey> key =
      vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, ::time(nullptr));
  if (!key.ok()) throw std::runtime_error(key.status().ToString());
  json::object ipk = host->Call({{"op", "ipk"}, {"key", key->text}});
  if (Ok(ipk) != 0) throw std::runtime_error("ipk: " + json::serialize(ipk));
  json::object dti = host->Call({{"op", "dti"}});
  if (!dti.contains("installation_id")) {
    throw std::runtime_error("dti failed: " + json::serialize(dti));
  }
  Result<std::string> cid =
      vendor_->Confirm(std::string(dti.at("installation_id").as_string()), ::time(nullptr));
  if (!cid.ok()) throw std::runtime_error(cid.status().ToString());
  json::object atp = host->Call({{"op", "atp"}, {"confirmation_id", *cid}});
  if (Ok(atp) != 0) throw std::runtime_error("atp: " + json::serialize(atp));
  return host;
}

ActivationRequest FaultTest::NewMachine() const {
  const Edition& e = edition();
  ActivationRequest r;
  RandomBytes(r.cmid);
  RandomBytes(r.nonce);
  r.application_id = e.application_id;
  r.sku_id = e.id;
  r.machine_name = "fault";
  r.license_state = LicenseState::kInitialGrace;
  r.required_count = static_cast<std::uint16_t>(e.threshold);
  r.client_time = ::time(nullptr);
  return r;
}

int FaultTest::Count(DaemonProcess& host) {
  json::object dli = host.Call({{"op", "dli"}});
  const json::array& counts = dli.at("host").at("counts").as_array();
  return counts.empty() ? 0 : counts[0].at("count").to_number<int>();
}

std::set<std::string> FaultTest::StoredClients(DaemonProcess& host) {
  std::set<std::string> out;
  json::value after = nullptr;
  for (int pages = 0; pages < 100000; ++pages) {
    json::object request{{"op", "dlc"}, {"first", 500}};
    if (!after.is_null()) request["after"] = after;
    json::object dlc = host.Call(request);
    if (Ok(dlc) != 0) throw std::runtime_error("dlc: " + json::serialize(dlc));
    for (const json::value& c : dlc.at("clients").as_array()) {
      out.insert(std::string(c.at("cmid").as_string()));
    }
    after = dlc.at("next_after");
    if (after.is_null()) break;
  }
  return out;
}

ResultCode FaultTest::ResultOf(const Message& m) {
  if (const auto* r = std::get_if<ActivationResponse>(&m)) return r->result;
  return std::get<ErrorMessage>(m).result;
}

}  // namespace activa::faults
