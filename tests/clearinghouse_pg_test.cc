// Two `activa-vendor serve` processes on one PostgreSQL ledger, driven over
// HTTPS at the same moment: the limits hold across processes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "base/file_util.h"
#include "catalog/catalog.h"
#include "crypto/signing.h"
#include "keys/activation_codes.h"
#include "testing/postgres_process.h"
#include "testing/process.h"
#include "testing/serve_process.h"
#include "testing/temp_dir.h"

namespace activa {
namespace {

using testing::PostgresProcess;
using testing::ProcessResult;
using testing::RunProcess;
using testing::ServeProcess;
using testing::TempDir;

ProcessResult Vendor(std::vector<std::string> args) {
  args.insert(args.begin(), ACTIVA_VENDOR_BIN);
  return RunProcess(args);
}

std::string Line(const std::string& out) { return out.substr(0, out.find('\n')); }

std::string Iid(const ProductKey& key, int n) {
  InstallationId iid;
  iid.machine_tag.fill(static_cast<std::uint8_t>(n));
  Bytes seed(32, 0x66);
  seed[0] = static_cast<std::uint8_t>(n);
  seed[1] = static_cast<std::uint8_t>(n >> 8);
  iid.host_public_key = SigningKey::FromSeed(seed).public_key();
  iid.host_key = key;
  return FormatInstallationId(iid);
}

struct Answer {
  int status = 0;
  std::string body;
};

// One POST through curl. -k: what this test checks is the ledger, not the
// certificate (the client's tests check that).
Answer Post(const std::string& url, const std::string& iid) {
  ProcessResult r = RunProcess(
      {"/usr/bin/curl", "-sk", "--max-time", "60", "-H", "Content-Type: application/json", "-d",
       "{\"installation_id\": \"" + iid + "\"}", "-w", "\n%{http_code}", url + "/v1/activations"});
  Answer a;
  std::size_t nl = r.out.rfind('\n');
  if (r.exit_code != 0 || nl == std::string::npos) return a;
  a.status = std::atoi(r.out.c_str() + nl + 1);
  a.body = r.out.substr(0, nl);
  return a;
}

class ClearinghousePgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ACTIVA_REQUIRE_POSTGRES();
    if (::access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "curl is not installed";
    InitCrypto();
    server_ = std::make_unique<PostgresProcess>();
    vdir_ = dir_ / "v";
    ProcessResult init = Vendor(
        {"init", vdir_, "--name", "Example Software", "--db", server_->CreateDatabase("ledger")});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    ASSERT_EQ(Vendor({"catalog", vdir_, "-o", dir_ / "catalog.json"}).exit_code, 0);
    catalog_ = *LoadCatalog(*ReadFile(dir_ / "catalog.json"));
    // No rate limits: the test is a flood on purpose. One after the other,
    // so the second finds the first one's certificate.
    for (int i = 0; i < 2; ++i) {
      serve_.push_back(std::make_unique<ServeProcess>(
          ACTIVA_VENDOR_BIN, vdir_,
          std::vector<std::string>{"--source-rate", "0", "--key-rate", "0"},
          dir_ / ("serve" + std::to_string(i) + ".log")));
    }
  }

  TempDir dir_;
  std::unique_ptr<PostgresProcess> server_;
  std::string vdir_;
  Catalog catalog_;
  std::vector<std::unique_ptr<ServeProcess>> serve_;
};

// 100 machines POST a MAK of count 50 at once, half to each process.
TEST_F(ClearinghousePgTest, HundredConcurrentMakActivationsOnTwoServersGiveFifty) {
  ProcessResult mint =
      Vendor({"mint", "mak", vdir_, "--edition", catalog_.editions[0].name, "--count", "50"});
  ASSERT_EQ(mint.exit_code, 0) << mint.err;
  ProductKey mak = *ParseProductKey(Line(mint.out));
  std::atomic<bool> go{false};
  std::atomic<int> ok{0}, over{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back([&, i] {
      const std::string iid = Iid(mak, i + 1);
      const std::string url = serve_[i % 2]->url();
      while (!go) std::this_thread::yield();
      Answer a = Post(url, iid);
      if (a.status == 200 && a.body.find("\"kind\":\"mak\"") != std::string::npos) {
        ++ok;
      } else if (a.status == 403 && a.body.find("0xC004C008") != std::string::npos) {
        ++over;
      } else {
        ++other;
        ADD_FAILURE() << a.status << " " << a.body;
      }
    });
  }
  go = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(over.load(), 50);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(server_->Psql("ledger", "SELECT COUNT(*) FROM mak_activations"), "50\n");
  EXPECT_NE(Vendor({"keys", vdir_}).out.find("50/50 machines"), std::string::npos);
  // Both processes wrote the audit log of the one ledger.
  EXPECT_EQ(server_->Psql("ledger", "SELECT COUNT(*) FROM audit_log WHERE operation = 'activate'"),
            "100\n");
}

// The seventh host on a 6-host key, the hosts spread over both processes.
TEST_F(ClearinghousePgTest, SeventhHostAcrossTwoServersIsRefused) {
  ProcessResult mint = Vendor({"mint", "host", vdir_, "--group", catalog_.groups[0].name});
  ASSERT_EQ(mint.exit_code, 0) << mint.err;
  ProductKey key = *ParseProductKey(Line(mint.out));
  for (int host = 1; host <= 6; ++host) {
    Answer a = Post(serve_[host % 2]->url(), Iid(key, host));
    EXPECT_EQ(a.status, 200) << host << ": " << a.body;
  }
  for (int s = 0; s < 2; ++s) {
    Answer seventh = Post(serve_[s]->url(), Iid(key, 7));
    EXPECT_EQ(seventh.status, 403) << seventh.body;
    EXPECT_NE(seventh.body.find("0xC004C008"), std::string::npos) << seventh.body;
  }
}

}  // namespace
}  // namespace activa
