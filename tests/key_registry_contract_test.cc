// The KeyRegistry contract (src/vendor/key_registry.h), run on every
// implementation: SQLite in a temporary folder and a real PostgreSQL
// server. The concurrency tests give each thread its own registry, hence
// its own connection, as separate processes have.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "base/uuid.h"
#include "crypto/signing.h"
#include "keys/product_key.h"
#include "testing/postgres_process.h"
#include "testing/temp_dir.h"
#include "vendor/pg_key_registry.h"
#include "vendor/sqlite_key_registry.h"

namespace activa {
namespace {

using testing::PostgresProcess;
using testing::TempDir;

constexpr std::int64_t kNow = 1795000000;
constexpr std::string_view kVendorId = "6f1f4bde-3c2a-4e55-9a5e-0d7b1c2e3f40";

class SqliteBackend {
 public:
  static constexpr bool kNeedsPostgres = false;
  Result<std::unique_ptr<KeyRegistry>> Open() {
    Result<SqliteKeyRegistry> r = SqliteKeyRegistry::Open(dir_ / "vendor.db", /*create=*/true);
    if (!r.ok()) return r.status();
    return std::unique_ptr<KeyRegistry>(new SqliteKeyRegistry(std::move(r).value()));
  }

 private:
  TempDir dir_;
};

// One server for the whole test program; a database of its own per test.
PostgresProcess& Server() {
  static auto* server = new PostgresProcess();
  static struct Stop {
    ~Stop() { delete server; }
  } stop;
  return *server;
}

class PostgresBackend {
 public:
  static constexpr bool kNeedsPostgres = true;
  PostgresBackend() {
    static std::atomic<int> next{0};
    url_ = Server().CreateDatabase("contract_" + std::to_string(next++));
  }
  Result<std::unique_ptr<KeyRegistry>> Open() {
    Result<std::unique_ptr<PgKeyRegistry>> r = PgKeyRegistry::Open(url_, kVendorId);
    if (!r.ok()) return r.status();
    return std::unique_ptr<KeyRegistry>(std::move(r).value());
  }

 private:
  std::string url_;
};

template <typename Backend>
class KeyRegistryContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Backend::kNeedsPostgres) {
      ACTIVA_REQUIRE_POSTGRES();
    }
    backend_ = std::make_unique<Backend>();
    registry_ = OpenOne();
    ASSERT_NE(registry_, nullptr);
  }

  // Another registry on the same store: another connection.
  std::unique_ptr<KeyRegistry> OpenOne() {
    Result<std::unique_ptr<KeyRegistry>> r = backend_->Open();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  MintedKey MintHost(int max_hosts, int max_activations) {
    MintedKey spec;
    spec.kind = KeyKind::kHost;
    spec.item = 1;
    spec.item_name = "Servers";
    spec.max_hosts = max_hosts;
    spec.max_activations = max_activations;
    spec.certificate_days = 90;
    spec.created = kNow;
    return Mint(spec);
  }
  MintedKey MintMak(int count) {
    MintedKey spec;
    spec.kind = KeyKind::kMak;
    spec.item = 2;
    spec.item_name = "Pro";
    spec.mak_count = count;
    spec.created = kNow;
    return Mint(spec);
  }
  MintedKey Mint(const MintedKey& spec) {
    Result<MintedKey> k =
        registry_->Mint(spec, [](std::uint32_t serial) { return "KEY-" + std::to_string(serial); });
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? *k : MintedKey{};
  }

  static PublicKey Host(int n) {
    return SigningKey::FromSeed(Bytes(32, static_cast<std::uint8_t>(n))).public_key();
  }
  static MachineTag Tag(int n) {
    MachineTag t;
    t.fill(static_cast<std::uint8_t>(n));
    return t;
  }
  MintedKey Reread(std::uint32_t serial) {
    Result<std::optional<MintedKey>> k = registry_->Find(serial);
    EXPECT_TRUE(k.ok() && k->has_value());
    return k.ok() && k->has_value() ? **k : MintedKey{};
  }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<KeyRegistry> registry_;
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kNeedsPostgres ? "PostgreSQL" : "SQLite";
  }
};
TYPED_TEST_SUITE(KeyRegistryContractTest, Backends, BackendNames);

TYPED_TEST(KeyRegistryContractTest, MintNumbersKeysAndFindReturnsThem) {
  MintedKey host = this->MintHost(6, 10);
  MintedKey mak = this->MintMak(50);
  EXPECT_EQ(host.serial, 1u);
  EXPECT_EQ(mak.serial, 2u);
  EXPECT_EQ(host.text, "KEY-1");
  MintedKey found = this->Reread(1);
  EXPECT_EQ(found.kind, KeyKind::kHost);
  EXPECT_EQ(found.item, 1);
  EXPECT_EQ(found.item_name, "Servers");
  EXPECT_EQ(found.max_hosts, 6);
  EXPECT_EQ(found.max_activations, 10);
  EXPECT_EQ(found.certificate_days, 90);
  EXPECT_EQ(found.created, kNow);
  EXPECT_FALSE(found.revoked);
  EXPECT_EQ(this->Reread(2).mak_count, 50);

  Result<std::optional<MintedKey>> none = this->registry_->Find(99);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  Result<std::vector<MintedKey>> all = this->registry_->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].serial, 1u);
  EXPECT_EQ((*all)[1].serial, 2u);
}

TYPED_TEST(KeyRegistryContractTest, SeventhHostOnASixHostKeyIsRefused) {
  MintedKey key = this->MintHost(6, 10);
  for (int h = 1; h <= 6; ++h) {
    Status s = this->registry_->RecordHostActivation(key.serial, this->Tag(h), this->Host(h), kNow);
    ASSERT_TRUE(s.ok()) << h << ": " << s.ToString();
  }
  Status seventh =
      this->registry_->RecordHostActivation(key.serial, this->Tag(7), this->Host(7), kNow);
  EXPECT_EQ(seventh.code(), ResultCode::kKeyOverLimit);
  EXPECT_NE(seventh.message().find("6 hosts"), std::string::npos) << seventh.message();
  MintedKey after = this->Reread(key.serial);
  EXPECT_EQ(after.hosts_used, 6);
  EXPECT_EQ(after.activations_used, 6);
}

TYPED_TEST(KeyRegistryContractTest, EleventhActivationOfOneHostIsRefused) {
  MintedKey key = this->MintHost(6, 10);
  for (int i = 1; i <= 10; ++i) {
    // The host reports another machine tag each time: it is still one host.
    Status s = this->registry_->RecordHostActivation(key.serial, this->Tag(i), this->Host(1), kNow);
    ASSERT_TRUE(s.ok()) << i << ": " << s.ToString();
  }
  Status eleventh =
      this->registry_->RecordHostActivation(key.serial, this->Tag(11), this->Host(1), kNow);
  EXPECT_EQ(eleventh.code(), ResultCode::kKeyOverLimit);
  EXPECT_NE(eleventh.message().find("10 times"), std::string::npos) << eleventh.message();
  MintedKey after = this->Reread(key.serial);
  EXPECT_EQ(after.hosts_used, 1);
  EXPECT_EQ(after.activations_used, 10);
}

TYPED_TEST(KeyRegistryContractTest, RevokedKeysUnknownKeysAndMaksAreRefused) {
  MintedKey key = this->MintHost(6, 10);
  MintedKey mak = this->MintMak(5);
  EXPECT_EQ(this->registry_->RecordHostActivation(999, this->Tag(1), this->Host(1), kNow).code(),
            ResultCode::kInvalidKey);
  EXPECT_EQ(
      this->registry_->RecordHostActivation(mak.serial, this->Tag(1), this->Host(1), kNow).code(),
      ResultCode::kWrongKeyKind);
  ASSERT_TRUE(this->registry_->Revoke(key.serial).ok());
  EXPECT_TRUE(this->Reread(key.serial).revoked);
  EXPECT_EQ(
      this->registry_->RecordHostActivation(key.serial, this->Tag(1), this->Host(1), kNow).code(),
      ResultCode::kKeyRevoked);
  EXPECT_EQ(this->registry_->Revoke(999).code(), ResultCode::kNotFound);
  EXPECT_EQ(this->Reread(key.serial).activations_used, 0);
}

TYPED_TEST(KeyRegistryContractTest, RevokedHostIsListedOnceAndNeverActivatedAgain) {
  MintedKey key = this->MintHost(6, 10);
  ASSERT_TRUE(
      this->registry_->RecordHostActivation(key.serial, this->Tag(1), this->Host(1), kNow).ok());
  ASSERT_TRUE(this->registry_->RevokeHost(this->Host(1), kNow).ok());
  ASSERT_TRUE(this->registry_->RevokeHost(this->Host(1), kNow + 1).ok());  // again: no change
  Result<std::vector<PublicKey>> revoked = this->registry_->RevokedHosts();
  ASSERT_TRUE(revoked.ok());
  ASSERT_EQ(revoked->size(), 1u);
  EXPECT_EQ((*revoked)[0], this->Host(1));
  Status again =
      this->registry_->RecordHostActivation(key.serial, this->Tag(1), this->Host(1), kNow);
  EXPECT_EQ(again.code(), ResultCode::kKeyRevoked);
  // Other hosts of the key are not affected.
  EXPECT_TRUE(
      this->registry_->RecordHostActivation(key.serial, this->Tag(2), this->Host(2), kNow).ok());
}

TYPED_TEST(KeyRegistryContractTest, RevocationSerialsCountUpAcrossConnections) {
  std::unique_ptr<KeyRegistry> other = this->OpenOne();
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(*this->registry_->NextRevocationSerial(kNow), 1u);
  EXPECT_EQ(*other->NextRevocationSerial(kNow), 2u);
  EXPECT_EQ(*this->registry_->NextRevocationSerial(kNow), 3u);
}

// The attack: many hosts (or one host many times) activating the same key
// at the same moment, each on its own connection, hoping that several pass
// the limit check before any of them writes.
TYPED_TEST(KeyRegistryContractTest, ConcurrentHostActivationsNeverPassTheLimits) {
  MintedKey key = this->MintHost(6, 10);
  constexpr int kThreads = 24;
  std::vector<std::unique_ptr<KeyRegistry>> registries;
  for (int i = 0; i < kThreads; ++i) {
    registries.push_back(this->OpenOne());
    ASSERT_NE(registries.back(), nullptr);
  }
  std::atomic<int> ok{0}, over{0}, other{0};
  auto run = [&](auto attempt) {
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        while (!go) std::this_thread::yield();
        Status s = attempt(*registries[i], i);
        (s.ok() ? ok : s.code() == ResultCode::kKeyOverLimit ? over : other)++;
      });
    }
    go = true;
    for (std::thread& t : threads) t.join();
  };
  // 24 distinct hosts on a 6-host key.
  run([&](KeyRegistry& r, int i) {
    return r.RecordHostActivation(key.serial, this->Tag(i + 1), this->Host(i + 1), kNow);
  });
  EXPECT_EQ(ok, 6);
  EXPECT_EQ(over, kThreads - 6);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(this->Reread(key.serial).hosts_used, 6);

  // One host 24 times at once on a fresh key: 10 activations each.
  MintedKey second = this->MintHost(6, 10);
  ok = over = other = 0;
  run([&](KeyRegistry& r, int) {
    return r.RecordHostActivation(second.serial, this->Tag(1), this->Host(1), kNow);
  });
  EXPECT_EQ(ok, 10);
  EXPECT_EQ(over, kThreads - 10);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(this->Reread(second.serial).activations_used, 10);
}

TYPED_TEST(KeyRegistryContractTest, MakCountsEachMachineOnceUpToItsCount) {
  MintedKey mak = this->MintMak(3);
  const Uuid edition = *ParseUuid("1b0e7c1e-5d2f-4a3b-8c4d-5e6f70819203");
  ASSERT_TRUE(
      this->registry_->RecordMakActivation(mak.serial, this->Tag(1), this->Host(1), edition, kNow)
          .ok());
  // The same machine again, even under another tag: no second activation.
  ASSERT_TRUE(
      this->registry_->RecordMakActivation(mak.serial, this->Tag(9), this->Host(1), edition, kNow)
          .ok());
  EXPECT_EQ(this->Reread(mak.serial).activations_used, 1);
  ASSERT_TRUE(
      this->registry_->RecordMakActivation(mak.serial, this->Tag(2), this->Host(2), edition, kNow)
          .ok());
  ASSERT_TRUE(
      this->registry_->RecordMakActivation(mak.serial, this->Tag(3), this->Host(3), edition, kNow)
          .ok());
  Status fourth =
      this->registry_->RecordMakActivation(mak.serial, this->Tag(4), this->Host(4), edition, kNow);
  EXPECT_EQ(fourth.code(), ResultCode::kKeyOverLimit);
  EXPECT_NE(fourth.message().find("3 machines"), std::string::npos) << fourth.message();
  // A machine that holds it may still confirm again.
  EXPECT_TRUE(
      this->registry_->RecordMakActivation(mak.serial, this->Tag(1), this->Host(1), edition, kNow)
          .ok());
  EXPECT_EQ(this->Reread(mak.serial).activations_used, 3);
  EXPECT_EQ(this->Reread(mak.serial).hosts_used, 0);
}

TYPED_TEST(KeyRegistryContractTest, MakRefusesRevokedUnknownAndHostKeys) {
  MintedKey mak = this->MintMak(3);
  MintedKey host = this->MintHost(6, 10);
  const Uuid edition = *ParseUuid("1b0e7c1e-5d2f-4a3b-8c4d-5e6f70819203");
  EXPECT_EQ(
      this->registry_->RecordMakActivation(999, this->Tag(1), this->Host(1), edition, kNow).code(),
      ResultCode::kInvalidKey);
  EXPECT_EQ(
      this->registry_->RecordMakActivation(host.serial, this->Tag(1), this->Host(1), edition, kNow)
          .code(),
      ResultCode::kWrongKeyKind);
  ASSERT_TRUE(this->registry_->Revoke(mak.serial).ok());
  EXPECT_EQ(
      this->registry_->RecordMakActivation(mak.serial, this->Tag(1), this->Host(1), edition, kNow)
          .code(),
      ResultCode::kKeyRevoked);
  EXPECT_EQ(this->Reread(mak.serial).activations_used, 0);
}

// The attack the MAK count exists for: 100 machines activating a MAK of
// count 50 at the same moment, each on its own connection.
TYPED_TEST(KeyRegistryContractTest, HundredConcurrentActivationsOfAFiftyMakGiveFifty) {
  MintedKey mak = this->MintMak(50);
  const Uuid edition = *ParseUuid("1b0e7c1e-5d2f-4a3b-8c4d-5e6f70819203");
  constexpr int kThreads = 100;
  std::vector<std::unique_ptr<KeyRegistry>> registries;
  for (int i = 0; i < kThreads; ++i) {
    registries.push_back(this->OpenOne());
    ASSERT_NE(registries.back(), nullptr);
  }
  std::atomic<bool> go{false};
  std::atomic<int> ok{0}, over{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      Status s = registries[i]->RecordMakActivation(mak.serial, this->Tag(i + 1), this->Host(i + 1),
                                                    edition, kNow);
      (s.ok() ? ok : s.code() == ResultCode::kKeyOverLimit ? over : other)++;
    });
  }
  go = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok, 50);
  EXPECT_EQ(over, 50);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(this->Reread(mak.serial).activations_used, 50);
}

TYPED_TEST(KeyRegistryContractTest, OnlyTheKeyPairThatActivatedRenews) {
  MintedKey key = this->MintHost(6, 1);
  MintedKey mak = this->MintMak(1);
  EXPECT_EQ(this->registry_->RecordHostRenewal(key.serial, this->Host(1), kNow).code(),
            ResultCode::kNotFound);
  ASSERT_TRUE(
      this->registry_->RecordHostActivation(key.serial, this->Tag(1), this->Host(1), kNow).ok());
  // Renewals use no reactivation: the key allows one activation per host.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(this->registry_->RecordHostRenewal(key.serial, this->Host(1), kNow + i).ok());
  }
  EXPECT_EQ(this->Reread(key.serial).activations_used, 1);
  EXPECT_EQ(this->registry_->RecordHostRenewal(key.serial, this->Host(2), kNow).code(),
            ResultCode::kNotFound);
  EXPECT_EQ(this->registry_->RecordHostRenewal(999, this->Host(1), kNow).code(),
            ResultCode::kInvalidKey);
  EXPECT_EQ(this->registry_->RecordHostRenewal(mak.serial, this->Host(1), kNow).code(),
            ResultCode::kWrongKeyKind);
  ASSERT_TRUE(this->registry_->RevokeHost(this->Host(1), kNow).ok());
  EXPECT_EQ(this->registry_->RecordHostRenewal(key.serial, this->Host(1), kNow).code(),
            ResultCode::kKeyRevoked);
}

TYPED_TEST(KeyRegistryContractTest, AuditLogFiltersByKeyAndTimeInOrder) {
  for (int i = 0; i < 5; ++i) {
    AuditRecord r;
    r.time = kNow + i;
    r.source = "192.0.2." + std::to_string(i);
    r.operation = i % 2 == 0 ? "activate" : "renew";
    r.key_serial = i < 3 ? 7 : 8;
    r.key_kind = "host";
    r.machine = "0101010101010101";
    r.result = static_cast<std::uint32_t>(i == 4 ? ResultCode::kKeyOverLimit : ResultCode::kOk);
    r.message = "attempt " + std::to_string(i);
    ASSERT_TRUE(this->registry_->AppendAudit(r).ok());
  }
  Result<std::vector<AuditRecord>> all = this->registry_->ListAudit(std::nullopt, 0, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[4].message, "attempt 4");
  EXPECT_EQ((*all)[4].result, static_cast<std::uint32_t>(ResultCode::kKeyOverLimit));
  EXPECT_EQ((*all)[0].source, "192.0.2.0");
  Result<std::vector<AuditRecord>> of_seven = this->registry_->ListAudit(7, kNow + 1, 100);
  ASSERT_TRUE(of_seven.ok());
  ASSERT_EQ(of_seven->size(), 2u);
  EXPECT_EQ((*of_seven)[0].message, "attempt 1");
  EXPECT_EQ(this->registry_->ListAudit(std::nullopt, 0, 2)->size(), 2u);
}

TYPED_TEST(KeyRegistryContractTest, ConcurrentMintsNeverShareASerial) {
  constexpr int kThreads = 8, kEach = 5;
  std::vector<std::unique_ptr<KeyRegistry>> registries;
  for (int i = 0; i < kThreads; ++i) registries.push_back(this->OpenOne());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      MintedKey spec;
      spec.kind = KeyKind::kMak;
      spec.item = 2;
      spec.item_name = "Pro";
      spec.mak_count = 1;
      for (int n = 0; n < kEach; ++n) {
        Result<MintedKey> k = registries[i]->Mint(
            spec, [](std::uint32_t serial) { return "KEY-" + std::to_string(serial); });
        if (!k.ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  Result<std::vector<MintedKey>> all = this->registry_->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kThreads * kEach));
  for (std::size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].serial, i + 1);
}

// What only the PostgreSQL ledger has: an owner, and a server to reach.
TEST(PgKeyRegistryTest, AnotherVendorsLedgerIsRefused) {
  ACTIVA_REQUIRE_POSTGRES();
  std::string url = Server().CreateDatabase("owned");
  ASSERT_TRUE(PgKeyRegistry::Open(url, kVendorId).ok());
  ASSERT_TRUE(PgKeyRegistry::Open(url, kVendorId).ok());  // the same vendor again
  Result<std::unique_ptr<PgKeyRegistry>> other =
      PgKeyRegistry::Open(url, "0a0b0c0d-0000-4000-8000-000000000001");
  EXPECT_EQ(other.status().code(), ResultCode::kInvalidData);
  EXPECT_NE(other.status().message().find(std::string(kVendorId)), std::string::npos)
      << other.status().message();
  // Reopening applied no step twice.
  EXPECT_EQ(Server().Psql("owned", "SELECT COUNT(*), MAX(version) FROM schema_migrations"),
            "3|3\n");
}

// A database migrated by a newer program is refused, not guessed at.
TEST(PgKeyRegistryTest, NewerSchemaIsRefused) {
  ACTIVA_REQUIRE_POSTGRES();
  std::string url = Server().CreateDatabase("newer");
  ASSERT_TRUE(PgKeyRegistry::Open(url, kVendorId).ok());
  Server().Psql("newer", "INSERT INTO schema_migrations (version) VALUES (99)");
  Result<std::unique_ptr<PgKeyRegistry>> r = PgKeyRegistry::Open(url, kVendorId);
  EXPECT_EQ(r.status().code(), ResultCode::kInvalidData);
  EXPECT_NE(r.status().message().find("version 99"), std::string::npos) << r.status().message();
}

TEST(PgKeyRegistryTest, UnreachableDatabaseIsAClearErrorWithoutThePassword) {
  ACTIVA_REQUIRE_POSTGRES();
  // Port 1: privileged and unused on a test machine, so nothing answers.
  std::string url = "postgresql://vendor:s3cret@127.0.0.1:1/ledger?connect_timeout=2";
  Result<std::unique_ptr<PgKeyRegistry>> r = PgKeyRegistry::Open(url, kVendorId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ResultCode::kStorage);
  EXPECT_NE(r.status().message().find("postgresql://vendor:***@127.0.0.1:1/ledger"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(r.status().message().find("s3cret"), std::string::npos);
  EXPECT_EQ(PgKeyRegistry::Open("mysql://x@y/z", kVendorId).status().code(),
            ResultCode::kInvalidArgument);
}

}  // namespace
}  // namespace activa
