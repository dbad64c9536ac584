// What activad tells systemd (sd_notify(3); Type=notify in
// packaging/activad.service.in): READY=1 once the state is loaded and every
// listener is bound, RELOADING=1 ... READY=1 around a SIGHUP reload,
// STOPPING=1, a STATUS= line whenever it changed, and WATCHDOG=1 from the
// event loop at half the interval systemd asks for (WatchdogSec=), so a
// stuck loop gets the daemon restarted.
//
// The status is looked at on Refresh() (the daemon calls it after each
// management request), and once a second while `polls` says so: a host's
// counts move with every request it answers, and no event says so. A
// client's status changes only through management requests, so an idle
// client wakes for the watchdog alone (docs/performance.md, "The client
// daemon at rest").
//
// Without NOTIFY_SOCKET (started by hand, by the tests) every call does
// nothing and no timer runs.
//
// This header includes Boost.Asio: only daemon.cc includes it.
//
// Thread safety: the event loop's thread only. `io` must outlive it.
#ifndef ACTIVA_DAEMON_SERVICE_NOTIFIER_H_
#define ACTIVA_DAEMON_SERVICE_NOTIFIER_H_

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <string>

namespace activa {

class ServiceNotifier {
 public:
  // `status` gives the STATUS= text (service_status.h); it is called on the
  // event loop, once a second at most while `polls` returns true, and on
  // Refresh().
  ServiceNotifier(boost::asio::io_context& io, std::function<std::string()> status,
                  std::function<bool()> polls);
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  // Whether systemd (or a test) listens.
  bool active() const { return active_; }

  // READY=1 with the status; the first call also starts the status and
  // watchdog timer.
  void Ready();
  // RELOADING=1 (with MONOTONIC_USEC, as systemd 253 asks); Ready() ends it.
  void Reloading();
  void Stopping();
  // Sends the status if it changed; starts the once-a-second look if
  // `polls` now says so (a client that became a host). After Ready().
  void Refresh();

 private:
  void Tick();
  // Sends STATUS= when the text changed.
  void SendStatusIfChanged();
  void Send(const std::string& text);

  boost::asio::steady_timer timer_;
  bool polling_ = false;  // the last Tick() set the once-a-second look
  std::function<std::string()> status_;
  std::function<bool()> polls_;
  bool active_ = false;
  bool started_ = false;
  std::string last_status_;
  // Zero without a watchdog.
  std::chrono::steady_clock::duration watchdog_period_{};
  std::chrono::steady_clock::time_point next_ping_{};
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_SERVICE_NOTIFIER_H_
