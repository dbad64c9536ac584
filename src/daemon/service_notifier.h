// What activad tells systemd (sd_notify(3); Type=notify in
// packaging/activad.service.in): READY=1 once the state is loaded and every
// listener is bound, RELOADING=1 ... READY=1 around a SIGHUP reload,
// STOPPING=1, a STATUS= line whenever it changed (looked at once a second,
// so never more often), and WATCHDOG=1 from the event loop at half the
// interval systemd asks for (WatchdogSec=), so a stuck loop gets the
// daemon restarted.
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
  // event loop, once a second at most.
  ServiceNotifier(boost::asio::io_context& io, std::function<std::string()> status);
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

 private:
  void Tick();
  void Send(const std::string& text);

  boost::asio::steady_timer timer_;
  std::function<std::string()> status_;
  bool active_ = false;
  bool started_ = false;
  std::string last_status_;
  // Zero without a watchdog.
  std::chrono::steady_clock::duration watchdog_period_{};
  std::chrono::steady_clock::time_point next_ping_{};
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_SERVICE_NOTIFIER_H_
