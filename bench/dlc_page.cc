// How long one `dlc` page takes with many client records: fills a state
// database in a temporary folder with --clients records (default a
// million), then times the first page, a page from the middle and the count
// that every page carries, and the console's searches (by machine-name and
// CMID prefix), as StateStore runs them for ManagementService. The records
// are saved --batch at a time; names not yet merged into the name index
// (the log, up to about twice StateStore::kNameLogLimit) are read whole by
// each name search, and their count is printed beside it.
//   activa_dlc_page [--clients N] [--first N] [--batch N]
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "daemon/state_store.h"
#include "storage/sqlite.h"

using namespace activa;

namespace {

template <typename F>
double Millis(F f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

Uuid Cmid(std::uint64_t n) {
  Uuid id{};
  // Spread over the key space as random CMIDs are.
  std::uint64_t h = n * 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 8; ++i) id[i] = static_cast<std::uint8_t>(h >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) id[8 + i] = static_cast<std::uint8_t>(n >> (56 - 8 * i));
  return id;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Times dlc pages over a state database with many clients"};
  std::uint64_t clients = 1000000;
  std::size_t first = 100;
  app.add_option("--clients", clients, "client records to create");
  std::size_t batch_size = 50000;
  app.add_option("--first", first, "records per page");
  app.add_option("--batch", batch_size, "records saved per batch")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  std::string dir = (std::filesystem::temp_directory_path() / "activa-dlc-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return 1;
  Result<StateStore> store = StateStore::Open(dir + "/activad.db");
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  std::vector<ClientEntry> batch;
  double fill = Millis([&] {
    for (std::uint64_t i = 0; i < clients; ++i) {
      ClientEntry c;
      c.application_id[0] = 0xaa;
      c.cmid = Cmid(i);
      c.machine_name = "pc" + std::to_string(i);
      c.sku_id[0] = 0xee;
      c.last_seen = 1795000000 + static_cast<std::int64_t>(i % 86400);
      c.requests = 1;
      batch.push_back(std::move(c));
      if (batch.size() == batch_size || i + 1 == clients) {
        if (!store->SaveHostBatch(batch, {}, {}).ok()) std::exit(1);
        batch.clear();
      }
    }
  });
  std::printf("clients: %llu (filled in %.0f ms)\n", static_cast<unsigned long long>(clients),
              fill);
  {
    Result<Database> reader = Database::Open(dir + "/activad.db", false);
    Result<Statement> q = reader.ok() ? reader->Prepare("SELECT COUNT(*) FROM host_name_log")
                                      : Result<Statement>(reader.status());
    Result<bool> row = q.ok() ? q->Step() : Result<bool>(q.status());
    if (!row.ok() || !*row) {
      std::fprintf(stderr, "counting the name log: %s\n", row.status().ToString().c_str());
      return 1;
    }
    std::printf("names in the log:   %lld (not yet in the index)\n",
                static_cast<long long>(q->Int(0)));
  }
  Uuid middle = Cmid(clients / 2);
  std::size_t got = 0;
  std::printf("first page (%zu):   %.2f ms\n", first,
              Millis([&] { got = store->ListClients(std::nullopt, first)->clients.size(); }));
  std::printf("middle page (%zu):  %.2f ms\n", first,
              Millis([&] { got += store->ListClients(middle, first)->clients.size(); }));
  // The console's searches: a machine-name prefix that matches a tenth of
  // the clients ("pc5" + anything) and its next page, and a CMID prefix.
  const StateStore::ClientSearch by_name{"PC5", ""};
  Result<StateStore::ClientPage> named = store->ListClients(std::nullopt, first, by_name);
  std::printf("name search (%zu):  %.2f ms\n", first,
              Millis([&] { named = store->ListClients(std::nullopt, first, by_name); }));
  if (named.ok() && !named->clients.empty()) {
    const Uuid after = named->clients.back().cmid;
    std::printf("its next page:      %.2f ms\n",
                Millis([&] { got += store->ListClients(after, first, by_name)->clients.size(); }));
  }
  const StateStore::ClientSearch by_cmid{"", FormatUuid(middle).substr(0, 4)};
  std::printf("CMID search (%zu):  %.2f ms\n", first, Millis([&] {
                got += store->ListClients(std::nullopt, first, by_cmid)->clients.size();
              }));
  std::uint64_t total = 0;
  double count_ms = Millis([&] { total = *store->CountClients(); });
  std::printf("count:              %.2f ms (%llu)\n", count_ms,
              static_cast<unsigned long long>(total));
  std::printf("prune (none due):   %.2f ms\n", Millis([&] {
                if (!store->SaveHostBatch({}, {}, {}, 0, 1700000000).ok()) std::exit(1);
              }));
  std::filesystem::remove_all(dir);
  return got == 0 ? 1 : 0;
}
