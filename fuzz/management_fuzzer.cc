// Fuzz target for the daemon's management requests (docs/management.md):
// any local user may send them, so DaemonCore::Execute must answer every
// byte string with one well-formed JSON response line and never crash.
// Requests run as a non-administrator, as most of that untrusted traffic
// would; the parsing is the same for administrators.
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "daemon/daemon_core.h"
#include "base/clock.h"

namespace {

activa::DaemonCore& Core() {
  static activa::FakeClock clock(1795000000);
  static activa::RealSystem system(clock);
  static std::unique_ptr<activa::DaemonCore> core = [] {
    std::string dir = (std::filesystem::temp_directory_path() / "activa-fuzz-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) std::abort();
    activa::DaemonPaths paths;
    paths.state_dir = dir + "/state";
    paths.catalog_dir = dir + "/catalogs";
    activa::DaemonConfig config;
    config.journal = false;
    auto c = activa::DaemonCore::Open(paths, config, system);
    if (!c.ok()) std::abort();
    return std::move(c).value();
  }();
  return *core;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view request(reinterpret_cast<const char*>(data), size);
  std::string line = Core().Execute(request, /*admin=*/false);
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  if (ec || !v.is_object() || !v.as_object().contains("result")) std::abort();
  return 0;
}
