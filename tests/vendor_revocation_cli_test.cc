// Drives the real activa-vendor program's revocation and certificate-expiry
// commands (docs/revocation.md): `revoke`, `revoke --host`, `revocations`
// and `mint host --certificate-days`.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>

#include "base/file_util.h"
#include "catalog/catalog.h"
#include "catalog/revocation_list.h"
#include "keys/activation_codes.h"
#include "keys/product_key.h"
#include "offline/offline_activation.h"
#include "testing/process.h"
#include "testing/temp_dir.h"

namespace activa {
namespace {

using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

constexpr std::int64_t kDay = 86400;

ProcessResult Vendor(std::vector<std::string> args) {
  args.insert(args.begin(), ACTIVA_VENDOR_BIN);
  return RunProcess(args);
}

std::string Line(const std::string& out) { return out.substr(0, out.find('\n')); }

class VendorRevocationCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vdir_ = dir_ / "v";
    ProcessResult init = Vendor({"init", vdir_, "--name", "Example Software"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    ProcessResult cat = Vendor({"catalog", vdir_, "-o", dir_ / "catalog.json"});
    ASSERT_EQ(cat.exit_code, 0) << cat.err;
    Result<Catalog> c = LoadCatalog(*ReadFile(dir_ / "catalog.json"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(c).value();
  }

  // Mints a host key through the program; extra arguments are appended.
  ProductKey MintHost(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"mint",    "host", vdir_, "--group", catalog_.groups[0].name,
                                     "--hosts", "3"};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult mint = Vendor(args);
    EXPECT_EQ(mint.exit_code, 0) << mint.err;
    Result<ProductKey> key = ParseProductKey(Line(mint.out));
    EXPECT_TRUE(key.ok()) << mint.out;
    return *key;
  }

  // A host's installation ID for `key` with a new key pair.
  static InstallationId NewHost(const ProductKey& key, std::uint8_t tag) {
    InstallationId iid{{}, SigningKey::Generate().public_key(), key};
    iid.machine_tag.fill(tag);
    return iid;
  }

  // Confirms through the program; the certificate the host would rebuild.
  Result<HostCertificate> Confirm(const InstallationId& iid, ProcessResult* out = nullptr) {
    ProcessResult confirm = Vendor({"confirm", vdir_, FormatInstallationId(iid)});
    if (out) *out = confirm;
    if (confirm.exit_code != 0) return Status(ResultCode::kInvalidArgument, confirm.err);
    Result<ConfirmationId> cid = ParseConfirmationId(Line(confirm.out));
    if (!cid.ok()) return cid.status();
    return CertificateFromConfirmation(iid, *cid, catalog_);
  }

  // Writes a list with `revocations -o` and verifies it under the catalog's keys.
  RevocationList Revocations(const std::string& name) {
    ProcessResult r = Vendor({"revocations", vdir_, "-o", dir_ / name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Result<RevocationList> list =
        LoadTrustedRevocationList(*ReadFile(dir_ / name), catalog_.vendor_keys);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? *list : RevocationList{};
  }

  TempDir dir_;
  std::string vdir_;
  Catalog catalog_;
};

TEST_F(VendorRevocationCliTest, RevocationsAreSignedAndNumberedFromOne) {
  RevocationList first = Revocations("1.revocations");
  EXPECT_EQ(first.serial, 1u);
  EXPECT_EQ(first.vendor_id, catalog_.vendor_id);
  EXPECT_TRUE(first.host_keys.empty());
  EXPECT_TRUE(first.host_certificates.empty());
  EXPECT_TRUE(first.maks.empty());
  EXPECT_EQ(first.signer, catalog_.vendor_keys[0]);
  EXPECT_LE(std::abs(first.issued - static_cast<std::int64_t>(::time(nullptr))), 60);

  // `-o -` writes the list to standard output, with the next serial.
  ProcessResult out = Vendor({"revocations", vdir_, "-o", "-"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  Result<RevocationList> second = LoadTrustedRevocationList(out.out, catalog_.vendor_keys);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->serial, 2u);
  EXPECT_EQ(Revocations("3.revocations").serial, 3u);

  // Another vendor's key does not verify it.
  EXPECT_EQ(LoadTrustedRevocationList(*ReadFile(dir_ / "1.revocations"),
                                      {SigningKey::Generate().public_key()})
                .status()
                .code(),
            ResultCode::kBadSignature);
}

TEST_F(VendorRevocationCliTest, RevokedKeyIsListedAndConfirmsNothingMore) {
  ProductKey revoked = MintHost();
  ProductKey kept = MintHost();
  ASSERT_TRUE(Confirm(NewHost(revoked, 1)).ok());
  ProcessResult r = Vendor({"revoke", vdir_, FormatProductKey(revoked)});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  ProcessResult refused;
  EXPECT_FALSE(Confirm(NewHost(revoked, 1), &refused).ok());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("0xC0AC0004"), std::string::npos) << refused.err;
  EXPECT_TRUE(Confirm(NewHost(kept, 2)).ok());

  RevocationList list = Revocations("r.revocations");
  ASSERT_EQ(list.host_keys.size(), 1u);
  EXPECT_EQ(list.host_keys[0], ProductKeyId(revoked));
  EXPECT_TRUE(list.host_certificates.empty());
  EXPECT_TRUE(list.RevokesHost(SigningKey::Generate().public_key(), ProductKeyId(revoked)));
  EXPECT_FALSE(list.RevokesHost(SigningKey::Generate().public_key(), ProductKeyId(kept)));
}

TEST_F(VendorRevocationCliTest, RevokeHostWithdrawsOneHostsKeyPair) {
  ProductKey key = MintHost();
  InstallationId bad = NewHost(key, 1);
  InstallationId good = NewHost(key, 2);
  ASSERT_TRUE(Confirm(bad).ok());
  ASSERT_TRUE(Confirm(good).ok());

  ProcessResult r = Vendor({"revoke", vdir_, "--host", FormatInstallationId(bad)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("revocations"), std::string::npos) << r.err;

  // The revoked host is confirmed no more, whatever host key it shows; the
  // other host of the same key still is.
  ProcessResult refused;
  EXPECT_FALSE(Confirm(bad, &refused).ok());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("0xC0AC0004"), std::string::npos) << refused.err;
  InstallationId moved = bad;
  moved.host_key = MintHost();
  EXPECT_FALSE(Confirm(moved).ok());
  EXPECT_TRUE(Confirm(good).ok());

  RevocationList list = Revocations("h.revocations");
  EXPECT_TRUE(list.host_keys.empty());
  ASSERT_EQ(list.host_certificates.size(), 1u);
  EXPECT_EQ(list.host_certificates[0], bad.host_public_key);
  EXPECT_TRUE(list.RevokesHost(bad.host_public_key, ProductKeyId(key)));
  EXPECT_FALSE(list.RevokesHost(good.host_public_key, ProductKeyId(key)));
}

TEST_F(VendorRevocationCliTest, RevokeUsageErrors) {
  ProductKey key = MintHost();
  InstallationId iid = NewHost(key, 1);
  EXPECT_EQ(Vendor({"revoke", vdir_}).exit_code, 2);  // neither KEY nor --host
  EXPECT_EQ(Vendor({"revoke", vdir_, FormatProductKey(key), "--host", FormatInstallationId(iid)})
                .exit_code,
            2);
  ProcessResult typo = Vendor({"revoke", vdir_, "--host", "BCDFG-BCDFG"});
  EXPECT_EQ(typo.exit_code, 1);
  // A setup key is public: it cannot be revoked.
  ProcessResult setup = Vendor({"revoke", vdir_, catalog_.editions[0].setup_key});
  EXPECT_EQ(setup.exit_code, 1);
  EXPECT_NE(setup.err.find("0xC0AC0006"), std::string::npos) << setup.err;
  // Nothing of that was revoked.
  EXPECT_TRUE(Confirm(iid).ok());
  RevocationList list = Revocations("u.revocations");
  EXPECT_TRUE(list.host_keys.empty());
  EXPECT_TRUE(list.host_certificates.empty());
}

TEST_F(VendorRevocationCliTest, MintHostCertificateDaysSetsTheNotAfter) {
  const std::int64_t before = ::time(nullptr);
  ProductKey one_day = MintHost({"--certificate-days", "1"});
  ProductKey default_days = MintHost();
  Result<HostCertificate> short_cert = Confirm(NewHost(one_day, 1));
  Result<HostCertificate> long_cert = Confirm(NewHost(default_days, 2));
  const std::int64_t after = ::time(nullptr);
  ASSERT_TRUE(short_cert.ok()) << short_cert.status().ToString();
  ASSERT_TRUE(long_cert.ok()) << long_cert.status().ToString();
  // Dated on the UTC day of issue; good until the last second before that
  // day plus the days.
  auto not_after = [](std::int64_t t, int days) { return (t / kDay + days) * kDay - 1; };
  EXPECT_TRUE(short_cert->not_after == not_after(before, 1) ||
              short_cert->not_after == not_after(after, 1))
      << short_cert->not_after;
  EXPECT_TRUE(long_cert->not_after == not_after(before, kDefaultCertificateDays) ||
              long_cert->not_after == not_after(after, kDefaultCertificateDays))
      << long_cert->not_after;

  ProcessResult mint = Vendor(
      {"mint", "host", vdir_, "--group", catalog_.groups[0].name, "--certificate-days", "30"});
  ASSERT_EQ(mint.exit_code, 0) << mint.err;
  EXPECT_NE(mint.err.find("30 days"), std::string::npos) << mint.err;

  for (const char* days : {"0", "3651", "-1", "x"}) {
    ProcessResult bad = Vendor(
        {"mint", "host", vdir_, "--group", catalog_.groups[0].name, "--certificate-days", days});
    EXPECT_EQ(bad.exit_code, 2) << days << ": " << bad.err;
    EXPECT_TRUE(bad.out.empty()) << days << ": minted " << bad.out;
  }
  EXPECT_EQ(Vendor({"mint", "host", vdir_, "--group", catalog_.groups[0].name, "--certificate-days",
                    "3650"})
                .exit_code,
            0);
}

}  // namespace
}  // namespace activa
