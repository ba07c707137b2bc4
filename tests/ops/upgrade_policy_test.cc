// The pure parts of automatic upgrades: time-zone names, jitter spread and window scheduling
// (the scheduler itself runs end to end in tests/e2e/auto_upgrade.test.js).
#include "ops/upgrade_policy.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace sag::ops {
namespace {

TEST(UpgradePolicyTest, DocumentedTimeZonesOnly) {
  EXPECT_EQ(DocumentedTimeZone("Asia/Shanghai"), "Asia/Shanghai");
  EXPECT_EQ(DocumentedTimeZone("Australia/Sydney"), "Australia/Sydney");
  EXPECT_EQ(DocumentedTimeZone("Europe/Berli"), "Europe/Berlin");  // the reference's spelling
  EXPECT_EQ(DocumentedTimeZone("Europe/Berlin"), "Europe/Berlin");
  EXPECT_EQ(DocumentedTimeZone("Europe/Paris"), "");
  EXPECT_EQ(DocumentedTimeZone("asia/shanghai"), "");
  EXPECT_EQ(DocumentedTimeZone(""), "");
}

TEST(UpgradePolicyTest, JitterIsStableWithinBoundsAndSpreadsAFleet) {
  EXPECT_EQ(JitterOffsetMs("sage62x0225", 0), 0);
  EXPECT_EQ(JitterOffsetMs("sage62x0225", 5), JitterOffsetMs("sage62x0225", 5));
  std::set<int64_t> distinct;
  for (int i = 0; i < 1000; ++i) {
    const int64_t offset = JitterOffsetMs("fleet" + std::to_string(i), 5);
    EXPECT_GE(offset, 0);
    EXPECT_LT(offset, 5 * 60 * 1000);
    EXPECT_EQ(offset % 1000, 0);
    distinct.insert(offset);
  }
  EXPECT_GT(distinct.size(), 250u);  // 300 possible seconds; a fleet is not started at once
}

TEST(UpgradePolicyTest, OnlyScheduledPoliciesHaveAWindow) {
  store::UpgradePolicyRecord p;
  p.serial_number = "sage62x0225";
  p.upgrade_type = "scheduled";
  p.cron_expression = "0 0 4 1/1 * ?";
  p.time_zone = "Asia/Shanghai";
  p.jitter_min = 0;
  const int64_t after = ParseIso8601Utc("2026-11-23T21:00:00Z").value();
  ScheduleNextWindow(p, after);
  EXPECT_EQ(FormatIso8601Utc(p.next_window_ms), "2026-11-24T20:00:00Z");
  EXPECT_EQ(p.next_run_ms, p.next_window_ms);
  p.jitter_min = 5;
  ScheduleNextWindow(p, after);
  EXPECT_EQ(p.next_run_ms - p.next_window_ms, JitterOffsetMs(p.serial_number, 5));
  for (const char* type : {"boot", "manual"}) {
    p.upgrade_type = type;
    ScheduleNextWindow(p, after);
    EXPECT_EQ(p.next_window_ms, 0) << type;
    EXPECT_EQ(p.next_run_ms, 0) << type;
  }
  p.upgrade_type = "scheduled";
  p.cron_expression = "0 0 4 1 1 ? 2020";  // never again
  ScheduleNextWindow(p, after);
  EXPECT_EQ(p.next_run_ms, 0);
}

}  // namespace
}  // namespace sag::ops
