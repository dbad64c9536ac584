#include "vendor/vendor.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "base/file_util.h"
#include "catalog/revocation_list.h"
#include "keys/activation_codes.h"
#include "offline/mak_activation.h"
#include "offline/offline_activation.h"

namespace activa {
namespace {

constexpr std::int64_t kNow = 1795000000;

class VendorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "activa-vendor-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl + "/vendor";
    ASSERT_TRUE(Vendor::Init(dir_, "Example").ok());
  }
  void TearDown() override {
    std::filesystem::remove_all(std::filesystem::path(dir_).parent_path());
  }

  Vendor OpenVendor() {
    Result<Vendor> v = Vendor::Open(dir_);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return std::move(v).value();
  }

  InstallationId HostIid(const ProductKey& key, std::uint8_t machine) {
    InstallationId iid;
    iid.machine_tag.fill(machine);
    iid.host_public_key = SigningKey::FromSeed(Bytes(32, machine)).public_key();
    iid.host_key = key;
    return iid;
  }

  std::string dir_;
};

TEST_F(VendorTest, InitIsPrivateAndNeverOverwrites) {
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/vendor.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string key_before = *ReadFile(dir_ + "/vendor.key");
  Status again = Vendor::Init(dir_, "Other");
  EXPECT_EQ(again.code(), ResultCode::kFileExists);
  EXPECT_EQ(*ReadFile(dir_ + "/vendor.key"), key_before);
  EXPECT_EQ(Vendor::Init(dir_ + "2", "bad\nname").code(), ResultCode::kInvalidArgument);
}

TEST_F(VendorTest, CatalogFromTheTemplateLoadsWithSetupKeys) {
  Vendor v = OpenVendor();
  Result<std::string> text = v.SignedCatalog(kNow);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  Result<Catalog> c = LoadCatalog(*text);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->editions.size(), 2u);
  for (const Edition& e : c->editions) {
    Result<ProductKey> setup = ParseProductKey(e.setup_key);
    ASSERT_TRUE(setup.ok()) << e.setup_key;
    EXPECT_EQ(setup->kind, KeyKind::kSetup);
    EXPECT_EQ(setup->item, e.code);
    EXPECT_EQ(setup->vendor_tag, c->vendor_tag());
  }
  EXPECT_EQ(c->issued, kNow);
}

TEST_F(VendorTest, ConfirmEnforcesHostAndActivationLimits) {
  Vendor v = OpenVendor();
  const std::string group = v.catalog().groups[0].name;
  Result<MintedKey> minted = v.MintHostKey(group, /*max_hosts=*/2, /*max_activations=*/3, kNow);
  ASSERT_TRUE(minted.ok()) << minted.status().ToString();
  ProductKey key = *ParseProductKey(minted->text);
  EXPECT_EQ(key.kind, KeyKind::kHost);

  // Host 1: three activations, then its per-host limit.
  for (int i = 0; i < 3; ++i) {
    Result<std::string> cid = v.Confirm(FormatInstallationId(HostIid(key, 1)), kNow);
    ASSERT_TRUE(cid.ok()) << cid.status().ToString();
    // The host can rebuild a certificate that verifies.
    Result<HostCertificate> cert =
        CertificateFromConfirmation(HostIid(key, 1), *ParseConfirmationId(*cid), v.catalog());
    EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  }
  Result<std::string> fourth = v.Confirm(FormatInstallationId(HostIid(key, 1)), kNow);
  EXPECT_EQ(fourth.status().code(), ResultCode::kKeyOverLimit);
  EXPECT_NE(fourth.status().message().find("3 times"), std::string::npos);
  // Host 2 is the second host; host 3 is one too many.
  EXPECT_TRUE(v.Confirm(FormatInstallationId(HostIid(key, 2)), kNow).ok());
  Result<std::string> third_host = v.Confirm(FormatInstallationId(HostIid(key, 3)), kNow);
  EXPECT_EQ(third_host.status().code(), ResultCode::kKeyOverLimit);
  EXPECT_NE(third_host.status().message().find("2 hosts"), std::string::npos);

  Result<std::vector<MintedKey>> keys = v.ListKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].hosts_used, 2);
  EXPECT_EQ((*keys)[0].activations_used, 4);
}

TEST_F(VendorTest, DefaultLimitsAreSixHostsTenActivations) {
  Vendor v = OpenVendor();
  Result<MintedKey> minted =
      v.MintHostKey(v.catalog().groups[0].name, kDefaultMaxHosts, kDefaultMaxActivations, kNow);
  ASSERT_TRUE(minted.ok());
  ProductKey key = *ParseProductKey(minted->text);
  for (std::uint8_t host = 1; host <= 6; ++host) {
    ASSERT_TRUE(v.Confirm(FormatInstallationId(HostIid(key, host)), kNow).ok()) << int(host);
  }
  EXPECT_EQ(v.Confirm(FormatInstallationId(HostIid(key, 7)), kNow).status().code(),
            ResultCode::kKeyOverLimit);
}

// The machine tag is what the host says about itself; the key pair is what
// it proves. Four key pairs behind one tag are four hosts.
TEST_F(VendorTest, HostsAreCountedByPublicKeyNotByMachineTag) {
  Vendor v = OpenVendor();
  Result<MintedKey> minted =
      v.MintHostKey(v.catalog().groups[0].name, kDefaultMaxHosts, kDefaultMaxActivations, kNow);
  ASSERT_TRUE(minted.ok());
  ProductKey key = *ParseProductKey(minted->text);
  auto same_tag = [&](std::uint8_t pair) {
    InstallationId iid = HostIid(key, pair);
    iid.machine_tag.fill(0x42);
    return FormatInstallationId(iid);
  };
  for (std::uint8_t pair = 1; pair <= 4; ++pair) {
    ASSERT_TRUE(v.Confirm(same_tag(pair), kNow).ok()) << int(pair);
  }
  Result<std::vector<MintedKey>> keys = v.ListKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)[0].hosts_used, 4);
  EXPECT_TRUE(v.Confirm(same_tag(5), kNow).ok());
  EXPECT_TRUE(v.Confirm(same_tag(6), kNow).ok());
  Result<std::string> seventh = v.Confirm(same_tag(7), kNow);
  EXPECT_EQ(seventh.status().code(), ResultCode::kKeyOverLimit);
  // Reactivations count per key pair too: the same pair under another tag
  // is the same host.
  EXPECT_TRUE(v.Confirm(FormatInstallationId(HostIid(key, 1)), kNow).ok());
  keys = v.ListKeys();
  EXPECT_EQ((*keys)[0].hosts_used, 6);
  EXPECT_EQ((*keys)[0].activations_used, 7);
}

TEST_F(VendorTest, CertificatesEndAfterTheKeysCertificateDays) {
  Vendor v = OpenVendor();
  Result<MintedKey> minted = v.MintHostKey(v.catalog().groups[0].name, 6, 10, kNow, 30);
  ASSERT_TRUE(minted.ok()) << minted.status().ToString();
  EXPECT_EQ(minted->certificate_days, 30);
  ProductKey key = *ParseProductKey(minted->text);
  Result<std::string> cid = v.Confirm(FormatInstallationId(HostIid(key, 1)), kNow);
  ASSERT_TRUE(cid.ok());
  Result<HostCertificate> cert =
      CertificateFromConfirmation(HostIid(key, 1), *ParseConfirmationId(*cid), v.catalog());
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(cert->not_after, (kNow / 86400 + 30) * 86400 - 1);
  // A reactivation later issues a fresh certificate from its own day.
  const std::int64_t later = kNow + 20 * 86400;
  cid = v.Confirm(FormatInstallationId(HostIid(key, 1)), later);
  ASSERT_TRUE(cid.ok());
  cert = CertificateFromConfirmation(HostIid(key, 1), *ParseConfirmationId(*cid), v.catalog());
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(cert->not_after, (later / 86400 + 30) * 86400 - 1);
  EXPECT_EQ(v.MintHostKey(v.catalog().groups[0].name, 6, 10, kNow, 0).status().code(),
            ResultCode::kInvalidArgument);
}

TEST_F(VendorTest, SetupKeysAndForeignKeysAreNotHostKeys) {
  Vendor v = OpenVendor();
  // (A MAK takes its own path: VendorMakTest.)
  ProductKey setup = *ParseProductKey(v.catalog().editions[0].setup_key);
  EXPECT_EQ(v.Confirm(FormatInstallationId(HostIid(setup, 1)), kNow).status().code(),
            ResultCode::kWrongKeyKind);
  // A well-formed host key that this vendor never minted (wrong MAC).
  ProductKey forged = *MintProductKey(Bytes(32, 0x55), KeyKind::kHost, v.catalog().vendor_tag(),
                                      v.catalog().groups[0].code, 1);
  EXPECT_EQ(v.Confirm(FormatInstallationId(HostIid(forged, 1)), kNow).status().code(),
            ResultCode::kInvalidKey);
}

TEST_F(VendorTest, RevokedKeysAreRefused) {
  Vendor v = OpenVendor();
  Result<MintedKey> minted = v.MintHostKey(v.catalog().groups[0].name, 6, 10, kNow);
  ASSERT_TRUE(minted.ok());
  ASSERT_TRUE(v.Revoke(minted->text).ok());
  ProductKey key = *ParseProductKey(minted->text);
  EXPECT_EQ(v.Confirm(FormatInstallationId(HostIid(key, 1)), kNow).status().code(),
            ResultCode::kKeyRevoked);
}

TEST_F(VendorTest, RevocationListsNameWhatWasRevokedWithRisingSerials) {
  Vendor v = OpenVendor();
  Result<MintedKey> host_key = v.MintHostKey(v.catalog().groups[0].name, 6, 10, kNow);
  Result<MintedKey> mak = v.MintMak(v.catalog().editions[0].name, 10, kNow);
  ASSERT_TRUE(host_key.ok() && mak.ok());
  ProductKey key = *ParseProductKey(host_key->text);
  ASSERT_TRUE(v.Confirm(FormatInstallationId(HostIid(key, 1)), kNow).ok());
  const PublicKey vendor_key = v.catalog().vendor_keys.front();

  Result<std::string> first = v.SignedRevocations(kNow);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<RevocationList> empty = LoadTrustedRevocationList(*first, {vendor_key});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->serial, 1u);
  EXPECT_FALSE(empty->RevokesHost(HostIid(key, 1).host_public_key, ProductKeyId(key)));

  ASSERT_TRUE(v.RevokeHost(FormatInstallationId(HostIid(key, 1)), kNow).ok());
  ASSERT_TRUE(v.Revoke(mak->text).ok());
  // A revoked host is not confirmed again, the key's other hosts are.
  EXPECT_EQ(v.Confirm(FormatInstallationId(HostIid(key, 1)), kNow).status().code(),
            ResultCode::kKeyRevoked);
  EXPECT_TRUE(v.Confirm(FormatInstallationId(HostIid(key, 2)), kNow).ok());
  Result<RevocationList> second =
      LoadTrustedRevocationList(*v.SignedRevocations(kNow + 60), {vendor_key});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->serial, 2u);
  EXPECT_EQ(second->vendor_id, v.catalog().vendor_id);
  EXPECT_TRUE(second->RevokesHost(HostIid(key, 1).host_public_key, {}));
  EXPECT_FALSE(second->RevokesHost(HostIid(key, 2).host_public_key, ProductKeyId(key)));
  EXPECT_TRUE(second->RevokesMak(ProductKeyId(*ParseProductKey(mak->text))));

  ASSERT_TRUE(v.Revoke(host_key->text).ok());
  Result<RevocationList> third =
      LoadTrustedRevocationList(*v.SignedRevocations(kNow + 120), {vendor_key});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->serial, 3u);
  EXPECT_TRUE(third->RevokesHost(HostIid(key, 2).host_public_key, ProductKeyId(key)));
}

TEST_F(VendorTest, MistypedInstallationIdNamesTheGroup) {
  Vendor v = OpenVendor();
  Result<MintedKey> minted = v.MintHostKey(v.catalog().groups[0].name, 6, 10, kNow);
  std::string iid = FormatInstallationId(HostIid(*ParseProductKey(minted->text), 1));
  // Change one character of the third group (positions 12..16 with dashes).
  char& c = iid[13];
  c = c == 'B' ? 'C' : 'B';
  Result<std::string> cid = v.Confirm(iid, kNow);
  ASSERT_FALSE(cid.ok());
  EXPECT_NE(cid.status().message().find("group 3"), std::string::npos) << cid.status().message();
}

TEST_F(VendorTest, UnknownGroupOrEditionListsTheKnownOnes) {
  Vendor v = OpenVendor();
  Result<MintedKey> bad = v.MintHostKey("Nope", 6, 10, kNow);
  EXPECT_EQ(bad.status().code(), ResultCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find(v.catalog().groups[0].name), std::string::npos);
  EXPECT_EQ(v.MintMak("Nope", 5, kNow).status().code(), ResultCode::kInvalidArgument);
  EXPECT_EQ(v.MintMak(v.catalog().editions[0].name, 0, kNow).status().code(),
            ResultCode::kInvalidArgument);
}

}  // namespace
}  // namespace activa

namespace activa {
namespace {

class VendorMakTest : public VendorTest {
 protected:
  // A MAK of the template's first edition.
  ProductKey MintMak(Vendor& v, int count) {
    Result<MintedKey> minted = v.MintMak(v.catalog().editions[0].name, count, kNow);
    EXPECT_TRUE(minted.ok()) << minted.status().ToString();
    return *ParseProductKey(minted->text);
  }
  // Machine `n`: its own key pair and the tag of its CMID.
  InstallationId MachineIid(const ProductKey& mak, int n) {
    InstallationId iid;
    Uuid cmid{};
    cmid[0] = static_cast<std::uint8_t>(n >> 8);
    cmid[1] = static_cast<std::uint8_t>(n);
    iid.machine_tag = MachineTagOf(cmid);
    Bytes seed(32, 0x5a);
    seed[0] = cmid[0];
    seed[1] = cmid[1];
    iid.host_public_key = SigningKey::FromSeed(seed).public_key();
    iid.host_key = mak;
    return iid;
  }
};

TEST_F(VendorMakTest, ConfirmIssuesAMakActivationThatNeverExpires) {
  Vendor v = OpenVendor();
  ProductKey mak = MintMak(v, 2);
  InstallationId iid = MachineIid(mak, 1);
  Result<std::string> text = v.Confirm(FormatInstallationId(iid), kNow);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  Result<ConfirmationId> cid = ParseConfirmationId(*text);
  ASSERT_TRUE(cid.ok());
  EXPECT_EQ(cid->valid_days, kMakValidDays);
  Result<MakActivation> a = MakActivationFromConfirmation(iid, *cid, v.catalog());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->edition_id, v.catalog().editions[0].id);
  EXPECT_EQ(a->vendor_id, v.catalog().vendor_id);
  // A host's confirmation path never sees a MAK: the answer is no certificate.
  EXPECT_EQ(CertificateFromConfirmation(iid, *cid, v.catalog()).status().code(),
            ResultCode::kWrongKeyKind);
}

TEST_F(VendorMakTest, CountHoldsAndTheSameMachineUsesNoSecondActivation) {
  Vendor v = OpenVendor();
  ProductKey mak = MintMak(v, 2);
  ASSERT_TRUE(v.Confirm(FormatInstallationId(MachineIid(mak, 1)), kNow).ok());
  // The same machine, again and again (a reinstall): still one activation.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(v.Confirm(FormatInstallationId(MachineIid(mak, 1)), kNow + i).ok());
  }
  ASSERT_TRUE(v.Confirm(FormatInstallationId(MachineIid(mak, 2)), kNow).ok());
  Result<std::string> third = v.Confirm(FormatInstallationId(MachineIid(mak, 3)), kNow);
  EXPECT_EQ(third.status().code(), ResultCode::kKeyOverLimit);
  EXPECT_NE(third.status().message().find("2 machines"), std::string::npos);
  // A machine is its key pair: machine 3's key under machine 1's tag is a
  // third machine, refused.
  InstallationId borrowed_tag = MachineIid(mak, 3);
  borrowed_tag.machine_tag = MachineIid(mak, 1).machine_tag;
  EXPECT_EQ(v.Confirm(FormatInstallationId(borrowed_tag), kNow).status().code(),
            ResultCode::kKeyOverLimit);
  // Those already holding it still confirm.
  EXPECT_TRUE(v.Confirm(FormatInstallationId(MachineIid(mak, 2)), kNow).ok());
  Result<std::vector<MintedKey>> keys = v.ListKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].kind, KeyKind::kMak);
  EXPECT_EQ((*keys)[0].mak_count, 2);
  EXPECT_EQ((*keys)[0].activations_used, 2);
}

TEST_F(VendorMakTest, RevokedForgedAndForeignMaksAreRefused) {
  Vendor v = OpenVendor();
  ProductKey mak = MintMak(v, 5);
  // A MAC that is not the vendor's.
  InstallationId forged = MachineIid(mak, 1);
  forged.host_key.mac ^= 1;
  EXPECT_EQ(v.Confirm(FormatInstallationId(forged), kNow).status().code(), ResultCode::kInvalidKey);
  // Another vendor's tag.
  InstallationId foreign = MachineIid(mak, 1);
  foreign.host_key.vendor_tag ^= 1;
  EXPECT_EQ(v.Confirm(FormatInstallationId(foreign), kNow).status().code(),
            ResultCode::kInvalidKey);
  ASSERT_TRUE(v.Revoke(FormatProductKey(mak)).ok());
  EXPECT_EQ(v.Confirm(FormatInstallationId(MachineIid(mak, 1)), kNow).status().code(),
            ResultCode::kKeyRevoked);
}

// 100 machines confirm one MAK of count 50 at once, from ten threads, each
// with its own Vendor and so its own database connection: only the
// database can keep the count, and exactly 50 succeed.
TEST_F(VendorMakTest, ConcurrentConfirmationsNeverOversellTheCount) {
  ProductKey mak;
  {
    Vendor v = OpenVendor();
    mak = MintMak(v, 50);
  }
  std::atomic<int> ok{0}, over{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    threads.emplace_back([&, t] {
      Result<Vendor> v = Vendor::Open(dir_);
      if (!v.ok()) {
        other += 10;
        return;
      }
      for (int i = 0; i < 10; ++i) {
        Result<std::string> cid =
            v->Confirm(FormatInstallationId(MachineIid(mak, 1 + t * 10 + i)), kNow);
        if (cid.ok()) {
          ++ok;
        } else if (cid.status().code() == ResultCode::kKeyOverLimit) {
          ++over;
        } else {
          ++other;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(over.load(), 50);
  EXPECT_EQ(other.load(), 0);
  Vendor v = OpenVendor();
  Result<std::vector<MintedKey>> keys = v.ListKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)[0].activations_used, 50);
}

}  // namespace
}  // namespace activa
