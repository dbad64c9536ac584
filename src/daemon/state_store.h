// The daemon's state database (DESIGN.md section 9): STATE_DIR/activad.db,
// SQLite in WAL mode with versioned migrations.
//
// It holds what slmgr sets (settings), the installed products and their
// license state, the timers of removed editions, the latest time the client
// has seen, the host's installed key and certificate, the host's client
// records and request counters, and the event log. One StateStore is one
// connection, used from one thread; the daemon opens a second one for the
// thread that commits client records in batches.
#ifndef ACTIVA_DAEMON_STATE_STORE_H_
#define ACTIVA_DAEMON_STATE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/event.h"
#include "base/status.h"
#include "base/uuid.h"
#include "keys/product_key.h"
#include "client/product_record.h"
#include "daemon/settings.h"
#include "host/client_entry.h"
#include "host/host_policy.h"
#include "storage/sqlite.h"

namespace activa {

class StateStore : public ProductStore, public SettingsStore {
 public:
  static Result<StateStore> Open(const std::string& path);

  // Moving leaves the prepared statements behind: they belong to the
  // connection's old owner object and are re-prepared on first use.
  StateStore(StateStore&& other) noexcept : db_(std::move(other.db_)) {}
  StateStore& operator=(StateStore&&) = delete;

  Result<std::optional<std::string>> GetSetting(std::string_view key) override;
  Status SetSetting(std::string_view key, std::string_view value) override;
  Status DeleteSetting(std::string_view key) override;

  Result<std::vector<ProductRecord>> LoadProducts();
  Status SaveProduct(const ProductRecord& product) override;
  Status RemoveProduct(const EditionTimers& kept) override;
  Result<std::optional<EditionTimers>> LoadEditionTimers(const Uuid& sku_id) override;
  // All zero when never saved.
  Result<LicenseClock> LoadLicenseClock();
  Status SaveLicenseClock(const LicenseClock& clock) override;

  Result<std::vector<ClientEntry>> LoadClients();
  // One transaction: the client records (upserted; `requests` added), the
  // counters added to the stored ones, and the events appended (then, when
  // `keep_events` is not 0, all but the newest `keep_events` events
  // dropped). When it returns OK, all of it is on disk.
  Status SaveHostBatch(const std::vector<ClientEntry>& clients, const RequestStats& delta,
                       const std::vector<Event>& events, std::size_t keep_events = 0);
  Result<RequestStats> LoadStats();

  Status AppendEvent(const Event& event);
  // The newest `limit` events, oldest first; only `event_id` when not 0.
  Result<std::vector<Event>> RecentEvents(std::size_t limit, int event_id = 0);
  Status PruneEvents(std::size_t keep);

 private:
  explicit StateStore(Database db) : db_(std::move(db)) {}
  Status InsertEvent(const Event& e);
  // Prepared once: SaveHostBatch runs for every batch of requests.
  Result<Statement*> Cached(std::optional<Statement>& slot, std::string_view sql);
  Database db_;
  std::optional<Statement> upsert_client_, add_stat_, insert_event_, prune_events_;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_STATE_STORE_H_
