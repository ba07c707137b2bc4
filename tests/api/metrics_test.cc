// The metrics registry's exposition (api/metrics.h).
#include "api/metrics.h"

#include <gtest/gtest.h>

namespace sag::api {
namespace {

TEST(MetricsTest, CountersRenderOneSeriesPerLabelSetWithEscapedValues) {
  Metrics metrics;
  Counter* c = metrics.AddCounter("sag_x_total", "Things\ncounted.", {"action", "code"});
  c->Add({"A", "Success"});
  c->Add({"A", "Success"}, 2);
  c->Add({"B\"\\\n", "Forbidden"});
  EXPECT_EQ(c->Value({"A", "Success"}), 3);
  EXPECT_EQ(c->Value({"Z", "Success"}), 0);
  EXPECT_EQ(metrics.Render(),
            "# HELP sag_x_total Things\\ncounted.\n"
            "# TYPE sag_x_total counter\n"
            "sag_x_total{action=\"A\",code=\"Success\"} 3\n"
            "sag_x_total{action=\"B\\\"\\\\\\n\",code=\"Forbidden\"} 1\n");
}

TEST(MetricsTest, ASecondRegistrationSharesTheFamily) {
  Metrics metrics;
  Counter* a = metrics.AddCounter("sag_y_total", "Y.", {});
  Counter* b = metrics.AddCounter("sag_y_total", "Y again.", {});
  EXPECT_EQ(a, b);
  b->Add({});
  EXPECT_EQ(metrics.Render(), "# HELP sag_y_total Y.\n# TYPE sag_y_total counter\nsag_y_total 1\n");
}

TEST(MetricsTest, HistogramsRenderCumulativeBucketsSumAndCount) {
  Metrics metrics;
  Histogram* h = metrics.AddHistogram("sag_d_seconds", "D.", {"action"}, {0.1, 1});
  h->Observe({"A"}, 0.05);
  h->Observe({"A"}, 0.1);  // on a bound: counted in it
  h->Observe({"A"}, 0.5);
  h->Observe({"A"}, 7);
  EXPECT_EQ(metrics.Render(),
            "# HELP sag_d_seconds D.\n"
            "# TYPE sag_d_seconds histogram\n"
            "sag_d_seconds_bucket{action=\"A\",le=\"0.1\"} 2\n"
            "sag_d_seconds_bucket{action=\"A\",le=\"1\"} 3\n"
            "sag_d_seconds_bucket{action=\"A\",le=\"+Inf\"} 4\n"
            "sag_d_seconds_sum{action=\"A\"} 7.65\n"
            "sag_d_seconds_count{action=\"A\"} 4\n");
}

TEST(MetricsTest, SampledFamiliesAreReadAtEachRender) {
  Metrics metrics;
  int online = 2;
  metrics.AddSampled("sag_online", "Online.", MetricType::kGauge, {"state"}, [&online] {
    return std::vector<Sample>{{{"up"}, static_cast<double>(online)}};
  });
  EXPECT_NE(metrics.Render().find("sag_online{state=\"up\"} 2\n"), std::string::npos);
  online = 5;
  EXPECT_NE(metrics.Render().find("sag_online{state=\"up\"} 5\n"), std::string::npos);
  EXPECT_NE(metrics.Render().find("# TYPE sag_online gauge\n"), std::string::npos);
}

}  // namespace
}  // namespace sag::api
