#include "common/cron_schedule.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace sag {
namespace {

// Epoch ms of an ISO-8601 UTC time.
int64_t Utc(const char* iso) {
  auto t = ParseIso8601Utc(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(0);
}

std::string Next(const char* expr, const char* after, const char* zone = "Asia/Shanghai") {
  auto cron = CronSchedule::Parse(expr);
  EXPECT_TRUE(cron.has_value()) << expr << ": " << (cron ? "" : cron.error());
  if (!cron) return "parse error";
  auto next = cron->NextAfter(Utc(after), zone);
  return next ? FormatIso8601Utc(*next) : "never";
}

TEST(CronScheduleTest, DocumentedExampleFiresDailyAtFourInShanghai) {
  // 04:00 in UTC+8 is 20:00 UTC the day before.
  EXPECT_EQ(Next("0 0 4 1/1 * ?", "2026-11-23T00:00:00Z"), "2026-11-23T20:00:00Z");
  EXPECT_EQ(Next("0 0 4 1/1 * ?", "2026-11-23T20:00:00Z"), "2026-11-24T20:00:00Z");
  EXPECT_EQ(Next("0 0 4 1/1 * ?", "2026-11-23T19:59:59Z"), "2026-11-23T20:00:00Z");
}

TEST(CronScheduleTest, TimeZonesAndDaylightSaving) {
  EXPECT_EQ(Next("0 0 4 * * ?", "2026-11-23T00:00:00Z", "Asia/Tokyo"), "2026-11-23T19:00:00Z");
  // Berlin: UTC+1 in winter, UTC+2 in summer.
  EXPECT_EQ(Next("0 30 2 * * ?", "2026-01-10T00:00:00Z", "Europe/Berlin"), "2026-01-10T01:30:00Z");
  EXPECT_EQ(Next("0 0 12 * * ?", "2026-07-10T00:00:00Z", "Europe/Berlin"), "2026-07-10T10:00:00Z");
  // 02:30 does not exist in Berlin on 2026-03-29 (clocks jump 02:00 -> 03:00): skipped.
  EXPECT_EQ(Next("0 30 2 * * ?", "2026-03-28T12:00:00Z", "Europe/Berlin"), "2026-03-30T00:30:00Z");
  // 02:30 happens twice on 2026-10-25: the first one fires.
  EXPECT_EQ(Next("0 30 2 * * ?", "2026-10-24T12:00:00Z", "Europe/Berlin"), "2026-10-25T00:30:00Z");
}

TEST(CronScheduleTest, FieldForms) {
  // Lists, ranges, steps, names.
  EXPECT_EQ(Next("0 15,45 * * * ?", "2026-11-23T00:20:00Z", "UTC"), "2026-11-23T00:45:00Z");
  EXPECT_EQ(Next("0 0 9-17/4 * * ?", "2026-11-23T10:00:00Z", "UTC"), "2026-11-23T13:00:00Z");
  EXPECT_EQ(Next("*/20 * * * * ?", "2026-11-23T00:00:41Z", "UTC"), "2026-11-23T00:01:00Z");
  // 2026-11-23 is a Monday; the next Saturday is the 28th.
  EXPECT_EQ(Next("0 0 3 ? * SAT", "2026-11-23T00:00:00Z", "UTC"), "2026-11-28T03:00:00Z");
  EXPECT_EQ(Next("0 0 3 ? * 7", "2026-11-23T00:00:00Z", "UTC"), "2026-11-28T03:00:00Z");
  EXPECT_EQ(Next("0 0 3 ? * FRI-MON", "2026-11-24T00:00:00Z", "UTC"), "2026-11-27T03:00:00Z");
  EXPECT_EQ(Next("0 0 0 1 JAN ?", "2026-11-23T00:00:00Z", "UTC"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(Next("0 0 0 29 2 ?", "2026-03-01T00:00:00Z", "UTC"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(Next("0 0 0 1 1 ? 2030", "2026-03-01T00:00:00Z", "UTC"), "2030-01-01T00:00:00Z");
  EXPECT_EQ(Next("0 0 0 1 1 ? 2020", "2026-03-01T00:00:00Z", "UTC"), "never");
  EXPECT_EQ(Next("0 0 0 31 2 ?", "2026-03-01T00:00:00Z", "UTC"), "never");
}

TEST(CronScheduleTest, RejectsWhatItCannotRead) {
  for (const char* bad : {"", "0 0 4 * *", "0 0 4 * * ? 2030 x", "60 0 4 * * ?", "0 0 24 * * ?",
                          "0 0 4 0 * ?", "0 0 4 * 13 ?", "0 0 4 * * 8", "0 0 4 L * ?",
                          "0 0 4 ? * 6#3", "0 0 4 15W * ?", "0 0 4 * * ? 1969", "? 0 4 * * *",
                          "0 0 4 */0 * ?", "0 0 x * * ?", "0 0 4- * * ?", "0 0 4 * * MOX"}) {
    auto cron = CronSchedule::Parse(bad);
    EXPECT_FALSE(cron.has_value()) << "accepted: '" << bad << "'";
    if (!cron) {
      EXPECT_FALSE(cron.error().empty());
    }
  }
}

TEST(CronScheduleTest, UnknownTimeZoneNeverFires) {
  EXPECT_TRUE(IsKnownTimeZone("Asia/Shanghai"));
  EXPECT_TRUE(IsKnownTimeZone("Europe/Berlin"));
  EXPECT_FALSE(IsKnownTimeZone("Europe/Berli"));
  EXPECT_EQ(Next("0 0 4 * * ?", "2026-11-23T00:00:00Z", "Mars/Olympus"), "never");
}

}  // namespace
}  // namespace sag
