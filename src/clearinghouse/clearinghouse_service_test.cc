// The service without the network, on a real vendor directory, with the
// clocks in the test's hands.
#include "clearinghouse/clearinghouse_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>

#include "catalog/revocation_list.h"
#include "keys/activation_codes.h"
#include "keys/product_key.h"

namespace activa {
namespace {

namespace json = boost::json;

class ClearinghouseServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "activa-ch-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    ASSERT_TRUE(Vendor::Init(root_ + "/v", "Example").ok());
    vendor_.emplace(std::move(Vendor::Open(root_ + "/v")).value());
  }
  void TearDown() override {
    service_.reset();
    vendor_.reset();
    std::filesystem::remove_all(root_);
  }
  ClearinghouseService& Service(RateLimits limits = {0, 1, 0, 1}) {
    service_ = std::make_unique<ClearinghouseService>(
        *vendor_, limits, [this] { return now_; }, [this] { return mono_; });
    EXPECT_TRUE(service_->Start().ok());
    return *service_;
  }
  std::uint64_t SerialOf(const HttpAnswer& a) {
    Result<RevocationList> list = LoadTrustedRevocationList(a.body, vendor_->catalog().vendor_keys);
    EXPECT_TRUE(list.ok()) << a.body;
    return list.ok() ? list->serial : 0;
  }
  std::string Iid(const ProductKey& key, std::uint8_t n) {
    InstallationId iid;
    iid.machine_tag.fill(n);
    iid.host_public_key = SigningKey::FromSeed(Bytes(32, n)).public_key();
    iid.host_key = key;
    return json::serialize(json::object{{"installation_id", FormatInstallationId(iid)}});
  }
  ProductKey MintHost() {
    return *ParseProductKey(
        vendor_->MintHostKey(vendor_->catalog().groups[0].name, 6, 10, now_)->text);
  }

  std::string root_;
  std::optional<Vendor> vendor_;
  std::unique_ptr<ClearinghouseService> service_;
  std::int64_t now_ = 1795000000;
  double mono_ = 1000;
};

TEST_F(ClearinghouseServiceTest, ANewRevocationSerialOnlyWhenTheLedgerChangedAtMostOnceAMinute) {
  ClearinghouseService& s = Service();
  std::uint64_t first = SerialOf(s.Handle("GET", "/v1/revocations", "", "192.0.2.1"));
  ASSERT_GT(first, 0u);
  // Nothing changed: however many GETs, minutes apart, the same list.
  for (int i = 0; i < 5; ++i) {
    now_ += 120;
    EXPECT_EQ(SerialOf(s.Handle("GET", "/v1/revocations", "", "192.0.2.1")), first);
  }
  ProductKey key = MintHost();
  ASSERT_TRUE(vendor_->Revoke(FormatProductKey(key)).ok());
  // Within the minute of the last look, the cached list still.
  now_ += 30;
  EXPECT_EQ(SerialOf(s.Handle("GET", "/v1/revocations", "", "192.0.2.1")), first);
  now_ += 31;
  HttpAnswer fresh = s.Handle("GET", "/v1/revocations", "", "192.0.2.1");
  std::uint64_t second = SerialOf(fresh);
  EXPECT_GT(second, first);
  EXPECT_EQ(LoadTrustedRevocationList(fresh.body, vendor_->catalog().vendor_keys)->host_keys.size(),
            1u);
  now_ += 600;
  EXPECT_EQ(SerialOf(s.Handle("GET", "/v1/revocations", "", "192.0.2.1")), second);
}

TEST_F(ClearinghouseServiceTest, TokenBucketsRefillWithTheMonotonicClock) {
  ClearinghouseService& s = Service({/*source_rate=*/1, /*source_burst=*/2, 0, 1});
  ProductKey key = MintHost();
  EXPECT_EQ(s.Handle("POST", "/v1/activations", Iid(key, 1), "192.0.2.1").status, 200);
  EXPECT_EQ(s.Handle("POST", "/v1/activations", Iid(key, 2), "192.0.2.1").status, 200);
  HttpAnswer limited = s.Handle("POST", "/v1/activations", Iid(key, 3), "192.0.2.1");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.retry_after, 1);
  EXPECT_EQ(s.Handle("POST", "/v1/activations", Iid(key, 3), "192.0.2.2").status, 200);
  mono_ += 1;
  EXPECT_EQ(s.Handle("POST", "/v1/activations", Iid(key, 4), "192.0.2.1").status, 200);
  Result<std::vector<AuditRecord>> audit = vendor_->ListAudit(std::nullopt, 0, 100);
  ASSERT_EQ(audit->size(), 5u);
  EXPECT_EQ((*audit)[2].result, static_cast<std::uint32_t>(ResultCode::kRateLimited));
  EXPECT_EQ((*audit)[2].key_serial, key.serial);
}

TEST_F(ClearinghouseServiceTest, ProbesAnswerAndAreNotAudited) {
  ClearinghouseService& s = Service();
  EXPECT_EQ(s.Handle("GET", "/healthz", "", "192.0.2.1").status, 200);
  EXPECT_EQ(s.Handle("GET", "/readyz", "", "192.0.2.1").status, 200);
  HttpAnswer m = s.Handle("GET", "/metrics", "", "192.0.2.1");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.rfind("text/plain", 0), 0u);
  EXPECT_EQ(s.Handle("GET", "/nowhere", "", "192.0.2.1").status, 404);
  EXPECT_TRUE(vendor_->ListAudit(std::nullopt, 0, 100)->empty());
}

}  // namespace
}  // namespace activa
