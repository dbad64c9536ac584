// Fills a host's state database with many client records, quickly, for the
// start-up benchmark (bench/run-load.sh --restart N, docs/performance.md):
// the rows go through StateStore::SaveHostBatch, as the host's commit thread
// writes them, but in transactions of 50,000 instead of one per batch of
// requests, and with host_clients' secondary indexes dropped meanwhile and
// built again at the end (from their own SQL, read back from the schema),
// since inserting random keys into four b-trees at once is what makes a
// million rows take a minute.
//   activa_make_state --db STATE_DIR/activad.db --clients N
//                     --application UUID [--now UNIX_SECONDS]
// The records are spread over the 29 days before --now (default: the clock),
// in an order unrelated to their CMIDs, as real clients renew. Run it on a
// stopped host's database; records already there with the same CMIDs are
// updated.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "daemon/state_store.h"

using namespace activa;

namespace {

// splitmix64: CMIDs spread over the key space as random ones are, and the
// same N gives the same database.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

Uuid Cmid(std::uint64_t n) {
  Uuid id{};
  const std::uint64_t a = Mix(2 * n), b = Mix(2 * n + 1);
  for (int i = 0; i < 8; ++i) id[i] = static_cast<std::uint8_t>(a >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) id[8 + i] = static_cast<std::uint8_t>(b >> (56 - 8 * i));
  return id;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Fills a host's state database with client records"};
  std::string db_path, application_text;
  std::uint64_t clients = 1000000;
  std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  app.add_option("--db", db_path, "the state database (created when missing)")->required();
  app.add_option("--clients", clients, "client records to write");
  app.add_option("--application", application_text, "the records' application ID")->required();
  app.add_option("--now", now, "Unix time the records are spread before");
  CLI11_PARSE(app, argc, argv);

  std::optional<Uuid> application = ParseUuid(application_text);
  if (!application) {
    std::fprintf(stderr, "activa_make_state: --application: not a UUID: %s\n",
                 application_text.c_str());
    return 2;
  }
  Result<StateStore> store = StateStore::Open(db_path);
  if (!store.ok()) {
    std::fprintf(stderr, "activa_make_state: %s\n", store.status().ToString().c_str());
    return 1;
  }
  // The indexes' definitions as the migrations made them.
  Result<Database> raw = Database::Open(db_path, /*create=*/false);
  if (!raw.ok()) {
    std::fprintf(stderr, "activa_make_state: %s\n", raw.status().ToString().c_str());
    return 1;
  }
  std::vector<std::pair<std::string, std::string>> indexes;
  {
    Result<Statement> q = raw->Prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'host_clients' "
        "AND sql IS NOT NULL");
    for (;;) {
      Result<bool> row = q.ok() ? q->Step() : Result<bool>(q.status());
      if (!row.ok()) {
        std::fprintf(stderr, "activa_make_state: %s\n", row.status().ToString().c_str());
        return 1;
      }
      if (!*row) break;
      indexes.emplace_back(q->Text(0), q->Text(1));
    }
  }
  for (const auto& [name, sql] : indexes) {
    if (Status s = raw->Exec("DROP INDEX " + name); !s.ok()) {
      std::fprintf(stderr, "activa_make_state: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  constexpr std::int64_t kSpreadSeconds = 29 * 86400;
  const auto start = std::chrono::steady_clock::now();
  std::vector<ClientEntry> batch;
  batch.reserve(50000);
  for (std::uint64_t i = 0; i < clients; ++i) {
    ClientEntry c;
    c.application_id = *application;
    c.cmid = Cmid(i);
    c.machine_name = "PC-" + std::to_string(i);
    c.sku_id = *application;
    c.sku_id[15] ^= 1;
    c.last_seen = now - static_cast<std::int64_t>(Mix(~i) % kSpreadSeconds);
    c.license_state = 1;
    c.requests = 1 + static_cast<std::int64_t>(i % 5);
    batch.push_back(std::move(c));
    if (batch.size() == 50000 || i + 1 == clients) {
      Status s = store->SaveHostBatch(batch, {}, {});
      if (!s.ok()) {
        std::fprintf(stderr, "activa_make_state: %s\n", s.ToString().c_str());
        return 1;
      }
      batch.clear();
    }
  }
  for (const auto& [name, sql] : indexes) {
    if (Status s = raw->Exec(sql); !s.ok()) {
      std::fprintf(stderr, "activa_make_state: %s: %s\n", name.c_str(), s.ToString().c_str());
      return 1;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("wrote %llu client records to %s in %.1f s\n",
              static_cast<unsigned long long>(clients), db_path.c_str(), seconds);
  return 0;
}
