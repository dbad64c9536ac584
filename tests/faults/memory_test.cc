// Fault: frames that announce a large body and send none of it
// (docs/reliability.md). Before: the host allocated the announced 65,524
// bytes at the header, so 1,666 such connections grew it by 108 MB. What
// must hold: memory follows the bytes received, and the host still serves.
#include <chrono>
#include <thread>

#include "faults/fault_fixture.h"

namespace activa::faults {
namespace {

using testing::DaemonProcess;

class FaultMemoryTest : public FaultTest {};

TEST_F(FaultMemoryTest, AnnouncedBodiesCostNoMemoryBeforeTheyArrive) {
  const int connections = Scale(1000, 1666);
  DaemonProcess::Options o = Options("host");
  o.idle_timeout_seconds = 120;  // they must stay while memory is measured
  o.host_config += "max_connections = 4000\nmax_connections_per_address = 4000\n";
  auto host = ActivatedHost(o);
  const std::uint16_t port = host->port();
  // A baseline with the connection machinery warm.
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(testing::SendActivation(port, NewMachine()).ok());
  const int fds_before = OpenDescriptors(host->pid());
  const std::uint64_t before = RssKiB(host->pid());

  // 65,524 bytes announced: the largest body a frame may have.
  const Bytes header = {'A', 'C', 'T', 'V', kProtocolVersion, 1, 0, 0, 0x00, 0x00, 0xFF, 0xF4};
  std::vector<std::unique_ptr<Connection>> held;
  for (int i = 0; i < connections; ++i) {
    auto c = std::make_unique<Connection>(port);
    ASSERT_TRUE(c->connected());
    ASSERT_TRUE(c->Send(header));
    held.push_back(std::move(c));
  }
  // Wait (bounded) until the daemon holds them all, then a little longer
  // for it to read their headers.
  // (A few of the baseline's descriptors may have been closing still.)
  const int expected = fds_before + connections - 8;
  for (int i = 0; i < 1000 && OpenDescriptors(host->pid()) < expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(OpenDescriptors(host->pid()), expected);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::uint64_t after = RssKiB(host->pid());
  const double per_connection = static_cast<double>(after - before) * 1024 / connections;
  std::printf("RSS %llu KiB -> %llu KiB with %d announced bodies: %.0f bytes each\n",
              static_cast<unsigned long long>(before), static_cast<unsigned long long>(after),
              connections, per_connection);
  // Generous: a connection's socket, coroutine and first piece of buffer
  // are a few KiB; 64 KiB each was the fault.
  EXPECT_LT(per_connection, 16 * 1024.0);

  // The host still serves meanwhile.
  Result<Message> m = testing::SendActivation(port, NewMachine());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(std::holds_alternative<ActivationResponse>(*m));
}

}  // namespace
}  // namespace activa::faults
