// sagd's metrics, exposed at /metrics in the Prometheus text exposition format (version 0.0.4;
// docs/metrics.md lists every metric). Written by hand rather than with prometheus-cpp, which
// Debian does not package: a registry of counters, gauges and histograms, each a family of series
// told apart by label values. Thread-safe: recording is lock-free once a series exists (atomics);
// Render takes the registry's lock and runs the sampled families' callbacks.
//
// Adding a metric (e.g. from another component): register it once at start-up and keep the
// pointer; the registry outlives every component that records into it.
//   Counter* faults = metrics.AddCounter("sag_faults_injected_total", "Faults injected.",
//   {"rule"}); faults->Add({"drop"});
// Or, for a figure some component already keeps, a sampled family:
//   metrics.AddSampled("sag_snapshots_total", "Snapshots taken.", MetricType::kCounter, {},
//                      [&] { return std::vector<Sample>{{{}, double(snapshots.count())}}; });
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sag::api {

enum class MetricType { kCounter, kGauge, kHistogram };

// Label values, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

// One sampled value of a sampled family.
struct Sample {
  LabelValues labels;
  double value = 0;
};

// A family of counters (only ever grow).
class Counter {
 public:
  // Adds n to the series with these label values (created at 0 the first time).
  void Add(const LabelValues& labels, double n = 1);
  // The series' value (0 when it does not exist yet).
  double Value(const LabelValues& labels) const;

 private:
  friend class Metrics;
  struct Series {
    std::atomic<double> value{0};
  };
  Series& Get(const LabelValues& labels);
  mutable std::mutex mu_;
  std::map<LabelValues, std::unique_ptr<Series>> series_;  // guarded by mu_
};

// A family of histograms with fixed upper bounds (in the unit the metric's name says).
class Histogram {
 public:
  void Observe(const LabelValues& labels, double value);

 private:
  friend class Metrics;
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {}
  struct Series {
    explicit Series(size_t buckets) : counts(buckets + 1) {}
    std::vector<std::atomic<uint64_t>> counts;  // per bound, then +Inf; not cumulative
    std::atomic<double> sum{0};
  };
  Series& Get(const LabelValues& labels);
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<LabelValues, std::unique_ptr<Series>> series_;  // guarded by mu_
};

class Metrics {
 public:
  using Sampler = std::function<std::vector<Sample>()>;

  // Register a family; the name must be new (a second registration of a name returns the first
  // family when it is of the same kind, so components registering the same metric share it).
  // The returned pointer lives as long as the registry.
  Counter* AddCounter(std::string name, std::string help, std::vector<std::string> label_names);
  Histogram* AddHistogram(std::string name, std::string help, std::vector<std::string> label_names,
                          std::vector<double> bounds);
  // A family whose samples sampler returns at every scrape (on the scraping thread: it must be
  // quick and must not call back into the registry).
  void AddSampled(std::string name, std::string help, MetricType type,
                  std::vector<std::string> label_names, Sampler sampler);

  // Every family in registration order, in the text exposition format.
  std::string Render() const;

 private:
  struct Family {
    std::string name = {};
    std::string help = {};
    MetricType type = MetricType::kCounter;
    std::vector<std::string> label_names = {};
    std::unique_ptr<Counter> counter = nullptr;
    std::unique_ptr<Histogram> histogram = nullptr;
    Sampler sampler = nullptr;
  };
  Family* Find(std::string_view name);
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;  // guarded by mu_
};

// The content type of Render's output.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace sag::api
