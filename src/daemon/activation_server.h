// The host's activation listener (DESIGN.md section 4): the TCP sockets on
// the configured addresses, one coroutine per connection (its idle deadline
// in its event loop's IdleList, not a timer of its own), and the commit
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
// Event loops (`[host] io_threads`): the daemon's own (`io`, the main loop)
// and io_threads - 1 more, each on a thread of its own. The listeners
// accept on the main loop and hand each connection to the next loop in
// turn, so the connection limits are counted in one place; a loop reads,
// decodes and writes its connections' frames. Every decision (Admit, the
// new-client limiter, the commit queue, RespondBatch, refusals, metrics)
// is posted to the main loop, one post per request, so the host's state
// stays single-threaded as the rest of the daemon expects.
//
// Thread safety: the public methods on the main loop's thread only (the
// commit queue's writer runs on the queue's own thread, the other loops on
// theirs).
#ifndef ACTIVA_DAEMON_ACTIVATION_SERVER_H_
#define ACTIVA_DAEMON_ACTIVATION_SERVER_H_

#include <atomic>
#include <boost/asio.hpp>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <thread>
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
  struct Decision;
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
  // On the main loop: what `request` from `peer` gets, once its record is
  // durable when it has one.
  boost::asio::awaitable<Decision> Decide(ActivationRequest request, boost::asio::ip::address peer);
  // The loop the next connection goes to.
  Loop& NextLoop();
  void StartLoops();
  void Refused(const boost::asio::ip::address& peer, const Status& why);
  // Refused() from a connection of `loop`, on the main loop.
  void RefusedOnMain(Loop& loop, const boost::asio::ip::address& peer, const Status& why);
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
  // loops_[0] is the main loop; the others run on threads_.
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<std::thread> threads_;
  std::size_t next_loop_ = 0;
  // config().idle_timeout_seconds, for the other loops (Rebind() updates it
  // after a reload).
  std::atomic<int> idle_timeout_seconds_;
  InheritedSockets* inherited_ = nullptr;
  std::size_t connections_ = 0;
  // Open connections by source address; an address leaves the map with its
  // last connection, so it holds at most max_connections entries.
  std::map<boost::asio::ip::address, std::size_t> connections_by_address_;
  NewClientLimiter new_clients_;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_ACTIVATION_SERVER_H_
