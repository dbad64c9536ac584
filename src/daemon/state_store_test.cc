// The host's client records in the state database: pages in CMID order,
// the deletion of records long unseen, and the stream that loads the count.
#include "daemon/state_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <tuple>

#include "base/bytes.h"
#include "host/client_counter.h"

namespace activa {
namespace {

constexpr std::int64_t kT0 = 1795000000;
constexpr std::int64_t kDay = 86400;

Uuid Id(int n, std::uint8_t tag = 0xc0) {
  Uuid id{};
  id[0] = tag;
  id[14] = static_cast<std::uint8_t>(n >> 8);
  id[15] = static_cast<std::uint8_t>(n);
  return id;
}

ClientEntry Client(int machine, int application, std::int64_t last_seen) {
  ClientEntry c;
  c.application_id = Id(application, 0xa0);
  c.cmid = Id(machine);
  c.machine_name = "pc" + std::to_string(machine);
  c.sku_id = Id(application, 0xe0);
  c.last_seen = last_seen;
  c.requests = 1;
  return c;
}

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<StateStore> s = StateStore::Open(":memory:");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_.emplace(std::move(s).value());
  }
  void Save(const std::vector<ClientEntry>& clients, std::int64_t drop_before = 0) {
    ASSERT_TRUE(store_->SaveHostBatch(clients, {}, {}, 0, drop_before).ok());
  }
  std::vector<Uuid> Cmids(const StateStore::ClientPage& page) {
    std::vector<Uuid> out;
    for (const ClientEntry& c : page.clients) out.push_back(c.cmid);
    return out;
  }
  std::optional<StateStore> store_;
};

TEST_F(StateStoreTest, PagesGoInCmidOrderAndEnd) {
  std::vector<ClientEntry> clients;
  for (int i = 300; i > 0; --i) clients.push_back(Client(i, 1, kT0));
  Save(clients);
  EXPECT_EQ(*store_->CountClients(), 300u);
  std::vector<Uuid> seen;
  std::optional<Uuid> after;
  int pages = 0;
  for (;;) {
    Result<StateStore::ClientPage> page = store_->ListClients(after, 100);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ++pages;
    for (const Uuid& id : Cmids(*page)) seen.push_back(id);
    if (!page->more) break;
    after = page->clients.back().cmid;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(seen[i], Id(i + 1));
  // A page that ends exactly at the last record says nothing follows.
  Result<StateStore::ClientPage> last = store_->ListClients(Id(200), 100);
  EXPECT_EQ(last->clients.size(), 100u);
  EXPECT_FALSE(last->more);
  EXPECT_TRUE(store_->ListClients(Id(300), 100)->clients.empty());
}

TEST_F(StateStoreTest, APageNeverSplitsAMachine) {
  Save({Client(1, 1, kT0), Client(2, 1, kT0), Client(2, 2, kT0), Client(2, 3, kT0),
        Client(3, 1, kT0)});
  Result<StateStore::ClientPage> page = store_->ListClients(std::nullopt, 2);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Cmids(*page), (std::vector<Uuid>{Id(1), Id(2), Id(2), Id(2)}));
  EXPECT_TRUE(page->more);
  page = store_->ListClients(Id(2), 2);
  EXPECT_EQ(Cmids(*page), (std::vector<Uuid>{Id(3)}));
  EXPECT_FALSE(page->more);
}

TEST_F(StateStoreTest, RecordsLongUnseenAreDeletedWithABatch) {
  Save({Client(1, 1, kT0 - 200 * kDay), Client(2, 1, kT0 - 121 * kDay),
        Client(3, 1, kT0 - 119 * kDay), Client(4, 1, kT0)});
  // Without a cutoff nothing is deleted.
  Save({Client(5, 1, kT0)});
  EXPECT_EQ(*store_->CountClients(), 5u);
  Save({Client(6, 1, kT0)}, kT0 - 120 * kDay);
  EXPECT_EQ(*store_->CountClients(), 4u);
  std::size_t loaded = 0;
  ASSERT_TRUE(store_
                  ->LoadClients([&](const StateStore::ClientStamp& c) {
                    EXPECT_GE(c.last_seen, kT0 - 120 * kDay);
                    ++loaded;
                  })
                  .ok());
  EXPECT_EQ(loaded, 4u);
}

// Start-up streams (application, CMID, last_seen) from an index instead of
// reading whole records: the counter it fills must count exactly what the
// whole records give, expired, out-of-order, duplicate-CMID and unparsable
// rows included (an ID that does not parse counts as the nil UUID, as the
// records read it).
TEST(StateStoreLoadTest, StreamedLoadCountsAsTheWholeRecordsDo) {
  std::string dir = (std::filesystem::temp_directory_path() / "activa-load-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/activad.db";
  Result<StateStore> opened = StateStore::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::optional<StateStore> store(std::move(opened).value());

  // 3,000 machines over 60 days in shuffled order, most in application 1,
  // every third one in application 2 as well (same CMID, another time).
  std::vector<ClientEntry> saved;
  std::mt19937 rng(7);
  for (int m = 1; m <= 3000; ++m) {
    saved.push_back(Client(m, 1, kT0 + static_cast<std::int64_t>(rng() % (60 * kDay))));
    if (m % 3 == 0) {
      saved.push_back(Client(m, 2, kT0 + static_cast<std::int64_t>(rng() % (60 * kDay))));
    }
  }
  std::shuffle(saved.begin(), saved.end(), rng);
  for (std::size_t i = 0; i < saved.size(); i += 500) {
    std::vector<ClientEntry> batch(
        saved.begin() + static_cast<std::ptrdiff_t>(i),
        saved.begin() + static_cast<std::ptrdiff_t>(std::min(i + 500, saved.size())));
    ASSERT_TRUE(store->SaveHostBatch(batch, {}, {}).ok());
  }
  // Rows someone edited by hand: a CMID and an application ID that are not
  // 16 bytes.
  {
    Result<Database> raw = Database::Open(path, /*create=*/false);
    ASSERT_TRUE(raw.ok()) << raw.status().ToString();
    constexpr const char* kInsert =
        "INSERT INTO host_clients (application_id, cmid, machine_name, sku_id, last_seen, "
        "license_state, is_virtual_machine, requests) VALUES ";
    ASSERT_TRUE(raw->Exec(std::string(kInsert) + "(X'" + HexEncode(Id(1, 0xa0)) +
                          "', X'0102', 'x', X'00', " + std::to_string(kT0 + 50 * kDay) +
                          ", 1, 0, 1);" + kInsert + "('garbage', X'" + HexEncode(Id(9)) +
                          "', 'x', X'00', " + std::to_string(kT0 + 51 * kDay) + ", 1, 0, 1)")
                    .ok());
  }
  ClientEntry bad_cmid = Client(0, 1, kT0 + 50 * kDay);
  bad_cmid.cmid = Uuid{};
  ClientEntry bad_application = Client(9, 1, kT0 + 51 * kDay);
  bad_application.application_id = Uuid{};
  saved.push_back(bad_cmid);
  saved.push_back(bad_application);

  ClientCounter expected;
  for (const ClientEntry& c : saved) expected.Load(c.application_id, c.cmid, c.last_seen);

  ClientCounter streamed;
  Result<std::vector<StateStore::ApplicationClients>> sizes = store->CountClientsByApplication();
  ASSERT_TRUE(sizes.ok()) << sizes.status().ToString();
  std::uint64_t total = 0;
  for (const StateStore::ApplicationClients& a : *sizes) {
    streamed.Reserve(a.application_id, a.clients);
    total += a.clients;
  }
  EXPECT_EQ(total, saved.size());
  std::int64_t previous = 0;
  std::size_t rows = 0;
  ASSERT_TRUE(store
                  ->LoadClients([&](const StateStore::ClientStamp& c) {
                    EXPECT_GE(c.last_seen, previous) << "oldest first";
                    previous = c.last_seen;
                    ++rows;
                    streamed.Load(c.application_id, c.cmid, c.last_seen);
                  })
                  .ok());
  EXPECT_EQ(rows, saved.size());
  EXPECT_EQ(streamed.tracked(), expected.tracked());

  auto sorted = [](std::vector<ClientRecord> records) {
    std::sort(records.begin(), records.end(), [](const ClientRecord& a, const ClientRecord& b) {
      return std::tie(a.last_seen, a.cmid) < std::tie(b.last_seen, b.cmid);
    });
    return records;
  };
  // In time order: Count() drops what has expired at its `now`.
  for (std::int64_t day : {29, 40, 55, 61, 95}) {
    const std::int64_t now = kT0 + day * kDay;
    if (day == 55) {
      EXPECT_GT(expected.Count(Id(1, 0xa0), now), 1000u);  // the test counts something
      EXPECT_TRUE(streamed.Contains(Id(1, 0xa0), Uuid{}, now));
    }
    for (const Uuid& app : {Id(1, 0xa0), Id(2, 0xa0), Uuid{}}) {
      EXPECT_EQ(streamed.Count(app, now), expected.Count(app, now)) << "day " << day;
      EXPECT_EQ(sorted(streamed.Clients(app, now)), sorted(expected.Clients(app, now)));
    }
  }
  store.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(StateStoreTest, EventsNewestFirstFilteredAndPaged) {
  auto request = [](const std::string& machine, const char* result) {
    return "An activation request has been processed. Result: " + std::string(result) +
           "; count: 1; client: " + machine + "; CMID: x";
  };
  std::vector<Event> events = {
      {0, kT0, kEventHostRequest, request("pc1", "0xC004F038")},
      {0, kT0 + 10, kEventDnsFailed, "Could not publish"},
      {0, kT0 + 20, kEventHostRequest, request("PC2", "0x00000000")},
      {0, kT0 + 30, kEventHostRequest, request("pc10", "0xC004F038")},
  };
  ASSERT_TRUE(store_->SaveHostBatch({}, {}, events).ok());
  auto messages = [&](const StateStore::EventFilter& f, std::size_t limit = 10) {
    Result<StateStore::EventPage> page = store_->ListEvents(f, limit);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::int64_t> times;
    for (const Event& e : page->events) times.push_back(e.time - kT0);
    return times;
  };
  EXPECT_EQ(messages({}), (std::vector<std::int64_t>{30, 20, 10, 0}));
  StateStore::EventFilter f;
  f.event_id = kEventHostRequest;
  EXPECT_EQ(messages(f), (std::vector<std::int64_t>{30, 20, 0}));
  f.machine = "pc2";  // any case, and the whole name: not pc1 for pc10
  EXPECT_EQ(messages(f), (std::vector<std::int64_t>{20}));
  f.machine = "pc1";
  EXPECT_EQ(messages(f), (std::vector<std::int64_t>{0}));
  f = {};
  f.result = "0xC004F038";
  EXPECT_EQ(messages(f), (std::vector<std::int64_t>{30, 0}));
  f = {};
  f.since = kT0 + 10;
  EXPECT_EQ(messages(f), (std::vector<std::int64_t>{30, 20, 10}));
  // Pages: `more` says whether older ones follow, `before` gives them.
  Result<StateStore::EventPage> page = store_->ListEvents({}, 2);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->more);
  f = {};
  f.before = page->events.back().id;
  EXPECT_EQ(messages(f, 2), (std::vector<std::int64_t>{10, 0}));
  page = store_->ListEvents(f, 2);
  EXPECT_FALSE(page->more);
}

HostRequestEvent RequestFields(const std::string& machine, ResultCode result) {
  HostRequestEvent r;
  r.result = result;
  r.count = 3;
  r.required_count = 25;
  r.threshold = 25;
  r.machine_name = machine;
  r.cmid = Id(7);
  r.edition = "Example Software Suite Professional";
  r.client_time = kT0 - 60;
  r.license_state = 2;
  r.minutes_left = 43200;
  return r;
}

// 12290 events are stored as columns and come back as the sentence the
// host used to store; the machine and result filters find them as they
// find the events stored as text, side by side in one list.
TEST_F(StateStoreTest, EventsStoredAsColumnsReadAsTheirSentenceAndFilter) {
  auto typed = [](std::int64_t time, const std::string& machine, ResultCode result) {
    Event e(0, time, kEventHostRequest, "");
    e.request = RequestFields(machine, result);
    return e;
  };
  std::vector<Event> events = {
      typed(kT0, "pc1", ResultCode::kCountInsufficient),
      {0, kT0 + 10, kEventDnsFailed, "Could not publish"},
      typed(kT0 + 20, "PC2", ResultCode::kOk),
      typed(kT0 + 30, "pc10", ResultCode::kCountInsufficient),
      // As an older build stored it: the sentence as text.
      {0, kT0 + 40, kEventHostRequest,
       FormatHostRequestEvent(RequestFields("pc2", ResultCode::kCountInsufficient))},
  };
  ASSERT_TRUE(store_->SaveHostBatch({}, {}, events).ok());
  auto times = [&](const StateStore::EventFilter& f) {
    Result<StateStore::EventPage> page = store_->ListEvents(f, 10);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::int64_t> out;
    for (const Event& e : page->events) out.push_back(e.time - kT0);
    return out;
  };
  Result<StateStore::EventPage> all = store_->ListEvents({}, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->events.size(), 5u);
  for (const Event& e : all->events) {
    const Event& written = events[static_cast<std::size_t>((e.time - kT0) / 10)];
    EXPECT_EQ(e.message, EventText(written));
  }
  EXPECT_EQ(all->events[4].message,
            "An activation request has been processed. Result: 0xC004F038; count: 3; required "
            "count: 25; threshold: 25; client: pc1; CMID: c0000000-0000-0000-0000-000000000007; "
            "edition: Example Software Suite Professional; client time: 2026-11-18 11:05:40 UTC; "
            "license state: 2; minutes to expiry: 43200; virtual machine: no");
  StateStore::EventFilter f;
  f.machine = "pc2";  // any case, and the whole name: not pc1 for pc10
  EXPECT_EQ(times(f), (std::vector<std::int64_t>{40, 20}));
  f.machine = "pc1";
  EXPECT_EQ(times(f), (std::vector<std::int64_t>{0}));
  f = {};
  f.result = "0xC004F038";
  EXPECT_EQ(times(f), (std::vector<std::int64_t>{40, 30, 0}));
  f.result = "0x00000000";
  EXPECT_EQ(times(f), (std::vector<std::int64_t>{20}));
  f.machine = "pc10";
  EXPECT_TRUE(times(f).empty());
  Result<std::vector<Event>> recent = store_->RecentEvents(1, kEventHostRequest);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].message, EventText(events[4]));
}

// host_clients as migration 1 made it, keyed by the IDs' text.
constexpr const char* kHostClientsV1 =
    "CREATE TABLE host_clients (application_id TEXT NOT NULL, cmid TEXT NOT NULL, "
    "machine_name TEXT NOT NULL, sku_id TEXT NOT NULL, last_seen INTEGER NOT NULL, "
    "license_state INTEGER NOT NULL, is_virtual_machine INTEGER NOT NULL, "
    "requests INTEGER NOT NULL, PRIMARY KEY (application_id, cmid)) WITHOUT ROWID;";

// A database written before the events had columns: its rows of text stay
// as they were, readable and found by the filters, beside new rows.
TEST(StateStoreEventsMigrationTest, OldTextRowsStayReadable) {
  const std::string path =
      ::testing::TempDir() + "activa_events_migration_" + std::to_string(::getpid()) + ".db";
  const std::string old_text =
      "An activation request has been processed. Result: 0xC004F038; count: 2; required count: "
      "25; threshold: 25; client: pc2; CMID: 7a000000-0000-4000-8000-000000000001; edition: "
      "Example Software Suite Professional; client time: 2026-11-18 11:06:40 UTC; license "
      "state: 2; minutes to expiry: 43200; virtual machine: no";
  {
    // The events and client tables of schema version 8 (migration 1),
    // nothing else: Open() then runs migrations 9 and 10 only.
    Result<Database> db = Database::Open(path, /*create=*/true);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(db->Exec(std::string(kHostClientsV1) +
                         "CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, "
                         "event_id INTEGER NOT NULL, message TEXT NOT NULL); "
                         "CREATE INDEX events_by_id ON events (event_id, id); "
                         "PRAGMA user_version = 8;")
                    .ok());
    Result<Statement> q =
        db->Prepare("INSERT INTO events (time, event_id, message) VALUES (?1, 12290, ?2)");
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE(q->Bind(1, kT0).Bind(2, old_text).Run().ok());
  }
  {
    Result<StateStore> s = StateStore::Open(path);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Event typed(0, kT0 + 10, kEventHostRequest, "");
    typed.request = RequestFields("pc3", ResultCode::kOk);
    ASSERT_TRUE(s->SaveHostBatch({}, {}, {typed}).ok());
    Result<StateStore::EventPage> page = s->ListEvents({}, 10);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_EQ(page->events.size(), 2u);
    EXPECT_EQ(page->events[1].message, old_text);
    EXPECT_EQ(page->events[0].message, EventText(typed));
    StateStore::EventFilter f;
    f.machine = "PC2";
    f.result = "0xC004F038";
    page = s->ListEvents(f, 10);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->events.size(), 1u);
    EXPECT_EQ(page->events[0].message, old_text);
  }
  {
    // What is on disk: the new row's fields, not its sentence.
    Result<Database> db = Database::Open(path, /*create=*/false);
    ASSERT_TRUE(db.ok());
    Result<Statement> q = db->Prepare(
        "SELECT message, machine_name, length(cmid) FROM events WHERE result IS NOT NULL");
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE(*q->Step());
    EXPECT_EQ(q->Text(0), "");
    EXPECT_EQ(q->Text(1), "pc3");
    EXPECT_EQ(q->Int(2), 16);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

}  // namespace
}  // namespace activa

namespace activa {
namespace {

// A MAK product's activation survives a restart with its kind and key.
TEST(StateStoreProductTest, MakActivationIsKept) {
  Result<StateStore> s = StateStore::Open(":memory:");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ProductRecord p;
  p.sku_id = Id(1, 0xe0);
  p.application_id = Id(1, 0xa0);
  p.key_text = "MAK-TEXT";
  p.key_kind = KeyKind::kMak;
  p.proof_catalog = "catalog";
  p.mak_confirmation = "123456-654321";
  ASSERT_TRUE(s->SaveProduct(p).ok());
  Result<std::vector<ProductRecord>> loaded = s->LoadProducts();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].key_kind, KeyKind::kMak);
  EXPECT_EQ((*loaded)[0].mak_confirmation, "123456-654321");
  EXPECT_TRUE(HoldsMakActivation((*loaded)[0]));
}

}  // namespace
}  // namespace activa

namespace activa {
namespace {

TEST_F(StateStoreTest, CountHistoryKeepsOneSampleADayFor90Days) {
  const std::int64_t day = kT0 - kT0 % kDay;
  const Uuid app = Id(1, 0xa0), other = Id(2, 0xa0);
  ASSERT_TRUE(store_->SaveCountSample(day - 95 * kDay, {{0, app, 3}}).ok());
  ASSERT_TRUE(store_->SaveCountSample(day - kDay, {{0, app, 20}, {0, other, 4}}).ok());
  ASSERT_TRUE(store_->SaveCountSample(day, {{0, app, 24}}).ok());
  ASSERT_TRUE(store_->SaveCountSample(day, {{0, app, 26}}).ok());  // later that day
  Result<std::vector<StateStore::CountSample>> all = store_->LoadCountHistory(0);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  // The sample 95 days back is gone; today's is the later one.
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].application_id, app);
  EXPECT_EQ((*all)[0].day, day - kDay);
  EXPECT_EQ((*all)[0].count, 20u);
  EXPECT_EQ((*all)[1].day, day);
  EXPECT_EQ((*all)[1].count, 26u);
  EXPECT_EQ((*all)[2].application_id, other);
  Result<std::vector<StateStore::CountSample>> recent = store_->LoadCountHistory(day);
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(recent->size(), 1u);
}

}  // namespace
}  // namespace activa

namespace activa {
namespace {

std::vector<std::string> Names(const StateStore::ClientPage& page) {
  std::vector<std::string> out;
  for (const ClientEntry& c : page.clients) out.push_back(c.machine_name);
  return out;
}

TEST_F(StateStoreTest, SearchByMachineNamePagesInNameOrderInAnyCase) {
  std::vector<ClientEntry> clients;
  const char* names[] = {"PC-b", "pc-a", "server1", "pc-c", "Pc-d", "laptop", "pc-a"};
  for (int i = 0; i < 7; ++i) {
    ClientEntry c = Client(100 - i, 1, kT0);
    c.machine_name = names[i];
    clients.push_back(c);
  }
  // The second machine has a second application: a page never splits it.
  ClientEntry second_app = clients[1];
  second_app.application_id = Id(2, 0xa0);
  clients.push_back(second_app);
  Save(clients);

  StateStore::ClientSearch search{"pC-", ""};
  Result<StateStore::ClientPage> first = store_->ListClients(std::nullopt, 2, search);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // "pc-a" twice (CMIDs 94 and 99, in CMID order), 99's second record with it.
  EXPECT_EQ(Names(*first), (std::vector<std::string>{"pc-a", "pc-a", "pc-a"}));
  EXPECT_EQ(first->clients[0].cmid, Id(94));
  EXPECT_TRUE(first->more);
  Result<StateStore::ClientPage> next = store_->ListClients(first->clients.back().cmid, 2, search);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Names(*next), (std::vector<std::string>{"PC-b", "pc-c"}));
  EXPECT_TRUE(next->more);
  Result<StateStore::ClientPage> last = store_->ListClients(next->clients.back().cmid, 2, search);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(Names(*last), (std::vector<std::string>{"Pc-d"}));
  EXPECT_FALSE(last->more);

  Result<StateStore::ClientPage> none =
      store_->ListClients(std::nullopt, 10, StateStore::ClientSearch{"desk", ""});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->clients.empty());
  EXPECT_FALSE(none->more);
}

// Names reach the index through the log, a sweep at a time: at every step
// a search finds exactly the records whose current name matches, renamed
// and deleted ones included, and a new connection (a restart) goes on with
// what the last one logged. The log stays bounded, and a batch below the
// limit leaves the index alone.
TEST(StateStoreNameLogTest, SearchesSeeEveryNameWhileTheLogIsMerged) {
  std::string dir = (std::filesystem::temp_directory_path() / "activa-names-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/activad.db";
  std::optional<StateStore> store;
  auto open = [&](std::size_t limit) {
    store.reset();
    Result<StateStore> s = StateStore::Open(path);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store.emplace(std::move(s).value());
    store->set_name_log_limit(limit);
  };
  open(40);
  auto count = [&](const char* table) {
    Result<Statement> q = store->database().Prepare(std::string("SELECT COUNT(*) FROM ") + table);
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE(*q->Step());
    return q->Int(0);
  };
  std::map<int, ClientEntry> live;  // by machine, application 1
  auto Lower = [](std::string text) {
    for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return text;
  };
  std::mt19937 rng(11);
  auto check = [&](const std::string& prefix) {
    std::vector<std::tuple<std::string, Uuid>> want;
    for (const auto& [m, c] : live) {
      const std::string lower = Lower(c.machine_name);
      if (lower.rfind(prefix, 0) == 0) want.emplace_back(lower, c.cmid);
    }
    std::sort(want.begin(), want.end());
    std::vector<std::tuple<std::string, Uuid>> got;
    std::optional<Uuid> after;
    for (int pages = 0; pages < 1000; ++pages) {
      Result<StateStore::ClientPage> page =
          store->ListClients(after, 7, StateStore::ClientSearch{prefix, ""});
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      for (const ClientEntry& c : page->clients) {
        got.emplace_back(Lower(c.machine_name), c.cmid);
      }
      if (!page->more) break;
      after = page->clients.back().cmid;
    }
    EXPECT_EQ(got, want) << "prefix " << prefix;
  };
  const char* stems[] = {"PC-", "pc-", "Lab-", "srv"};
  std::int64_t t = kT0;
  for (int round = 0; round < 60; ++round) {
    std::vector<ClientEntry> batch;
    for (int i = 0; i < 9; ++i) {
      const int m = static_cast<int>(rng() % 400) + 1;
      ClientEntry c = Client(m, 1, ++t);
      c.cmid = Id(m);
      // Most renewals keep their name; some change it, in case or in full.
      auto it = live.find(m);
      if (it != live.end() && rng() % 4 != 0) {
        c.machine_name = it->second.machine_name;
      } else {
        c.machine_name = std::string(stems[rng() % 4]) + std::to_string(rng() % 50);
      }
      live[m] = c;
      batch.push_back(c);
    }
    std::int64_t drop_before = 0;
    if (round % 15 == 14) {
      // The oldest third goes.
      drop_before = kT0 + (t - kT0) / 3;
      for (auto it = live.begin(); it != live.end();) {
        it = it->second.last_seen < drop_before ? live.erase(it) : std::next(it);
      }
    }
    ASSERT_TRUE(store->SaveHostBatch(batch, {}, {}, 0, drop_before).ok());
    // The sweep ends before the next 40 names are logged.
    EXPECT_LE(count("host_name_log"), 2 * 40 + 9) << round;
    if (round % 5 == 0) {
      check("pc-");
      check("l");
      check("srv1");
    }
    if (round == 30) open(40);  // a restart
  }
  check("pc-");
  check("lab-");
  check("s");
  EXPECT_GT(count("host_client_names"), 0);

  // Below the limit a batch writes its names to the log only.
  open(StateStore::kNameLogLimit);
  const auto indexed = count("host_client_names");
  const auto logged = count("host_name_log");
  std::vector<ClientEntry> fresh;
  for (int m = 1000; m < 1010; ++m) fresh.push_back(Client(m, 1, ++t));
  ASSERT_TRUE(store->SaveHostBatch(fresh, {}, {}).ok());
  EXPECT_EQ(count("host_client_names"), indexed);
  EXPECT_EQ(count("host_name_log"), logged + 10);
  Result<StateStore::ClientPage> found =
      store->ListClients(std::nullopt, 100, StateStore::ClientSearch{"pc100", ""});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->clients.size(), 10u);
  std::filesystem::remove_all(dir);
}

TEST_F(StateStoreTest, SearchByCmidPrefixStaysInsideThePrefix) {
  std::vector<ClientEntry> clients;
  for (int i = 0; i < 5; ++i) clients.push_back(Client(i, 1, kT0));
  ClientEntry elsewhere = Client(3, 1, kT0);
  elsewhere.cmid = Id(3, 0xd0);
  clients.push_back(elsewhere);
  Save(clients);
  // Id(n) is c0000000-...-0000000000NN.
  Result<StateStore::ClientPage> page =
      store_->ListClients(std::nullopt, 3, StateStore::ClientSearch{"", "c000"});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->clients.size(), 3u);
  EXPECT_TRUE(page->more);
  Result<StateStore::ClientPage> rest =
      store_->ListClients(page->clients.back().cmid, 3, StateStore::ClientSearch{"", "c000"});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->clients.size(), 2u);
  EXPECT_FALSE(rest->more);
  EXPECT_EQ(rest->clients.back().cmid, Id(4));
  Result<StateStore::ClientPage> d =
      store_->ListClients(std::nullopt, 10, StateStore::ClientSearch{"", "d0"});
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->clients.size(), 1u);
  EXPECT_EQ(d->clients[0].cmid, Id(3, 0xd0));
}

// The prefix is a CMID's text; the keys are its bytes. A prefix that ends
// inside a byte, crosses a hyphen, ends in f's or has a hyphen out of place
// finds what the text would.
TEST_F(StateStoreTest, SearchByCmidPrefixMatchesTheTextAtEveryLength) {
  std::vector<ClientEntry> clients;
  for (std::uint8_t tag : {0xc0, 0xc7, 0xcf, 0xd0, 0xff}) {
    for (int i = 1; i <= 2; ++i) {
      ClientEntry c = Client(i, 1, kT0);
      c.cmid = Id(i, tag);
      clients.push_back(c);
    }
  }
  ClientEntry last = Client(0, 1, kT0);
  last.cmid.fill(0xff);
  clients.push_back(last);
  Save(clients);
  auto found = [&](const std::string& prefix) {
    Result<StateStore::ClientPage> page =
        store_->ListClients(std::nullopt, 100, StateStore::ClientSearch{"", prefix});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> out;
    for (const ClientEntry& c : page->clients) {
      const std::string text = FormatUuid(c.cmid);
      EXPECT_EQ(text.rfind(prefix, 0), 0u) << text << " is not under " << prefix;
      out.push_back(text);
    }
    return out;
  };
  // Every record whose text starts with the prefix, counted from the text.
  auto expected = [&](const std::string& prefix) {
    std::size_t n = 0;
    for (const ClientEntry& c : clients) n += FormatUuid(c.cmid).rfind(prefix, 0) == 0;
    return n;
  };
  for (const std::string prefix :
       {"c", "c0", "c7", "cf", "f", "ff", "fff", "c0000000", "c0000000-", "c0000000-0",
        "c0000000-0000-0000-0000-00000000000", "c0000000-0000-0000-0000-000000000002",
        "ffffffff-ffff-ffff-ffff-ffffffffffff", "e"}) {
    EXPECT_EQ(found(prefix).size(), expected(prefix)) << prefix;
  }
  EXPECT_EQ(found("c").size(), 6u);
  EXPECT_EQ(found("ff").size(), 3u);
  EXPECT_TRUE(found("c0-0").empty());
  EXPECT_TRUE(found("c00000000").empty());  // a digit where the hyphen is
  // Paged within a prefix that ends in f: the page after the last key
  // below it is empty.
  Result<StateStore::ClientPage> page =
      store_->ListClients(std::nullopt, 2, StateStore::ClientSearch{"", "f"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->clients.size(), 2u);
  EXPECT_TRUE(page->more);
  page = store_->ListClients(page->clients.back().cmid, 2, StateStore::ClientSearch{"", "f"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->clients.size(), 1u);
  EXPECT_FALSE(page->more);
}

// Schema 10 keys client records by their IDs' bytes: a database of schema 9
// keeps every record through the migration, with the same IDs, counts and
// order, and an ID that was not a UUID's text reads as the nil UUID, as it
// did.
TEST(StateStoreClientsMigrationTest, RecordsKeptWhenTheirKeysBecomeBytes) {
  std::string dir = (std::filesystem::temp_directory_path() / "activa-m10-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/activad.db";
  std::vector<ClientEntry> saved;
  for (int m = 1; m <= 40; ++m) saved.push_back(Client(m, 1 + m % 2, kT0 + m));
  saved[5].is_virtual_machine = true;
  saved[6].license_state = 3;
  saved[7].requests = 12;
  {
    Result<Database> db = Database::Open(path, /*create=*/true);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(db->Exec(std::string(kHostClientsV1) +
                         "CREATE INDEX host_clients_by_cmid ON host_clients (cmid, application_id);"
                         "CREATE INDEX host_clients_by_last_seen ON host_clients (last_seen);"
                         "CREATE INDEX host_clients_by_name ON host_clients (machine_name COLLATE "
                         "NOCASE, cmid, application_id);"
                         "CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, "
                         "event_id INTEGER NOT NULL, message TEXT NOT NULL, result INTEGER, "
                         "count INTEGER, required_count INTEGER, threshold INTEGER, machine_name "
                         "TEXT, cmid BLOB, edition TEXT, client_time INTEGER, license_state "
                         "INTEGER, minutes_left INTEGER, virtual_machine INTEGER);"
                         "CREATE INDEX events_by_id ON events (event_id, id);"
                         "INSERT INTO events (time, event_id, message) VALUES (1, 12293, 'a');"
                         "PRAGMA user_version = 9;")
                    .ok());
    Result<Statement> q =
        db->Prepare("INSERT INTO host_clients VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    ASSERT_TRUE(q.ok());
    for (const ClientEntry& c : saved) {
      q->Reset();
      ASSERT_TRUE(q->Bind(1, FormatUuid(c.application_id))
                      .Bind(2, FormatUuid(c.cmid))
                      .Bind(3, c.machine_name)
                      .Bind(4, FormatUuid(c.sku_id))
                      .Bind(5, c.last_seen)
                      .Bind(6, c.license_state)
                      .Bind(7, c.is_virtual_machine ? 1 : 0)
                      .Bind(8, c.requests)
                      .Run()
                      .ok());
    }
    // Edited by hand: a CMID that is not a UUID's text.
    q->Reset();
    ASSERT_TRUE(q->Bind(1, FormatUuid(Id(1, 0xa0)))
                    .Bind(2, "not-a-uuid")
                    .Bind(3, "odd")
                    .Bind(4, FormatUuid(Id(1, 0xe0)))
                    .Bind(5, kT0 + 100)
                    .Bind(6, 1)
                    .Bind(7, 0)
                    .Bind(8, 1)
                    .Run()
                    .ok());
  }
  ClientEntry odd = Client(0, 1, kT0 + 100);
  odd.cmid = Uuid{};
  odd.machine_name = "odd";
  odd.license_state = 1;
  saved.push_back(odd);
  std::sort(saved.begin(), saved.end(), [](const ClientEntry& a, const ClientEntry& b) {
    return std::tie(a.cmid, a.application_id) < std::tie(b.cmid, b.application_id);
  });

  Result<StateStore> store = StateStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<StateStore::ClientPage> page = store->ListClients(std::nullopt, 100);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->clients.size(), saved.size());
  for (std::size_t i = 0; i < saved.size(); ++i) {
    const ClientEntry& got = page->clients[i];
    const ClientEntry& want = saved[i];
    EXPECT_EQ(got.cmid, want.cmid) << i;
    EXPECT_EQ(got.application_id, want.application_id) << i;
    EXPECT_EQ(got.sku_id, want.sku_id) << i;
    EXPECT_EQ(got.machine_name, want.machine_name) << i;
    EXPECT_EQ(got.last_seen, want.last_seen) << i;
    EXPECT_EQ(got.license_state, want.license_state) << i;
    EXPECT_EQ(got.is_virtual_machine, want.is_virtual_machine) << i;
    EXPECT_EQ(got.requests, want.requests) << i;
  }
  // A renewal of a migrated record updates it; it adds none.
  ClientEntry again = saved[3];
  again.last_seen += 1000;
  ASSERT_TRUE(store->SaveHostBatch({again}, {}, {}).ok());
  EXPECT_EQ(*store->CountClients(), saved.size());
  // Their names are in the name index (migration 11): nothing logged them.
  Result<StateStore::ClientPage> named =
      store->ListClients(std::nullopt, 100, StateStore::ClientSearch{"PC3", ""});
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->clients.size(), 11u);  // pc3 and pc30 to pc39
  Result<std::vector<Event>> events = store->RecentEvents(10, 12293);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);

  // On disk: 16-byte keys, and no index that repeats the table's key.
  Result<Database> db = Database::Open(path, /*create=*/false);
  ASSERT_TRUE(db.ok());
  Result<Statement> q = db->Prepare(
      "SELECT (SELECT COUNT(*) FROM host_clients WHERE length(cmid) <> 16 OR typeof(cmid) <> "
      "'blob'), (SELECT COUNT(*) FROM sqlite_master WHERE name = 'host_clients_by_cmid')");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->Step());
  EXPECT_EQ(q->Int(0), 0);
  EXPECT_EQ(q->Int(1), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace activa
