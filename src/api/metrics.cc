#include "api/metrics.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace sag::api {

namespace {

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact form
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

// A label value or HELP text with the characters the format escapes.
std::string Escape(std::string_view text, bool quote) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// {a="x",b="y"} (plus an extra label, e.g. le), or "" without labels.
std::string LabelSet(const std::vector<std::string>& names, const LabelValues& values,
                     std::string_view extra_name = {}, std::string_view extra_value = {}) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i] + "=\"" + Escape(values[i], true) + "\"";
  }
  if (!extra_name.empty()) {
    out += out.empty() ? "{" : ",";
    out += std::string(extra_name) + "=\"" + std::string(extra_value) + "\"";
  }
  if (!out.empty()) out += "}";
  return out;
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

Counter::Series& Counter::Get(const LabelValues& labels) {
  std::lock_guard lock(mu_);
  auto& slot = series_[labels];
  if (!slot) slot = std::make_unique<Series>();
  return *slot;
}

void Counter::Add(const LabelValues& labels, double n) {
  Get(labels).value.fetch_add(n, std::memory_order_relaxed);
}

double Counter::Value(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second->value.load(std::memory_order_relaxed);
}

Histogram::Series& Histogram::Get(const LabelValues& labels) {
  std::lock_guard lock(mu_);
  auto& slot = series_[labels];
  if (!slot) slot = std::make_unique<Series>(bounds_.size());
  return *slot;
}

void Histogram::Observe(const LabelValues& labels, double value) {
  Series& s = Get(labels);
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  s.counts[i].fetch_add(1, std::memory_order_relaxed);
  s.sum.fetch_add(value, std::memory_order_relaxed);
}

Metrics::Family* Metrics::Find(std::string_view name) {
  for (auto& f : families_) {
    if (f->name == name) return f.get();
  }
  return nullptr;
}

Counter* Metrics::AddCounter(std::string name, std::string help,
                             std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  if (Family* f = Find(name)) return f->counter.get();
  auto f = std::make_unique<Family>(Family{.name = std::move(name),
                                           .help = std::move(help),
                                           .type = MetricType::kCounter,
                                           .label_names = std::move(label_names),
                                           .counter = std::make_unique<Counter>()});
  Counter* c = f->counter.get();
  families_.push_back(std::move(f));
  return c;
}

Histogram* Metrics::AddHistogram(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  if (Family* f = Find(name)) return f->histogram.get();
  auto f = std::make_unique<Family>(
      Family{.name = std::move(name),
             .help = std::move(help),
             .type = MetricType::kHistogram,
             .label_names = std::move(label_names),
             .histogram = std::unique_ptr<Histogram>(new Histogram(std::move(bounds)))});
  Histogram* h = f->histogram.get();
  families_.push_back(std::move(f));
  return h;
}

void Metrics::AddSampled(std::string name, std::string help, MetricType type,
                         std::vector<std::string> label_names, Sampler sampler) {
  std::lock_guard lock(mu_);
  if (Find(name) != nullptr) return;
  families_.push_back(std::make_unique<Family>(Family{.name = std::move(name),
                                                      .help = std::move(help),
                                                      .type = type,
                                                      .label_names = std::move(label_names),
                                                      .sampler = std::move(sampler)}));
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP " + f->name + " " + Escape(f->help, false) + "\n";
    out += "# TYPE " + f->name + " " + std::string(TypeName(f->type)) + "\n";
    if (f->sampler) {
      for (const Sample& s : f->sampler()) {
        out += f->name + LabelSet(f->label_names, s.labels) + " " + FormatValue(s.value) + "\n";
      }
    } else if (f->counter) {
      std::lock_guard series_lock(f->counter->mu_);
      for (const auto& [labels, s] : f->counter->series_) {
        out += f->name + LabelSet(f->label_names, labels) + " " +
               FormatValue(s->value.load(std::memory_order_relaxed)) + "\n";
      }
    } else if (f->histogram) {
      const Histogram& h = *f->histogram;
      std::lock_guard series_lock(h.mu_);
      for (const auto& [labels, s] : h.series_) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= h.bounds_.size(); ++i) {
          cumulative += s->counts[i].load(std::memory_order_relaxed);
          const std::string le = i < h.bounds_.size() ? FormatValue(h.bounds_[i]) : "+Inf";
          out += f->name + "_bucket" + LabelSet(f->label_names, labels, "le", le) + " " +
                 std::to_string(cumulative) + "\n";
        }
        out += f->name + "_sum" + LabelSet(f->label_names, labels) + " " +
               FormatValue(s->sum.load(std::memory_order_relaxed)) + "\n";
        out += f->name + "_count" + LabelSet(f->label_names, labels) + " " +
               std::to_string(cumulative) + "\n";
      }
    }
  }
  return out;
}

}  // namespace sag::api
