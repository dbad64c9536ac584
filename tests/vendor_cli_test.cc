// Drives the real activa-vendor program the way a vendor's scripts would.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "base/file_util.h"
#include "catalog/catalog.h"
#include "keys/activation_codes.h"
#include "offline/offline_activation.h"
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

class VendorCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ProcessResult init = Vendor({"init", dir_ / "v", "--name", "Example Software"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    vdir_ = dir_ / "v";
  }
  TempDir dir_;
  std::string vdir_;
};

TEST_F(VendorCliTest, InitThenCatalogWorksUnchanged) {
  ProcessResult cat = Vendor({"catalog", vdir_, "-o", dir_ / "catalog.json"});
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  Result<Catalog> c = LoadCatalog(*ReadFile(dir_ / "catalog.json"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->vendor_name, "Example Software");
  ASSERT_EQ(c->editions.size(), 2u);
  EXPECT_EQ(c->editions[0].threshold, 25);
  EXPECT_EQ(c->editions[1].threshold, 5);
  ProcessResult show = Vendor({"show-catalog", dir_ / "catalog.json"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("signature verified"), std::string::npos);
  EXPECT_NE(show.out.find(c->editions[0].setup_key), std::string::npos);
}

TEST_F(VendorCliTest, TamperedCatalogIsRefusedByShowCatalog) {
  ASSERT_EQ(Vendor({"catalog", vdir_, "-o", dir_ / "catalog.json"}).exit_code, 0);
  std::string text = *ReadFile(dir_ / "catalog.json");
  std::size_t at = text.find("threshold\\\":25");
  ASSERT_NE(at, std::string::npos);
  text[at + 13] = '2';  // 25 -> 22
  ASSERT_TRUE(WriteFileAtomic(dir_ / "altered.json", text, 0644, true).ok());
  ProcessResult show = Vendor({"show-catalog", dir_ / "altered.json"});
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_NE(show.err.find("0xC0AC0001"), std::string::npos) << show.err;
}

TEST_F(VendorCliTest, InitRefusesToOverwriteAVendor) {
  std::string key_before = *ReadFile(vdir_ + "/vendor.key");
  ProcessResult again = Vendor({"init", vdir_, "--name", "Other"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already"), std::string::npos);
  EXPECT_EQ(*ReadFile(vdir_ + "/vendor.key"), key_before);
}

TEST_F(VendorCliTest, MintConfirmAndLimits) {
  ASSERT_EQ(Vendor({"catalog", vdir_, "-o", dir_ / "catalog.json"}).exit_code, 0);
  Catalog catalog = *LoadCatalog(*ReadFile(dir_ / "catalog.json"));
  ProcessResult mint = Vendor({"mint", "host", vdir_, "--group", catalog.groups[0].name, "--hosts",
                               "1", "--activations", "2"});
  ASSERT_EQ(mint.exit_code, 0) << mint.err;
  Result<ProductKey> key = ParseProductKey(Line(mint.out));
  ASSERT_TRUE(key.ok()) << mint.out;
  EXPECT_EQ(key->kind, KeyKind::kHost);

  // A host shows its installation ID; the vendor answers with a confirmation ID.
  SigningKey host = SigningKey::Generate();
  InstallationId iid{{1, 1, 1, 1, 1, 1, 1, 1}, host.public_key(), *key};
  for (int i = 0; i < 2; ++i) {
    ProcessResult confirm = Vendor({"confirm", vdir_, FormatInstallationId(iid)});
    ASSERT_EQ(confirm.exit_code, 0) << confirm.err;
    Result<ConfirmationId> cid = ParseConfirmationId(Line(confirm.out));
    ASSERT_TRUE(cid.ok()) << confirm.out;
    EXPECT_TRUE(CertificateFromConfirmation(iid, *cid, catalog).ok());
  }
  ProcessResult third = Vendor({"confirm", vdir_, FormatInstallationId(iid)});
  EXPECT_EQ(third.exit_code, 1);
  EXPECT_NE(third.err.find("0xC004C008"), std::string::npos) << third.err;
  InstallationId other = iid;
  other.machine_tag.fill(2);
  EXPECT_EQ(Vendor({"confirm", vdir_, FormatInstallationId(other)}).exit_code, 1);

  ProcessResult keys = Vendor({"keys", vdir_});
  EXPECT_EQ(keys.exit_code, 0);
  EXPECT_NE(keys.out.find(Line(mint.out)), std::string::npos);
  EXPECT_NE(keys.out.find("1/1 hosts"), std::string::npos) << keys.out;
}

// A MAK's installation ID gets a MAK activation, never a host certificate
// (mak_vendor_cli_test.cc has the count).
TEST_F(VendorCliTest, MakGetsAMakActivation) {
  Catalog catalog =
      *LoadCatalog(*ReadFile((Vendor({"catalog", vdir_, "-o", dir_ / "c.json"}), dir_ / "c.json")));
  ProcessResult mak =
      Vendor({"mint", "mak", vdir_, "--edition", catalog.editions[0].name, "--count", "5"});
  ASSERT_EQ(mak.exit_code, 0) << mak.err;
  ProductKey key = *ParseProductKey(Line(mak.out));
  EXPECT_EQ(key.kind, KeyKind::kMak);
  InstallationId iid{{1, 1, 1, 1, 1, 1, 1, 1}, SigningKey::Generate().public_key(), key};
  ProcessResult confirm = Vendor({"confirm", vdir_, FormatInstallationId(iid)});
  ASSERT_EQ(confirm.exit_code, 0) << confirm.err;
  EXPECT_NE(confirm.err.find("MAK activation"), std::string::npos) << confirm.err;
  Result<ConfirmationId> cid = ParseConfirmationId(Line(confirm.out));
  ASSERT_TRUE(cid.ok()) << cid.status().ToString();
  EXPECT_EQ(cid->valid_days, 65535);
  EXPECT_EQ(CertificateFromConfirmation(iid, *cid, catalog).status().code(),
            ResultCode::kWrongKeyKind);
}

TEST_F(VendorCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Vendor({}).exit_code, 2);
  EXPECT_EQ(Vendor({"mint", "mak", vdir_, "--edition", "x"}).exit_code, 2);  // no --count
  EXPECT_EQ(Vendor({"mint", "host", vdir_, "--group", "x", "--hosts", "0"}).exit_code, 2);
  ProcessResult typo = Vendor({"confirm", vdir_, "BCDFG-BCDFG"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_NE(typo.err.find("installation ID"), std::string::npos) << typo.err;
}

}  // namespace
}  // namespace activa
