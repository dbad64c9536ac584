// Fault: floods of bad frames and of malformed management requests
// (docs/reliability.md). What must hold: the daemon keeps serving, its
// database keeps no more events than keep_events, and slmgr still answers.
// The good clients' rate with and without the flood is printed for the
// record (bench/run-flood.sh measures it properly); it is not asserted.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "faults/fault_fixture.h"
#include "storage/sqlite.h"

namespace activa::faults {
namespace {

using testing::DaemonProcess;

constexpr int kKeepEvents = 200;

class FaultFloodsTest : public FaultTest {
 protected:
  // Good answers per second over `n` requests, one connection each.
  double GoodRate(std::uint16_t port, int n) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      Result<Message> m = testing::SendActivation(port, NewMachine());
      EXPECT_TRUE(m.ok() && std::holds_alternative<ActivationResponse>(*m));
    }
    return n / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  static std::int64_t StoredEvents(const std::string& state_dir) {
    Result<Database> db = Database::Open(state_dir + "/activad.db", false);
    if (!db.ok()) return -1;
    Result<Statement> q = db->Prepare("SELECT COUNT(*) FROM events");
    if (!q.ok() || !q->Step().ok()) return -1;
    return q->Int(0);
  }
};

TEST_F(FaultFloodsTest, BadFramesAndBadManagementLinesLeaveTheHostServing) {
  DaemonProcess::Options o = Options("host");
  o.daemon_config = "keep_events = " + std::to_string(kKeepEvents) + "\n";
  auto host = ActivatedHost(o);
  const std::uint16_t port = host->port();
  const std::string socket = host->socket_path();
  const double alone = GoodRate(port, 200);

  const int frames = Scale(2000, 40000);
  std::atomic<bool> stop{false};
  std::vector<std::thread> flood;
  for (int t = 0; t < 3; ++t) {
    flood.emplace_back([&, t] {
      // Each kind the host must answer or drop: a wrong version, an
      // oversized length, a request header with a body that is junk, and
      // bytes that are not our protocol at all.
      const Bytes kinds[] = {
          {'A', 'C', 'T', 'V', 9, 1, 0, 0, 0, 0, 0, 0},
          {'A', 'C', 'T', 'V', kProtocolVersion, 1, 0, 0, 0x00, 0x01, 0x10, 0x00},
          {'A', 'C', 'T', 'V', kProtocolVersion, 1, 0, 0, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8},
          Bytes(16, 0x41)};
      for (int i = t; i < frames && !stop; i += 3) {
        Connection c(port);
        if (!c.connected()) continue;
        c.Send(kinds[i % 4]);
        (void)c.Receive(2000);
      }
    });
  }
  flood.emplace_back([&] {
    const std::string lines[] = {"not json\n", "{\"op\":\"no-such-op\"}\n", "[1,2,3]\n",
                                 "{\"op\":\"ipk\",\"key\":17}\n", std::string(70000, 'x') + "\n"};
    for (int i = 0; i < frames / 4 && !stop; ++i) {
      int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        const std::string& l = lines[i % 5];
        (void)::send(fd, l.data(), l.size(), MSG_NOSIGNAL);
        char buf[512];
        (void)::recv(fd, buf, sizeof buf, 0);
      }
      ::close(fd);
    }
  });
  const double flooded = GoodRate(port, 200);
  // slmgr answers during the flood too.
  EXPECT_EQ(Ok(host->Call({{"op", "dli"}})), 0u);
  for (auto& t : flood) t.join();
  std::printf("good clients: %.0f answers/s alone, %.0f during the flood (%.2fx)\n", alone, flooded,
              alone / flooded);

  Result<Message> m = testing::SendActivation(port, NewMachine());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(std::holds_alternative<ActivationResponse>(*m));
  host->Stop();  // every event written
  const std::int64_t events = StoredEvents(host->state_dir());
  EXPECT_GE(events, 0);
  EXPECT_LE(events, kKeepEvents);
}

}  // namespace
}  // namespace activa::faults
