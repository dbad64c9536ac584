#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <limits>
#include <thread>

namespace activa::metrics {
namespace {

TEST(RegistryTest, CounterWithoutLabels) {
  Registry r;
  Counter& c = r.AddCounter("activa_things_total", "Things seen.");
  c.Increment();
  c.Increment(4);
  EXPECT_EQ(r.Render(),
            "# HELP activa_things_total Things seen.\n"
            "# TYPE activa_things_total counter\n"
            "activa_things_total 5\n");
}

TEST(RegistryTest, SameNameGivesSameMetric) {
  Registry r;
  Counter& a = r.AddCounter("activa_things_total", "Things seen.");
  Counter& b = r.AddCounter("activa_things_total", "Things seen.");
  EXPECT_EQ(&a, &b);
}

TEST(RegistryTest, LabelledFamilySortedAndEscaped) {
  Registry r;
  Family<Counter>& f = r.AddCounterFamily("activa_requests_total", "Requests.", {"result", "who"});
  f.WithLabels({"0xC004F038", "b"}).Increment(2);
  f.WithLabels({"0x00000000", "quote \" back \\ line\nend"}).Increment();
  EXPECT_EQ(&f.WithLabels({"0xC004F038", "b"}), &f.WithLabels({"0xC004F038", "b"}));
  EXPECT_EQ(r.Render(),
            "# HELP activa_requests_total Requests.\n"
            "# TYPE activa_requests_total counter\n"
            "activa_requests_total{result=\"0x00000000\",who=\"quote \\\" back \\\\ line\\nend\"} "
            "1\n"
            "activa_requests_total{result=\"0xC004F038\",who=\"b\"} 2\n");
}

TEST(RegistryTest, HelpIsEscaped) {
  Registry r;
  r.AddGauge("activa_g", "a \\ b\nc \"d\"").Set(1);
  EXPECT_EQ(r.Render(),
            "# HELP activa_g a \\\\ b\\nc \"d\"\n"
            "# TYPE activa_g gauge\n"
            "activa_g 1\n");
}

TEST(RegistryTest, GaugeValues) {
  Registry r;
  Family<Gauge>& f = r.AddGaugeFamily("activa_g", "G.", {"k"});
  f.WithLabels({"a"}).Set(1.5);
  f.WithLabels({"b"}).Set(3);
  f.WithLabels({"b"}).Add(-4);
  f.WithLabels({"c"}).Set(std::numeric_limits<double>::infinity());
  f.WithLabels({"d"}).Set(std::numeric_limits<double>::quiet_NaN());
  f.WithLabels({"e"}).Set(1764591600);
  EXPECT_EQ(r.Render(),
            "# HELP activa_g G.\n"
            "# TYPE activa_g gauge\n"
            "activa_g{k=\"a\"} 1.5\n"
            "activa_g{k=\"b\"} -1\n"
            "activa_g{k=\"c\"} +Inf\n"
            "activa_g{k=\"d\"} NaN\n"
            "activa_g{k=\"e\"} 1764591600\n");
}

TEST(RegistryTest, HistogramBucketsAreCumulativeWithInf) {
  Registry r;
  Histogram& h = r.AddHistogram("activa_latency_seconds", "Latency.", {0.005, 0.1, 1});
  h.Observe(0.001);
  h.Observe(0.005);  // le is inclusive
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(r.Render(),
            "# HELP activa_latency_seconds Latency.\n"
            "# TYPE activa_latency_seconds histogram\n"
            "activa_latency_seconds_bucket{le=\"0.005\"} 2\n"
            "activa_latency_seconds_bucket{le=\"0.1\"} 2\n"
            "activa_latency_seconds_bucket{le=\"1\"} 3\n"
            "activa_latency_seconds_bucket{le=\"+Inf\"} 4\n"
            "activa_latency_seconds_sum 7.506\n"
            "activa_latency_seconds_count 4\n");
}

TEST(RegistryTest, HistogramFamilyPutsLeLast) {
  Registry r;
  Family<Histogram>& f = r.AddHistogramFamily("activa_batch_records", "Batch.", {"kind"}, {1, 10});
  f.WithLabels({"x"}).Observe(3);
  std::string t = r.Render();
  EXPECT_NE(t.find("activa_batch_records_bucket{kind=\"x\",le=\"1\"} 0\n"), std::string::npos) << t;
  EXPECT_NE(t.find("activa_batch_records_bucket{kind=\"x\",le=\"10\"} 1\n"), std::string::npos);
  EXPECT_NE(t.find("activa_batch_records_bucket{kind=\"x\",le=\"+Inf\"} 1\n"), std::string::npos);
  EXPECT_NE(t.find("activa_batch_records_sum{kind=\"x\"} 3\n"), std::string::npos);
  EXPECT_NE(t.find("activa_batch_records_count{kind=\"x\"} 1\n"), std::string::npos);
}

TEST(RegistryTest, GaugeCallbackRunsAtEachRender) {
  Registry r;
  int calls = 0;
  r.AddGaugeCallback("activa_count", "Count.", {"application"}, [&](const GaugeSink& sink) {
    ++calls;
    sink({"Office"}, 25);
    sink({"Server"}, calls);
  });
  EXPECT_NE(r.Render().find("activa_count{application=\"Server\"} 1\n"), std::string::npos);
  std::string t = r.Render();
  EXPECT_NE(t.find("activa_count{application=\"Office\"} 25\n"), std::string::npos) << t;
  EXPECT_NE(t.find("activa_count{application=\"Server\"} 2\n"), std::string::npos) << t;
}

TEST(RegistryTest, EmptyFamilyHasHelpAndTypeOnly) {
  Registry r;
  r.AddCounterFamily("activa_x_total", "X.", {"a"});
  EXPECT_EQ(r.Render(), "# HELP activa_x_total X.\n# TYPE activa_x_total counter\n");
}

TEST(RegistryTest, FamiliesInRegistrationOrder) {
  Registry r;
  r.AddGauge("activa_b", "B.");
  r.AddGauge("activa_a", "A.");
  std::string t = r.Render();
  EXPECT_LT(t.find("activa_b"), t.find("activa_a"));
}

TEST(RegistryTest, ConcurrentIncrementsAreAllCounted) {
  Registry r;
  Counter& c = r.AddCounter("activa_n_total", "N.");
  Histogram& h = r.AddHistogram("activa_h", "H.", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Increment();
        h.Observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_EQ(s.cumulative[0], 40000u);
  EXPECT_DOUBLE_EQ(s.sum, 20000);
}

TEST(RegistryTest, FormatValue) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(0.0025), "0.0025");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(1e300), "1e+300");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(RegistryTest, Names) {
  EXPECT_TRUE(IsValidMetricName("activa_host_requests_total"));
  EXPECT_TRUE(IsValidMetricName("a:b_c9"));
  EXPECT_FALSE(IsValidMetricName("9a"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("result"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("1a"));
}

TEST(RegistryDeathTest, MisuseAborts) {
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounter("bad-name", "x");
      },
      "bad-name");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounter("activa_x_total", "x");
        r.AddGauge("activa_x_total", "x");
      },
      "registered twice");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounterFamily("activa_x_total", "x", {"a"}).WithLabels({"1", "2"});
      },
      "2 label values for 1 labels");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddHistogramFamily("activa_h", "x", {"le"}, {1});
      },
      "label le");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddHistogram("activa_h", "x", {2, 1});
      },
      "strictly increasing");
}

TEST(ExponentialBucketsTest, Values) {
  std::vector<double> b = ExponentialBuckets(1, 2, 4);
  EXPECT_EQ(b, (std::vector<double>{1, 2, 4, 8}));
}

}  // namespace
}  // namespace activa::metrics
