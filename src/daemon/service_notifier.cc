#include "daemon/service_notifier.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <utility>

#include "daemon/log.h"

namespace activa {
namespace {
using std::chrono::steady_clock;

// How often a host's status is looked at: a change shows within a second,
// and never more than one STATUS= a second goes out.
constexpr auto kStatusPeriod = std::chrono::seconds(1);
}  // namespace

ServiceNotifier::ServiceNotifier(boost::asio::io_context& io, std::function<std::string()> status,
                                 std::function<bool()> polls)
    : timer_(io), status_(std::move(status)), polls_(std::move(polls)) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && *socket != '\0';
  if (!active_) return;
  std::uint64_t usec = 0;
  // > 0 only when WATCHDOG_USEC is set for this process (WATCHDOG_PID).
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    // Half the interval, as sd_watchdog_enabled(3) advises.
    watchdog_period_ = std::chrono::microseconds(usec / 2);
  }
}

void ServiceNotifier::Send(const std::string& text) {
  int r = sd_notify(0, text.c_str());
  if (r < 0) LogWarning("sd_notify failed: " + std::to_string(-r));
}

void ServiceNotifier::Ready() {
  if (!active_) return;
  last_status_ = status_();
  Send("READY=1\nSTATUS=" + last_status_);
  if (std::exchange(started_, true)) return;
  if (watchdog_period_ != steady_clock::duration::zero()) {
    Send("WATCHDOG=1");
    next_ping_ = steady_clock::now() + watchdog_period_;
  }
  Tick();
}

void ServiceNotifier::Reloading() {
  if (!active_) return;
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const std::uint64_t usec = static_cast<std::uint64_t>(ts.tv_sec) * 1000000u +
                             static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
  Send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) +
       "\nSTATUS=reloading the configuration and catalogs");
}

void ServiceNotifier::Stopping() {
  if (!active_) return;
  timer_.cancel();
  started_ = false;  // no more looks
  Send("STOPPING=1\nSTATUS=stopping");
}

void ServiceNotifier::SendStatusIfChanged() {
  std::string status = status_();
  if (status != last_status_) {
    last_status_ = std::move(status);
    Send("STATUS=" + last_status_);
  }
}

void ServiceNotifier::Refresh() {
  if (!active_ || !started_) return;
  SendStatusIfChanged();
  // A client just became a host: its once-a-second look starts now (Tick
  // sets the timer again, which cancels a watchdog-only wait).
  if (!polling_ && polls_()) Tick();
}

// Runs on the event loop: a loop that is stuck sends no WATCHDOG=1, and
// systemd restarts the daemon.
void ServiceNotifier::Tick() {
  const steady_clock::time_point now = steady_clock::now();
  SendStatusIfChanged();
  std::optional<steady_clock::duration> wait;
  polling_ = polls_();
  if (polling_) wait = std::chrono::duration_cast<steady_clock::duration>(kStatusPeriod);
  if (watchdog_period_ != steady_clock::duration::zero()) {
    if (now >= next_ping_) {
      Send("WATCHDOG=1");
      next_ping_ = now + watchdog_period_;
    }
    wait = std::min(wait.value_or(steady_clock::duration::max()), next_ping_ - now);
  }
  // Neither a host's status nor a watchdog to keep: no timer at all.
  if (!wait) return;
  timer_.expires_after(*wait);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && started_) Tick();
  });
}

}  // namespace activa
