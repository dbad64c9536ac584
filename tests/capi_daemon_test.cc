// A product asks the real activad for its license through libactiva.
#include <gtest/gtest.h>

#include "activa/activa.h"
#include "base/file_util.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "vendor/vendor.h"

namespace activa {
namespace {

TEST(CApiDaemonTest, ProductReadsItsLicenseFromTheDaemon) {
  testing::TempDir dir;
  ASSERT_TRUE(Vendor::Init(dir / "vendor", "Example").ok());
  Vendor vendor = std::move(Vendor::Open(dir / "vendor")).value();
  ASSERT_TRUE(WriteFileAtomic(dir / "example.json", *vendor.SignedCatalog(0), 0644, true).ok());
  testing::DaemonProcess::Options o;
  o.state_dir = dir / "state";
  o.catalog_dir = dir.path();
  testing::DaemonProcess daemon(o);
  const Edition& e = vendor.catalog().editions[0];
  ASSERT_EQ(testing::DaemonProcess::ResultOf(daemon.Call({{"op", "ipk"}, {"key", e.setup_key}})),
            0u);

  activa_client* client = nullptr;
  ASSERT_EQ(activa_open(daemon.socket_path().c_str(), &client), ACTIVA_OK);
  activa_license_info* info = nullptr;
  std::string app = FormatUuid(e.application_id), sku = FormatUuid(e.id);
  ASSERT_EQ(activa_query_license(client, app.c_str(), sku.c_str(), &info), ACTIVA_OK)
      << activa_last_error_message(client);
  EXPECT_EQ(activa_license_state(info), 2);  // initial grace
  EXPECT_TRUE(activa_license_is_usable(info));
  EXPECT_GE(activa_license_days_left(info), 29);
  EXPECT_LE(activa_license_days_left(info), 30);
  EXPECT_NE(activa_license_last_result_message(info), nullptr);
  EXPECT_STREQ(activa_license_product_name(info), e.name.c_str());
  activa_license_info_free(info);

  // The other edition is not installed.
  std::string other = FormatUuid(vendor.catalog().editions[1].id);
  EXPECT_EQ(activa_query_license(client, app.c_str(), other.c_str(), &info), 0xC0AC0007u);
  activa_close(client);
}

}  // namespace
}  // namespace activa
