// Quartz-style cron expressions, as the smartag API's CronExpression parameter uses them
// ("0 0 4 1/1 * ?" = every day at 04:00:00), evaluated in an IANA time zone
// (docs/semantics.md "Automatic upgrades").
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sag {

// A parsed expression of six or seven space-separated fields:
//   second (0-59) minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or JAN-DEC)
//   day-of-week (1-7 = SUN-SAT, or SUN-SAT) [year (1970-2199)]
// Each field is `*`, a value, a range `a-b`, a step `x/n` (x = `*`, a value or a range) or a
// comma-separated list of those; `?` (no specific value) is allowed in the two day fields. When
// one day field is `?` or `*` the other decides; when both are restricted a day matching either
// fires (Quartz rejects that form; we accept it as classic cron does). Quartz's `L`, `W` and `#`
// are not supported and are rejected by Parse.
class CronSchedule {
 public:
  // Parses text; the error says which field is wrong and why.
  static Result<CronSchedule, std::string> Parse(std::string_view text);

  // The first fire time strictly after after_ms (epoch milliseconds), reading the fields as local
  // time of time_zone (an IANA name, e.g. "Asia/Shanghai"). Local times that do not exist (a
  // daylight-saving gap) are skipped; ambiguous ones fire at their first occurrence. nullopt when
  // nothing fires in the next 5 years, or the time zone is unknown.
  std::optional<int64_t> NextAfter(int64_t after_ms, std::string_view time_zone) const;

 private:
  std::bitset<60> seconds_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // bit d = day d (1-31)
  std::bitset<13> months_;         // bit m = month m (1-12)
  std::bitset<8> days_of_week_;    // bit w = Quartz day w (1 = Sunday ... 7 = Saturday)
  std::bitset<230> years_;         // bit y = year 1970 + y
  bool dom_any_ = true;            // day-of-month is `*` or `?`
  bool dow_any_ = true;            // day-of-week is `*` or `?`
};

// True when name is a time zone of the system's time-zone database.
bool IsKnownTimeZone(std::string_view name);

}  // namespace sag
