// Fuzz target for the daemon's management requests (docs/management.md):
// any local user may send them, so the daemon's management::Service must
// answer every byte string with one well-formed JSON response line and
// never crash. The first byte picks the peer: odd bytes run the rest as an
// administrator, so the arguments of every changing operation are parsed
// and acted on too (a standard user is refused before that), even bytes as
// a standard user.
//
// The daemon's core lives in memory (a FakeSystem and an in-memory state),
// so state that earlier inputs left behind is part of what is fuzzed.
#include <boost/json.hpp>
#include <cstdlib>
#include <string_view>

#include "base/fake_system.h"
#include "daemon/daemon_core.h"
#include "daemon/management_service.h"

namespace {

activa::ManagementService& Service() {
  static activa::FakeSystem system(1795000000);
  static std::unique_ptr<activa::DaemonCore> core = [] {
    activa::DaemonPaths paths;
    paths.state_dir = "/state";
    paths.catalog_dir = "/catalogs";
    activa::DaemonConfig config;
    config.journal = false;
    auto store = activa::StateStore::Open(":memory:");
    if (!store.ok()) std::abort();
    auto c = activa::DaemonCore::OpenWithStore(paths, config, system, std::move(store).value());
    if (!c.ok()) std::abort();
    return std::move(c).value();
  }();
  // ato's attempts need the network: they fail at once here.
  static activa::ManagementService service(
      *core, [](std::vector<activa::Uuid> products,
                std::function<void(std::vector<activa::AttemptReport>)> done) {
        done(std::vector<activa::AttemptReport>(
            products.size(),
            activa::AttemptReport{activa::ResultCode::kNoHostReachable, "no host", {}}));
      });
  return service;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  activa::management::Peer peer;
  peer.admin = (data[0] & 1) != 0;
  std::string_view request(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string line = Service().HandleLine(request, peer);
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  if (ec || !v.is_object() || !v.as_object().contains("result")) std::abort();
  return 0;
}
