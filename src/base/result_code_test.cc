#include "base/result_code.h"

#include <gtest/gtest.h>

#include "base/status.h"

namespace activa {
namespace {

TEST(ResultCodeTest, KeepsKmsNumbers) {
  EXPECT_EQ(static_cast<std::uint32_t>(ResultCode::kCountInsufficient), 0xC004F038u);
  EXPECT_EQ(static_cast<std::uint32_t>(ResultCode::kNoHostReachable), 0xC004F074u);
  EXPECT_EQ(FormatResultCode(ResultCode::kClockSkew), "0xC004F06C");
}

TEST(ResultCodeTest, EveryCodeHasItsOwnMessageAndRoundTrips) {
  const ResultCode all[] = {ResultCode::kOk,
                            ResultCode::kGraceExpired,
                            ResultCode::kCountInsufficient,
                            ResultCode::kHostNotActivated,
                            ResultCode::kEditionNotCovered,
                            ResultCode::kInvalidKey,
                            ResultCode::kClockSkew,
                            ResultCode::kNoHostReachable,
                            ResultCode::kKeyOverLimit,
                            ResultCode::kNoRearmsLeft,
                            ResultCode::kAccessDenied,
                            ResultCode::kThresholdMismatch,
                            ResultCode::kCertificateExpired,
                            ResultCode::kTooManyNewClients,
                            ResultCode::kProofMissing,
                            ResultCode::kOtherMachine,
                            ResultCode::kProofExpired,
                            ResultCode::kUntrustedService,
                            ResultCode::kRateLimited,
                            ResultCode::kRequestTooLarge,
                            ResultCode::kGraceUnverified};
  for (ResultCode c : all) {
    EXPECT_NE(ResultCodeMessage(c), "Unknown result code.") << FormatResultCode(c);
    EXPECT_EQ(ResultCodeFromValue(static_cast<std::uint32_t>(c)), c);
  }
  EXPECT_FALSE(ResultCodeFromValue(0x12345678).has_value());
}

TEST(StatusTest, MessageDefaultsToTheCodesText) {
  Status s(ResultCode::kInvalidKey, "");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "The product key is invalid.");
  Status t(ResultCode::kInvalidKey, "group 3 has a typing error");
  EXPECT_EQ(t.ToString(), "0xC004F050: group 3 has a typing error");
}

TEST(StatusTest, ResultCarriesValueOrStatus) {
  Result<int> good = 5;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  Result<int> bad = Status(ResultCode::kNotFound, "nope");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ResultCode::kNotFound);
}

}  // namespace
}  // namespace activa
