// A small metrics registry: counters, gauges and histograms with fixed
// buckets, optionally in families with labels, written out in the
// Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// Made for a hot path that answers tens of thousands of requests a second:
// a metric is looked up once (Registry::Add*, Family::WithLabels, which
// lock and allocate) and the caller keeps the reference; every Increment,
// Set and Observe after that is a relaxed atomic operation, with no lock
// and no allocation.
//
// Values that live elsewhere (a count held by the host role, a product's
// license state) are not copied into gauges on every change: a gauge
// callback (AddGaugeCallback) reads them when a scrape renders the text.
//
// Names are the program's own constants, never input: a name or label name
// that the format does not allow, a second registration of one name with
// another type or labels, or WithLabels with the wrong number of values is
// a bug, and aborts with a message naming it.
//
// Lifetime: metrics, families and the references handed out live as long
// as the registry. Thread safety: everything may be called from any thread;
// a gauge callback runs on the thread that calls Render().
#ifndef ACTIVA_METRICS_REGISTRY_H_
#define ACTIVA_METRICS_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace activa::metrics {

// A value that only goes up (Prometheus "counter"); its name ends in _total.
class Counter {
 public:
  void Increment(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (Prometheus "gauge").
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted in fixed buckets (Prometheus "histogram"): each
// bucket counts the observations <= its upper bound; the last, "+Inf",
// counts them all. Written out as NAME_bucket{le="..."}, NAME_sum and
// NAME_count.
class Histogram {
 public:
  // `bounds`: the upper bounds, strictly increasing and finite; must
  // outlive the histogram (its family's copy does).
  explicit Histogram(const std::vector<double>& bounds);

  void Observe(double v);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf
    std::uint64_t count = 0;                // == cumulative.back()
    double sum = 0;
  };
  // A consistent enough read for a scrape: the buckets are read once each,
  // so the cumulative counts never go down and count is the +Inf bucket.
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double>& bounds_;
  // One per bound and one for +Inf, not cumulative.
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
};

// Bucket bounds start, start*factor, ... (`count` of them).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

enum class Type { kCounter, kGauge, kHistogram };

namespace internal {
// One metric name with its HELP, TYPE and samples.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, Type type, std::vector<std::string> labels)
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(type),
        label_names_(std::move(labels)) {}
  virtual ~FamilyBase() = default;
  // Appends HELP, TYPE and the samples.
  void Write(std::string& out) const;

  const std::string& name() const { return name_; }
  Type type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 protected:
  // Appends the samples only.
  virtual void WriteSamples(std::string& out) const = 0;

  std::string name_;
  std::string help_;
  Type type_;
  std::vector<std::string> label_names_;
};
}  // namespace internal

// The metrics of one name, one per set of label values. T is Counter,
// Gauge or Histogram.
template <typename T>
class Family : public internal::FamilyBase {
 public:
  Family(std::string name, std::string help, Type type, std::vector<std::string> labels,
         std::vector<double> bounds = {});

  // The metric for these label values (in the order of the family's label
  // names), created at zero on first use. Locks and may allocate: keep the
  // reference instead of calling it per event.
  T& WithLabels(const std::vector<std::string>& values);

 private:
  void WriteSamples(std::string& out) const override;

  const std::vector<double> bounds_;  // histograms only
  mutable std::mutex mu_;
  // Ordered, so the text lists the samples in a stable order.
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

// Receives the samples of a gauge callback: one call per sample, the label
// values in the order of the callback's label names.
using GaugeSink = std::function<void(const std::vector<std::string>& values, double value)>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The metric without labels. A name registered again with the same type
  // and labels gives the same metric.
  Counter& AddCounter(const std::string& name, const std::string& help);
  Gauge& AddGauge(const std::string& name, const std::string& help);
  Histogram& AddHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bounds);

  Family<Counter>& AddCounterFamily(const std::string& name, const std::string& help,
                                    std::vector<std::string> labels);
  Family<Gauge>& AddGaugeFamily(const std::string& name, const std::string& help,
                                std::vector<std::string> labels);
  Family<Histogram>& AddHistogramFamily(const std::string& name, const std::string& help,
                                        std::vector<std::string> labels,
                                        std::vector<double> bounds);

  // A gauge whose samples `collect` produces at each Render(), on the
  // rendering thread; `collect` must not call back into the registry.
  void AddGaugeCallback(const std::string& name, const std::string& help,
                        std::vector<std::string> labels,
                        std::function<void(const GaugeSink&)> collect);

  // Every family, in the order of registration, in the text format 0.0.4.
  std::string Render() const;

 private:
  template <typename F, typename... Args>
  F& Add(const std::string& name, Type type, const std::vector<std::string>& labels,
         Args&&... args);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<internal::FamilyBase>> families_;
};

// The HTTP Content-Type of Render()'s text.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// --- The text format's pieces (exposed for tests and other writers) --------
// A label value: backslash, double quote and line feed escaped.
std::string EscapeLabelValue(std::string_view value);
// HELP text: backslash and line feed escaped.
std::string EscapeHelp(std::string_view help);
// A sample value or bound: integers without a fraction, others in the
// shortest form that reads back the same; "+Inf", "-Inf", "NaN".
std::string FormatValue(double v);
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

}  // namespace activa::metrics

#endif  // ACTIVA_METRICS_REGISTRY_H_
