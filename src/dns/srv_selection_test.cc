#include "dns/srv_selection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace activa::dns {
namespace {

SrvRecord R(std::uint16_t priority, std::uint16_t weight, std::string target) {
  return SrvRecord{priority, weight, 1688, std::move(target)};
}

TEST(SrvSelectionTest, LowerPriorityValuesComeFirst) {
  std::mt19937_64 rng(1);
  auto order = OrderForSelection({R(20, 0, "c"), R(0, 0, "a"), R(10, 5, "b")}, rng);
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0].target, "a");
  EXPECT_EQ(order[1].target, "b");
  EXPECT_EQ(order[2].target, "c");
}

TEST(SrvSelectionTest, ALoneDotMeansNoService) {
  std::mt19937_64 rng(1);
  EXPECT_TRUE(OrderForSelection({R(0, 0, ".")}, rng).empty());
  EXPECT_TRUE(OrderForSelection({}, rng).empty());
}

TEST(SrvSelectionTest, EveryRecordAppearsOnce) {
  std::mt19937_64 rng(7);
  std::vector<SrvRecord> in = {R(0, 10, "a"), R(0, 0, "b"), R(0, 90, "c"), R(1, 1, "d")};
  for (int i = 0; i < 100; ++i) {
    auto order = OrderForSelection(in, rng);
    ASSERT_EQ(order.size(), 4u);
    EXPECT_EQ(order[3].target, "d");
    std::map<std::string, int> seen;
    for (const SrvRecord& r : order) ++seen[r.target];
    EXPECT_EQ(seen.size(), 4u);
  }
}

// 1,000 selections within one priority: how often each record comes first
// must match its share of the weights. Pearson's chi-square with 2 degrees
// of freedom; 13.82 is the 0.999 quantile, so a correct implementation fails
// one seed in a thousand (and this seed is fixed).
TEST(SrvSelectionTest, ThousandSelectionsSplitByWeight) {
  std::mt19937_64 rng(20240601);
  const std::vector<SrvRecord> in = {R(0, 10, "a"), R(0, 30, "b"), R(0, 60, "c")};
  std::map<std::string, int> first;
  constexpr int kRuns = 1000;
  for (int i = 0; i < kRuns; ++i) ++first[OrderForSelection(in, rng).front().target];
  const std::map<std::string, double> expected = {{"a", 100}, {"b", 300}, {"c", 600}};
  double chi2 = 0;
  for (const auto& [target, e] : expected) {
    double d = first[target] - e;
    chi2 += d * d / e;
    // And each count within 4 binomial standard deviations.
    double p = e / kRuns;
    EXPECT_NEAR(first[target], e, 4 * std::sqrt(kRuns * p * (1 - p))) << target;
  }
  EXPECT_LT(chi2, 13.82) << "a=" << first["a"] << " b=" << first["b"] << " c=" << first["c"];
}

// RFC 2782: zero-weight records get "a very small chance": 1 / (sum + 1).
TEST(SrvSelectionTest, ZeroWeightHasASmallChance) {
  std::mt19937_64 rng(99);
  const std::vector<SrvRecord> in = {R(0, 99, "heavy"), R(0, 0, "zero")};
  int zero_first = 0;
  for (int i = 0; i < 10000; ++i) {
    if (OrderForSelection(in, rng).front().target == "zero") ++zero_first;
  }
  // Expected 100 (1 in 100); 4 sd is about 40.
  EXPECT_GT(zero_first, 60);
  EXPECT_LT(zero_first, 140);
}

TEST(SrvSelectionTest, AllZeroWeightsAreUniform) {
  std::mt19937_64 rng(5);
  const std::vector<SrvRecord> in = {R(0, 0, "a"), R(0, 0, "b")};
  int a_first = 0;
  for (int i = 0; i < 1000; ++i) {
    if (OrderForSelection(in, rng).front().target == "a") ++a_first;
  }
  EXPECT_NEAR(a_first, 500, 4 * std::sqrt(1000 * 0.25));
}

}  // namespace
}  // namespace activa::dns
