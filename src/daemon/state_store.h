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
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/event.h"
#include "base/status.h"
#include "base/uuid.h"
#include "client/product_record.h"
#include "daemon/settings.h"
#include "host/client_entry.h"
#include "host/host_policy.h"
#include "keys/product_key.h"
#include "storage/sqlite.h"

namespace activa {

class StateStore : public ProductStore, public SettingsStore {
 public:
  static Result<StateStore> Open(const std::string& path);
  // The same, after SQLite's quick_check of the file (storage/sqlite.h):
  // for the daemon's first connection at start, so a damaged database is
  // refused before anything reads or migrates it. Its cost grows with the
  // file (about a second for a million client records).
  static Result<StateStore> OpenChecked(const std::string& path);

  // A consistent copy of the database in a new file (Database::BackupTo).
  Status BackupTo(const std::string& to) { return db_.BackupTo(to); }

  // The connection itself, for what concerns the file rather than its
  // tables (the host's WalCheckpointer).
  Database& database() { return db_; }

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

  // What the count needs of a client record (ClientCounter::Load).
  struct ClientStamp {
    Uuid application_id{};
    Uuid cmid{};
    std::int64_t last_seen = 0;
  };
  // Every client record, for the count at start-up only: calls `fn` for each
  // as it is read, oldest last_seen first, so nothing holds the whole table
  // (a million records would double the host's memory while it starts).
  // Read from host_clients_by_last_seen, which holds the three columns
  // (and is smaller than the table). An ID whose text does not parse
  // comes as the nil UUID, as ListClients() gives it. Listing is
  // ListClients()'s.
  Status LoadClients(const std::function<void(const ClientStamp&)>& fn);
  // How many client records each application has, to size the count's
  // tables before LoadClients() fills them.
  struct ApplicationClients {
    Uuid application_id{};
    std::uint64_t clients = 0;
  };
  Result<std::vector<ApplicationClients>> CountClientsByApplication();

  // One page of client records in CMID order (then application ID): those
  // with a CMID after `after` (all when nullopt), at most `limit` of them,
  // and then the remaining records of the last page's CMID, so a page never
  // splits one machine. `more` says whether records follow. Index-ordered,
  // so its cost is the page's, not the table's.
  struct ClientPage {
    std::vector<ClientEntry> clients;
    bool more = false;
  };
  //
  // A search narrows the pages (at most one of its fields set): records
  // whose CMID starts with `cmid_prefix` (lower-case hex and hyphens), in
  // CMID order; or whose machine name starts with `machine_prefix` (ASCII
  // letters in any case), in name order (any case) and then CMID, so that
  // `after` then means "after that machine's place in name order". A CMID
  // search reads a range of the table (its key is the CMID); a name search a
  // range of host_client_names and the names logged since it was last
  // brought up to date (at most about twice kNameLogLimit, see
  // SaveHostBatch), each checked against its record.
  struct ClientSearch {
    std::string machine_prefix;
    std::string cmid_prefix;
  };
  Result<ClientPage> ListClients(const std::optional<Uuid>& after, std::size_t limit,
                                 const ClientSearch& search = {});
  // How many client records there are.
  Result<std::uint64_t> CountClients();

  // One transaction: the client records (upserted; `requests` added), the
  // counters added to the stored ones, and the events appended (then, when
  // `keep_events` is not 0, all but the newest `keep_events` events
  // dropped); when `drop_clients_seen_before` is not 0, the client records
  // last seen before it are deleted. When it returns OK, all of it is on
  // disk.
  //
  // A record's name goes into host_client_names off the request's path: a
  // new or renamed record appends its name to host_name_log (the log's
  // last page, shared by the batch), and once kNameLogLimit names are
  // logged they are sorted and merged into host_client_names a slice per
  // batch, in name order, so a leaf of the index is written once for the
  // many names that fall into it, not once for each. Merging a name twice
  // (after a restart) changes nothing.
  static constexpr std::size_t kNameLogLimit = 32768;
  Status SaveHostBatch(const std::vector<ClientEntry>& clients, const RequestStats& delta,
                       const std::vector<Event>& events, std::size_t keep_events = 0,
                       std::int64_t drop_clients_seen_before = 0);
  // Tests set a small limit, to see sweeps in a few records.
  void set_name_log_limit(std::size_t n) { name_log_limit_ = n; }
  // A name in host_name_log, not yet known to be in host_client_names.
  struct LoggedName {
    std::string key;  // the name in ASCII lower case: the index's order
    std::string name;
    Uuid cmid{};
    Uuid application_id{};
    std::int64_t log_id = 0;
  };
  Result<RequestStats> LoadStats();

  // An event with `request` set is stored as those fields and its message
  // rendered when read (base/event.h); readers below always get the text.
  Status AppendEvent(const Event& event);
  // The newest `limit` events, oldest first; only `event_id` when not 0.
  Result<std::vector<Event>> RecentEvents(std::size_t limit, int event_id = 0);
  Status PruneEvents(std::size_t keep);

  // What slmgr /dle asks for: each field set narrows the list.
  struct EventFilter {
    int event_id = 0;                    // 0: any
    std::optional<std::int64_t> since;   // time at or after it
    std::optional<std::int64_t> before;  // row id below it (the next page)
    // Text the message must hold, matched as the host writes it ("; client:
    // NAME; ", "Result: 0x..."): in the text of events stored as text, and
    // in the same pieces of the sentence for 12290 events stored as their
    // fields (migration 9), so both match alike.
    std::string machine;  // any case
    std::string result;   // "0xC004F038"
  };
  struct EventPage {
    std::vector<Event> events;  // newest first
    bool more = false;
  };
  // At most `limit` events matching `filter`, newest first. Read backwards
  // through the row id (or the event ID's index), so a page costs what it
  // holds when the filter matches often.
  Result<EventPage> ListEvents(const EventFilter& filter, std::size_t limit);

  // The host's count history (the web console's plot): one sample per
  // application and UTC day (`day` is that day's first second).
  static constexpr std::int64_t kCountHistoryDays = 90;
  struct CountSample {
    std::int64_t day = 0;
    Uuid application_id{};
    std::uint32_t count = 0;
  };
  // Writes `counts` as the samples of `day` (replacing that day's earlier
  // ones) and drops the samples older than kCountHistoryDays before it;
  // `day` in each sample is ignored. One transaction.
  Status SaveCountSample(std::int64_t day, const std::vector<CountSample>& counts);
  // The samples from `since` on, by application, oldest first.
  Result<std::vector<CountSample>> LoadCountHistory(std::int64_t since);

 private:
  Result<ClientPage> ListClientsByName(const std::optional<Uuid>& after, std::size_t limit,
                                       std::string_view prefix);
  explicit StateStore(Database db) : db_(std::move(db)) {}
  Status InsertEvent(const Event& e);
  // Prepared once: SaveHostBatch runs for every batch of requests.
  Result<Statement*> Cached(std::optional<Statement>& slot, std::string_view sql);

  // SaveHostBatch's share of it: the record's name logged when it is new or
  // changed (into `logged`), the names of records deleted as long unseen
  // taken out of the index, one slice of the sweep merged.
  Status SaveClient(const ClientEntry& c, std::vector<LoggedName>& logged);
  Status PruneClients(std::int64_t seen_before);
  // Takes (`name` in any case, `cmid`, `application_id`) out of
  // host_client_names; nothing when it is not there.
  Status UnindexName(const std::string& name, std::span<const std::uint8_t> cmid,
                     std::span<const std::uint8_t> application_id);
  // What a batch did to the sweep, kept once the batch commits.
  struct SweepStep {
    std::size_t next = 0;   // where the next batch goes on
    bool done = false;      // all merged, and the log's rows of it deleted
    bool reloaded = false;  // the sweep read again from the log: `names`
    std::vector<LoggedName> names;
  };
  Status MergeNames(std::size_t slice, SweepStep& step);
  Status LoadNameLog(std::int64_t up_to, std::vector<LoggedName>& out);
  // The names of one search (ListClientsByName): the valid entries at or
  // after (`start`, `after_cmid`) and before `hi`, in the index's order, at
  // most `limit` of them from host_client_names and every one in the log.
  Status FindByName(const std::string& start, const std::string& hi,
                    std::span<const std::uint8_t> after_cmid, std::size_t limit,
                    std::vector<ClientEntry>& out);

  Database db_;
  std::optional<Statement> upsert_client_, add_stat_, insert_event_, prune_events_, prune_clients_,
      client_name_, log_name_, unindex_name_, index_name_;
  // The names this connection logged, in log order: read from the log when
  // the first batch is saved (`names_loaded_`), then kept as they are
  // logged. At kNameLogLimit they become the sweep: sorted, merged a slice
  // per batch from `swept` on, and deleted from the log (ids up to
  // `sweep_last_id`) once all of it is merged.
  std::size_t name_log_limit_ = kNameLogLimit;
  bool names_loaded_ = false;
  std::vector<LoggedName> pending_names_;
  std::vector<LoggedName> sweep_;
  std::size_t swept_ = 0;
  std::int64_t sweep_last_id_ = 0;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_STATE_STORE_H_
