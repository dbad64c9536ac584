// activa-vendor with MAKs: confirm from many processes at once, and `keys`.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "base/file_util.h"
#include "catalog/catalog.h"
#include "crypto/signing.h"
#include "keys/activation_codes.h"
#include "offline/mak_activation.h"
#include "testing/process.h"
#include "testing/temp_dir.h"

namespace activa {
namespace {

using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

ProcessResult Vendor(std::vector<std::string> args) {
  args.insert(args.begin(), ACTIVA_VENDOR_BIN);
  return RunProcess(args);
}

std::string Line(const std::string& out) { return out.substr(0, out.find('\n')); }

// Machine `n`'s installation ID for `mak`: its own key pair and CMID.
std::string MachineIid(const ProductKey& mak, int n) {
  Uuid cmid{};
  cmid[0] = static_cast<std::uint8_t>(n >> 8);
  cmid[1] = static_cast<std::uint8_t>(n);
  Bytes seed(32, 0x77);
  seed[0] = cmid[0];
  seed[1] = cmid[1];
  InstallationId iid;
  iid.machine_tag = MachineTagOf(cmid);
  iid.host_public_key = SigningKey::FromSeed(seed).public_key();
  iid.host_key = mak;
  return FormatInstallationId(iid);
}

class MakVendorCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    ProcessResult init = Vendor({"init", dir_ / "v", "--name", "Example Software"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    vdir_ = dir_ / "v";
    ASSERT_EQ(Vendor({"catalog", vdir_, "-o", dir_ / "catalog.json"}).exit_code, 0);
    catalog_ = *LoadCatalog(*ReadFile(dir_ / "catalog.json"));
  }
  ProductKey MintMak(int count) {
    ProcessResult mint = Vendor({"mint", "mak", vdir_, "--edition", catalog_.editions[0].name,
                                 "--count", std::to_string(count)});
    EXPECT_EQ(mint.exit_code, 0) << mint.err;
    return *ParseProductKey(Line(mint.out));
  }
  TempDir dir_;
  std::string vdir_;
  Catalog catalog_;
};

TEST_F(MakVendorCliTest, ConfirmAndKeysShowTheMachinesUsed) {
  ProductKey mak = MintMak(3);
  ProcessResult keys = Vendor({"keys", vdir_});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  EXPECT_NE(keys.out.find("0/3 machines"), std::string::npos) << keys.out;
  ProcessResult cid = Vendor({"confirm", vdir_, MachineIid(mak, 1)});
  ASSERT_EQ(cid.exit_code, 0) << cid.err;
  EXPECT_NE(cid.err.find("does not expire"), std::string::npos) << cid.err;
  Result<ConfirmationId> parsed = ParseConfirmationId(Line(cid.out));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->valid_days, kMakValidDays);
  // The same machine again: still one machine.
  ASSERT_EQ(Vendor({"confirm", vdir_, MachineIid(mak, 1)}).exit_code, 0);
  keys = Vendor({"keys", vdir_});
  EXPECT_NE(keys.out.find("1/3 machines"), std::string::npos) << keys.out;
}

// 100 `activa-vendor confirm` processes on one MAK of count 50, ten at a
// time, sharing vendor.db: exactly 50 succeed, the rest are refused with
// 0xC004C008, and the ledger says 50.
TEST_F(MakVendorCliTest, HundredConcurrentProcessesGetExactlyFifty) {
  ProductKey mak = MintMak(50);
  std::atomic<int> ok{0}, over{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        ProcessResult r = Vendor({"confirm", vdir_, MachineIid(mak, 1 + t * 10 + i)});
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
  ProcessResult keys = Vendor({"keys", vdir_});
  EXPECT_NE(keys.out.find("50/50 machines"), std::string::npos) << keys.out;
}

}  // namespace
}  // namespace activa
