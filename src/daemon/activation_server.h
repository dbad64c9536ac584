// The host's activation listener (DESIGN.md section 4): the TCP sockets on
// the configured addresses, one coroutine per connection (its idle deadline
// in the event loop's IdleList, not a timer of its own), and the commit
// queue that makes each client's record durable before its answer is sent
// (section 9). Frames it refuses are logged through a RefusalLog.
//
// Per source address it bounds the connections held at once
// (`max_connections_per_address`) and the new client machines introduced per
// minute (`max_new_clients_per_minute`, through a NewClientLimiter). The
// commit thread also deletes client records unseen for longer than the count
// window plus `keep_clients_days`, at most hourly.
//
// This header includes Boost.Asio, which is heavy: only daemon.cc includes
// it.
//
// Lifetime: `io` and `core` must outlive the server. The destructor writes
// the summary of refusals that were only counted so far, then everything
// the commit queue has gathered, and joins its thread; destroy the server
// once the event loop has stopped.
//
// Thread safety: the event loop's thread only (the commit queue's writer
// runs on the queue's own thread).
#ifndef ACTIVA_DAEMON_ACTIVATION_SERVER_H_
#define ACTIVA_DAEMON_ACTIVATION_SERVER_H_

#include <boost/asio.hpp>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "daemon/daemon_core.h"
#include "daemon/daemon_metrics.h"
#include "daemon/inherited_sockets.h"
#include "daemon/state_store.h"
#include "host/commit_queue.h"
#include "host/new_client_limiter.h"
#include "host/refusal_log.h"

namespace activa {

class ActivationServer {
 public:
  // Called when a listener's coroutine ends with an exception; the daemon
  // cannot go on without it.
  using FatalError = std::function<void(std::string_view what, std::exception_ptr)>;

  // `commit_store` is a second connection to the state database, used on
  // the commit queue's thread only. With `journal`, every event written is
  // sent to the journal too. With `metrics` (which must outlive the
  // server), requests, connections and commits are counted there, and
  // Rebind() reports to its readiness what could not be bound.
  ActivationServer(boost::asio::io_context& io, DaemonCore& core, StateStore commit_store,
                   bool journal, FatalError fatal, DaemonMetrics* metrics = nullptr);
  ~ActivationServer();
  ActivationServer(const ActivationServer&) = delete;
  ActivationServer& operator=(const ActivationServer&) = delete;

  // Closes the listeners and, when a host key is installed, listens again
  // on every address of config().listen at host().port; with port 0 the
  // kernel chooses one, which is stored in host().port. An error when no
  // address could be bound; a warning in the log when only some could.
  // A listening socket from `inherited` (socket activation) that matches
  // an address and the port is used instead of binding a new one.
  Status Rebind();

  // The sockets systemd passed; null (the default) for none. Must outlive
  // the server.
  void set_inherited(InheritedSockets* inherited) { inherited_ = inherited; }

  // Writes the summary of a flood of refused frames that has stopped
  // (RefusalLog::Flush); call it every minute or so.
  void FlushRefusals();

 private:
  using tcp = boost::asio::ip::tcp;
  using TimePoint = std::chrono::steady_clock::time_point;
  struct PendingCommit;
  struct Loop;
  struct Connection;
  // A batch's completion: on OK answers its requests (one signature).
  void Answered(PendingCommit& commit, const Status& status);

  boost::asio::awaitable<void> Accept(std::shared_ptr<tcp::acceptor> acceptor);
  bool Allowed(const boost::asio::ip::address& a) const;
  // Counts a connection from `a`; false (counting nothing) when `a` holds
  // max_connections_per_address already. Release() undoes an admitted one.
  bool AdmitConnection(const boost::asio::ip::address& a);
  void ReleaseConnection(const boost::asio::ip::address& a);
  // Applies max_new_clients_per_minute to a request for a machine the count
  // does not hold yet; false when it is refused (and logged once).
  bool AdmitNewClient(const boost::asio::ip::address& source,
                      const RequestHandler::Admission& admission);
  std::chrono::steady_clock::duration IdleTimeout() const;
  // Moves the connection's idle deadline to a full timeout from now, and
  // starts the loop's tick if it was at rest.
  void Touch(Loop& loop, Connection& c);
  void ArmTick(Loop& loop);
  // Closes the loop's connections whose deadline has passed, a slice at a
  // time.
  void CloseExpired(Loop& loop);
  boost::asio::awaitable<void> Serve(Loop& loop, tcp::socket socket, boost::asio::ip::address peer);
  void Refused(const boost::asio::ip::address& peer, const Status& why);
  boost::asio::awaitable<bool> SendError(tcp::socket& socket, const Status& status);
  void AddEvent(Event e);

  boost::asio::io_context& io_;
  DaemonCore& core_;
  FatalError fatal_;
  DaemonMetrics* metrics_;  // may be null
  std::unique_ptr<CommitQueue> commits_;
  // What the requests of the batch now gathering wait on (one per batch).
  std::shared_ptr<PendingCommit> waiter_;
  std::uint64_t waiter_batch_ = 0;
  RefusalLog refusals_;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
  std::unique_ptr<Loop> loop_;  // the event loop's connections
  InheritedSockets* inherited_ = nullptr;
  std::size_t connections_ = 0;
  // Open connections by source address; an address leaves the map with its
  // last connection, so it holds at most max_connections entries.
  std::map<boost::asio::ip::address, std::size_t> connections_by_address_;
  NewClientLimiter new_clients_;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_ACTIVATION_SERVER_H_
