#include "metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace activa::metrics {
namespace {

// A misuse by the program itself (names are constants): no caller could
// handle it, and exporting wrong metrics quietly would be worse.
[[noreturn]] void Bug(const std::string& what) {
  std::fprintf(stderr, "metrics registry: %s\n", what.c_str());
  std::abort();
}

void CheckBounds(const std::string& name, const std::vector<double>& bounds) {
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      Bug(name + ": bucket bounds must be finite and strictly increasing");
    }
  }
}

// name{a="x",b="y"[,extra]} value\n
void WriteSample(std::string& out, std::string_view name, const std::vector<std::string>& labels,
                 const std::vector<std::string>& values, std::string_view extra_label,
                 std::string_view extra_value, std::string_view value) {
  out += name;
  if (!labels.empty() || !extra_label.empty()) {
    out += '{';
    bool first = true;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (!first) out += ',';
      first = false;
      out += labels[i];
      out += "=\"";
      out += EscapeLabelValue(values[i]);
      out += '"';
    }
    if (!extra_label.empty()) {
      if (!first) out += ',';
      out += extra_label;
      out += "=\"";
      out += extra_value;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

const char* TypeName(Type t) {
  switch (t) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

class CallbackFamily : public internal::FamilyBase {
 public:
  CallbackFamily(std::string name, std::string help, std::vector<std::string> labels,
                 std::function<void(const GaugeSink&)> collect)
      : FamilyBase(std::move(name), std::move(help), Type::kGauge, std::move(labels)),
        collect_(std::move(collect)) {}

 private:
  void WriteSamples(std::string& out) const override {
    collect_([&](const std::vector<std::string>& values, double v) {
      if (values.size() != label_names_.size()) {
        Bug(name_ + ": a sample with " + std::to_string(values.size()) + " label values for " +
            std::to_string(label_names_.size()) + " labels");
      }
      WriteSample(out, name_, label_names_, values, {}, {}, FormatValue(v));
    });
  }

  std::function<void(const GaugeSink&)> collect_;
};

}  // namespace

// --- Histogram -------------------------------------------------------------------

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double v) {
  // The first bound >= v: "le" is inclusive. NaN compares false with every
  // bound and lands in +Inf.
  std::size_t i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                           bounds_.begin());
  if (std::isnan(v)) i = bounds_.size();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  double v = start;
  for (int i = 0; i < count; ++i, v *= factor) out.push_back(v);
  return out;
}

// --- Families --------------------------------------------------------------------

void internal::FamilyBase::Write(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  out += EscapeHelp(help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += TypeName(type_);
  out += '\n';
  WriteSamples(out);
}

template <typename T>
Family<T>::Family(std::string name, std::string help, Type type, std::vector<std::string> labels,
                  std::vector<double> bounds)
    : FamilyBase(std::move(name), std::move(help), type, std::move(labels)),
      bounds_(std::move(bounds)) {}

template <typename T>
T& Family<T>::WithLabels(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) {
    Bug(name_ + ": " + std::to_string(values.size()) + " label values for " +
        std::to_string(label_names_.size()) + " labels");
  }
  std::lock_guard lock(mu_);
  std::unique_ptr<T>& child = children_[values];
  if (!child) {
    if constexpr (std::is_same_v<T, Histogram>) {
      child = std::make_unique<Histogram>(bounds_);
    } else {
      child = std::make_unique<T>();
    }
  }
  return *child;
}

template <typename T>
void Family<T>::WriteSamples(std::string& out) const {
  std::lock_guard lock(mu_);
  for (const auto& [values, child] : children_) {
    if constexpr (std::is_same_v<T, Counter>) {
      WriteSample(out, name_, label_names_, values, {}, {}, std::to_string(child->value()));
    } else if constexpr (std::is_same_v<T, Gauge>) {
      WriteSample(out, name_, label_names_, values, {}, {}, FormatValue(child->value()));
    } else {
      Histogram::Snapshot s = child->Read();
      const std::string bucket = name_ + "_bucket";
      for (std::size_t i = 0; i < bounds_.size(); ++i) {
        WriteSample(out, bucket, label_names_, values, "le", FormatValue(bounds_[i]),
                    std::to_string(s.cumulative[i]));
      }
      WriteSample(out, bucket, label_names_, values, "le", "+Inf", std::to_string(s.count));
      WriteSample(out, name_ + "_sum", label_names_, values, {}, {}, FormatValue(s.sum));
      WriteSample(out, name_ + "_count", label_names_, values, {}, {}, std::to_string(s.count));
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// --- Registry --------------------------------------------------------------------

template <typename F, typename... Args>
F& Registry::Add(const std::string& name, Type type, const std::vector<std::string>& labels,
                 Args&&... args) {
  if (!IsValidMetricName(name)) Bug("\"" + name + "\" is not a valid metric name");
  for (const std::string& l : labels) {
    if (!IsValidLabelName(l)) Bug(name + ": \"" + l + "\" is not a valid label name");
    if (type == Type::kHistogram && l == "le") Bug(name + ": a histogram cannot have label le");
  }
  std::lock_guard lock(mu_);
  for (const auto& f : families_) {
    if (f->name() != name) continue;
    auto* same = dynamic_cast<F*>(f.get());
    if (same == nullptr || f->type() != type || f->label_names() != labels) {
      Bug("\"" + name + "\" registered twice, with another type or labels");
    }
    return *same;
  }
  auto family = std::make_unique<F>(name, std::forward<Args>(args)...);
  F& out = *family;
  families_.push_back(std::move(family));
  return out;
}

Family<Counter>& Registry::AddCounterFamily(const std::string& name, const std::string& help,
                                            std::vector<std::string> labels) {
  return Add<Family<Counter>>(name, Type::kCounter, labels, help, Type::kCounter, labels);
}

Family<Gauge>& Registry::AddGaugeFamily(const std::string& name, const std::string& help,
                                        std::vector<std::string> labels) {
  return Add<Family<Gauge>>(name, Type::kGauge, labels, help, Type::kGauge, labels);
}

Family<Histogram>& Registry::AddHistogramFamily(const std::string& name, const std::string& help,
                                                std::vector<std::string> labels,
                                                std::vector<double> bounds) {
  CheckBounds(name, bounds);
  return Add<Family<Histogram>>(name, Type::kHistogram, labels, help, Type::kHistogram, labels,
                                std::move(bounds));
}

Counter& Registry::AddCounter(const std::string& name, const std::string& help) {
  return AddCounterFamily(name, help, {}).WithLabels({});
}

Gauge& Registry::AddGauge(const std::string& name, const std::string& help) {
  return AddGaugeFamily(name, help, {}).WithLabels({});
}

Histogram& Registry::AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<double> bounds) {
  return AddHistogramFamily(name, help, {}, std::move(bounds)).WithLabels({});
}

void Registry::AddGaugeCallback(const std::string& name, const std::string& help,
                                std::vector<std::string> labels,
                                std::function<void(const GaugeSink&)> collect) {
  Add<CallbackFamily>(name, Type::kGauge, labels, help, labels, std::move(collect));
}

std::string Registry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& f : families_) f->Write(out);
  return out;
}

// --- The text format ---------------------------------------------------------

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Whole numbers (counts, timestamps) as integers, as a reader expects;
  // 2^53 is where doubles stop holding every integer.
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    return std::to_string(static_cast<std::int64_t>(v));
  }
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, v);
  if (ec != std::errc()) return "NaN";  // cannot happen with 32 characters
  return std::string(text, end);
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace activa::metrics
