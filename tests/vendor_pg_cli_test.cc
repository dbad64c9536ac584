// activa-vendor on a PostgreSQL ledger: `init --db`, `--db`, and `migrate`
// from vendor.db, against a real PostgreSQL server.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "base/file_util.h"
#include "catalog/catalog.h"
#include "crypto/signing.h"
#include "keys/activation_codes.h"
#include "testing/postgres_process.h"
#include "testing/process.h"
#include "testing/temp_dir.h"

namespace activa {
namespace {

using testing::PostgresProcess;
using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

ProcessResult Vendor(std::vector<std::string> args) {
  args.insert(args.begin(), ACTIVA_VENDOR_BIN);
  return RunProcess(args);
}

std::string Line(const std::string& out) { return out.substr(0, out.find('\n')); }

std::string Iid(const ProductKey& key, int n) {
  InstallationId iid;
  iid.machine_tag.fill(static_cast<std::uint8_t>(n));
  Bytes seed(32, 0x55);
  seed[0] = static_cast<std::uint8_t>(n);
  seed[1] = static_cast<std::uint8_t>(n >> 8);
  iid.host_public_key = SigningKey::FromSeed(seed).public_key();
  iid.host_key = key;
  return FormatInstallationId(iid);
}

class VendorPgCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ACTIVA_REQUIRE_POSTGRES();
    InitCrypto();
    server_ = std::make_unique<PostgresProcess>();
  }

  // A vendor on vendor.db in dir_/NAME, and its catalog.
  std::string Init(const std::string& name, const std::string& db = "") {
    std::vector<std::string> args = {"init", dir_ / name, "--name", "Example Software"};
    if (!db.empty()) args.insert(args.end(), {"--db", db});
    ProcessResult init = Vendor(args);
    EXPECT_EQ(init.exit_code, 0) << init.err;
    ProcessResult cat = Vendor({"catalog", dir_ / name, "-o", dir_ / (name + ".json")});
    EXPECT_EQ(cat.exit_code, 0) << cat.err;
    catalog_ = *LoadCatalog(*ReadFile(dir_ / (name + ".json")));
    return dir_ / name;
  }
  ProductKey Mint(const std::vector<std::string>& args) {
    ProcessResult mint = Vendor(args);
    EXPECT_EQ(mint.exit_code, 0) << mint.err;
    return *ParseProductKey(Line(mint.out));
  }
  void Confirm(const std::string& vdir, const ProductKey& key, int n) {
    ProcessResult r = Vendor({"confirm", vdir, Iid(key, n)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }

  TempDir dir_;
  std::unique_ptr<PostgresProcess> server_;
  Catalog catalog_;
};

TEST_F(VendorPgCliTest, MigrateMovesEverythingAndRefusesASecondRun) {
  const std::string vdir = Init("v");
  const std::string group = catalog_.groups[0].name;
  const std::string edition = catalog_.editions[0].name;
  ProductKey host = Mint({"mint", "host", vdir, "--group", group});
  ProductKey mak = Mint({"mint", "mak", vdir, "--edition", edition, "--count", "5"});
  ProductKey spare = Mint({"mint", "host", vdir, "--group", group, "--hosts", "1"});
  Confirm(vdir, host, 1);
  Confirm(vdir, host, 1);
  Confirm(vdir, host, 2);
  Confirm(vdir, mak, 3);
  Confirm(vdir, mak, 4);
  ASSERT_EQ(Vendor({"revoke", vdir, FormatProductKey(spare)}).exit_code, 0);
  ASSERT_EQ(Vendor({"revoke", vdir, "--host", Iid(host, 2)}).exit_code, 0);
  ASSERT_EQ(Vendor({"revocations", vdir, "-o", dir_ / "r1"}).exit_code, 0);
  ASSERT_EQ(Vendor({"revocations", vdir, "-o", dir_ / "r2"}).exit_code, 0);
  const std::string keys_before = Vendor({"keys", vdir}).out;
  // A copy of the directory before the move: the same vendor, still on vendor.db.
  std::filesystem::copy(vdir, dir_ / "copy", std::filesystem::copy_options::recursive);

  const std::string url = server_->CreateDatabase("ledger");
  ProcessResult moved = Vendor({"migrate", vdir, "--to", url});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_NE(moved.err.find("3 keys, 2 host activations, 2 MAK activations, 1 revoked hosts, 2 "
                           "revocation list serials"),
            std::string::npos)
      << moved.err;
  struct stat st;
  ASSERT_EQ(::stat((vdir + "/database.url").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // Every row is there, and later commands use it without a flag.
  EXPECT_EQ(server_->Psql("ledger",
                          "SELECT (SELECT COUNT(*) FROM minted_keys), "
                          "(SELECT SUM(activations) FROM host_key_activations), "
                          "(SELECT COUNT(*) FROM mak_activations), "
                          "(SELECT COUNT(*) FROM revoked_hosts), "
                          "(SELECT MAX(serial) FROM revocation_lists), "
                          "(SELECT COUNT(*) FROM minted_keys WHERE revoked)"),
            "3|3|2|1|2|1\n");
  EXPECT_EQ(Vendor({"keys", vdir}).out, keys_before);
  // The audit log too, in its order (the copy still reads vendor.db).
  ProcessResult audit = Vendor({"audit", vdir, "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_NE(audit.out.find("\"confirm\""), std::string::npos) << audit.out;
  EXPECT_EQ(audit.out, Vendor({"audit", dir_ / "copy", "--json"}).out);
  ASSERT_EQ(Vendor({"revocations", vdir, "-o", dir_ / "r3"}).exit_code, 0);
  EXPECT_EQ(server_->Psql("ledger", "SELECT MAX(serial) FROM revocation_lists"), "3\n");
  // The limits carried over: host 2 was revoked, the spare key too.
  EXPECT_NE(Vendor({"confirm", vdir, Iid(host, 2)}).err.find("0xC0AC0004"), std::string::npos);
  EXPECT_NE(Vendor({"confirm", vdir, Iid(spare, 9)}).err.find("0xC0AC0004"), std::string::npos);
  Confirm(vdir, host, 1);
  EXPECT_EQ(server_->Psql("ledger", "SELECT SUM(activations) FROM host_key_activations"), "4\n");

  ProcessResult again = Vendor({"migrate", vdir, "--to", url});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already moved its ledger"), std::string::npos) << again.err;
  // The same vendor's old copy onto the now full database: refused, nothing added.
  ProcessResult onto_full = Vendor({"migrate", dir_ / "copy", "--to", url});
  EXPECT_EQ(onto_full.exit_code, 1);
  EXPECT_NE(onto_full.err.find("already holds a ledger"), std::string::npos) << onto_full.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "copy/database.url"));
  EXPECT_EQ(server_->Psql("ledger", "SELECT COUNT(*) FROM minted_keys"), "3\n");
  // Another vendor: refused by the ledger's owner.
  const std::string other = Init("other");
  ProcessResult foreign = Vendor({"migrate", other, "--to", url});
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_NE(foreign.err.find("holds the ledger of vendor"), std::string::npos) << foreign.err;
}

TEST_F(VendorPgCliTest, InitWithDbAndTheDbFlag) {
  // A vendor on PostgreSQL from the start.
  const std::string url = server_->CreateDatabase("from_start");
  const std::string pdir = Init("p", url);
  EXPECT_FALSE(std::filesystem::exists(pdir + "/vendor.db"));
  EXPECT_EQ(*ReadFile(pdir + "/database.url"), url + "\n");
  ProductKey key = Mint({"mint", "host", pdir, "--group", catalog_.groups[0].name});
  Confirm(pdir, key, 1);
  EXPECT_EQ(server_->Psql("from_start", "SELECT COUNT(*) FROM host_key_activations"), "1\n");

  // A vendor on vendor.db, pointed at a database for some commands only.
  const std::string other_url = server_->CreateDatabase("by_flag");
  const std::string qdir = Init("q");
  Mint({"mint", "host", qdir, "--group", catalog_.groups[0].name, "--db", other_url});
  EXPECT_EQ(server_->Psql("by_flag", "SELECT COUNT(*) FROM minted_keys"), "1\n");
  EXPECT_EQ(Vendor({"keys", qdir}).out.find("active"), std::string::npos);  // vendor.db: none
  EXPECT_NE(Vendor({"keys", qdir, "--db", other_url}).out.find("active"), std::string::npos);

  ProcessResult bad = Vendor({"keys", qdir, "--db", "mysql://ledger@127.0.0.1/x"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("unknown database URL"), std::string::npos) << bad.err;
  ProcessResult down = Vendor({"init", dir_ / "r", "--name", "R", "--db",
                               "postgresql://u:pw@127.0.0.1:1/x?connect_timeout=2"});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("cannot be reached"), std::string::npos) << down.err;
  EXPECT_EQ(down.err.find(":pw@"), std::string::npos) << down.err;
  // Nothing half made: init can run again.
  EXPECT_FALSE(std::filesystem::exists(dir_ / "r/vendor.key"));
}

// 100 `activa-vendor confirm` processes, ten at a time, on one MAK of
// count 50 in PostgreSQL: exactly 50 machines get it.
TEST_F(VendorPgCliTest, HundredConcurrentProcessesGetExactlyFifty) {
  const std::string url = server_->CreateDatabase("mak");
  const std::string vdir = Init("v", url);
  ProductKey mak =
      Mint({"mint", "mak", vdir, "--edition", catalog_.editions[0].name, "--count", "50"});
  std::atomic<int> ok{0}, over{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        ProcessResult r = Vendor({"confirm", vdir, Iid(mak, 1 + t * 10 + i)});
        if (r.exit_code == 0) {
          ++ok;
        } else if (r.err.find("0xC004C008") != std::string::npos) {
          ++over;
        } else {
          ++other;
          ADD_FAILURE() << r.err;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(over.load(), 50);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(server_->Psql("mak", "SELECT COUNT(*) FROM mak_activations"), "50\n");
  EXPECT_NE(Vendor({"keys", vdir}).out.find("50/50 machines"), std::string::npos);
}

}  // namespace
}  // namespace activa
