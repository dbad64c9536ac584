// Fault: SIGKILL of a host at a random moment under load
// (docs/reliability.md). Rounds alternate keep-alive clients (many requests
// on one connection) and a connection per request. What must hold: every
// client the host answered with its signature is in the count after the
// restart. The restart time is printed for the record; it is not asserted.
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "faults/fault_fixture.h"

namespace activa::faults {
namespace {

using testing::DaemonProcess;

class FaultSigkillTest : public FaultTest {};

TEST_F(FaultSigkillTest, EveryAnsweredClientIsCountedAfterAKill) {
  const int kills = Scale(4, 100);
  DaemonProcess::Options o = Options("host");
  auto host = ActivatedHost(o);
  std::mt19937 rng(std::random_device{}());
  std::set<std::string> answered;  // over all rounds
  double restart_total = 0;
  std::uint64_t lost = 0;
  for (int round = 0; round < kills; ++round) {
    const bool keep_alive = round % 2 == 0;
    const std::uint16_t port = host->port();  // before the threads
    std::mutex mu;
    std::atomic<int> responses{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> senders;
    for (int t = 0; t < 4; ++t) {
      senders.emplace_back([&] {
        std::unique_ptr<Connection> c;
        while (!stop) {
          ActivationRequest r = NewMachine();
          bool ok = false;
          if (keep_alive) {
            if (!c || !c->connected()) c = std::make_unique<Connection>(port);
            Result<Message> m = c->connected() && c->Send(EncodeRequest(r))
                                    ? c->Receive()
                                    : Result<Message>(Status(ResultCode::kNoHostReachable, ""));
            if (!m.ok()) break;  // the host is gone
            ok = std::holds_alternative<ActivationResponse>(*m);
          } else {
            Result<Message> m = testing::SendActivation(port, r);
            if (!m.ok()) break;
            ok = std::holds_alternative<ActivationResponse>(*m);
          }
          if (!ok) continue;
          std::lock_guard lock(mu);
          answered.insert(FormatUuid(r.cmid));
          ++responses;
        }
      });
    }
    // A random moment: after some tens to a few hundred answers.
    const int wait_for = std::uniform_int_distribution<int>(20, 300)(rng);
    while (responses < wait_for) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(
        std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(rng)));
    host->Kill();
    stop = true;
    for (auto& t : senders) t.join();
    auto start = std::chrono::steady_clock::now();
    host->Start();
    restart_total +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::set<std::string> stored = StoredClients(*host);
    for (const std::string& cmid : answered) {
      if (!stored.contains(cmid)) {
        ++lost;
        ADD_FAILURE() << cmid << " was answered but not kept (round " << round << ")";
      }
    }
    EXPECT_EQ(Count(*host), static_cast<int>(stored.size()));
  }
  std::printf(
      "%d kills (keep-alive and per-request alternating), %zu answered clients, %llu "
      "lost; restart %.2f s on average at up to %zu clients\n",
      kills, answered.size(), static_cast<unsigned long long>(lost), restart_total / kills,
      answered.size());
}

}  // namespace
}  // namespace activa::faults
