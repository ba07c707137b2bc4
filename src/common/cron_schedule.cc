#include "common/cron_schedule.h"

#include <array>
#include <charconv>
#include <chrono>
#include <date/tz.h>
#include <exception>
#include <vector>

namespace sag {
namespace {

// How one field is read.
struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  const std::array<std::string_view, 12>* names = nullptr;  // names[i] = value name_base + i
  int name_base = 0;
  bool allows_question = false;
};

constexpr std::array<std::string_view, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 12> kDayNames = {"SUN", "MON", "TUE", "WED", "THU", "FRI",
                                                        "SAT", "",    "",    "",    "",    ""};

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// A number or (where the field has them) a name, within the field's bounds.
Result<int, std::string> ParseValue(std::string_view text, const FieldSpec& spec) {
  const std::string where = std::string(spec.name) + " field: ";
  if (text.empty()) return MakeUnexpected(where + "a value is missing");
  if (spec.names != nullptr && text.size() == 3) {
    for (size_t i = 0; i < spec.names->size(); ++i) {
      const std::string_view n = (*spec.names)[i];
      if (!n.empty() && Upper(text[0]) == n[0] && Upper(text[1]) == n[1] &&
          Upper(text[2]) == n[2]) {
        return spec.name_base + static_cast<int>(i);
      }
    }
  }
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return MakeUnexpected(where + "'" + std::string(text) + "' is not a value");
  }
  if (value < spec.min || value > spec.max) {
    return MakeUnexpected(where + std::to_string(value) + " is outside " +
                          std::to_string(spec.min) + "-" + std::to_string(spec.max));
  }
  return value;
}

// Sets the bits (value - offset) of one field; any_out tells whether the field is `*` or `?`.
template <size_t N>
Result<void, std::string> ParseField(std::string_view text, const FieldSpec& spec, int offset,
                                     std::bitset<N>& bits, bool* any_out) {
  const std::string where = std::string(spec.name) + " field: ";
  if (any_out != nullptr) *any_out = text == "*" || text == "?";
  if (text == "?") {
    if (!spec.allows_question) return MakeUnexpected(where + "'?' is only for the day fields");
    for (int v = spec.min; v <= spec.max; ++v) bits.set(static_cast<size_t>(v - offset));
    return {};
  }
  if (text.find_first_of("LW#") != std::string_view::npos) {
    return MakeUnexpected(where + "'L', 'W' and '#' are not supported");
  }
  for (std::string_view part : Split(text, ',')) {
    int step = 1;
    std::string_view base = part;
    if (size_t slash = part.find('/'); slash != std::string_view::npos) {
      base = part.substr(0, slash);
      std::string_view step_text = part.substr(slash + 1);
      auto [ptr, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      if (ec != std::errc() || ptr != step_text.data() + step_text.size() || step < 1 ||
          step > spec.max) {
        return MakeUnexpected(where + "'" + std::string(step_text) + "' is not a valid step");
      }
    }
    int first = spec.min;
    int last = spec.max;
    bool single = false;
    if (base != "*") {
      if (size_t dash = base.find('-'); dash != std::string_view::npos && dash > 0) {
        ASSIGN_OR_RETURN(first, ParseValue(base.substr(0, dash), spec));
        ASSIGN_OR_RETURN(last, ParseValue(base.substr(dash + 1), spec));
      } else {
        ASSIGN_OR_RETURN(first, ParseValue(base, spec));
        single = part.find('/') == std::string_view::npos;
        last = single ? first : spec.max;
      }
    }
    // A range may wrap (FRI-MON): walk first..max then min..last.
    const int span = last >= first ? last - first : (spec.max - first) + (last - spec.min) + 1;
    for (int i = 0; i <= span; i += step) {
      int v = first + i;
      if (v > spec.max) v = spec.min + (v - spec.max - 1);
      bits.set(static_cast<size_t>(v - offset));
    }
  }
  return {};
}

constexpr FieldSpec kSecond{"second", 0, 59};
constexpr FieldSpec kMinute{"minute", 0, 59};
constexpr FieldSpec kHour{"hour", 0, 23};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, nullptr, 0, true};
constexpr FieldSpec kMonth{"month", 1, 12, &kMonthNames, 1};
constexpr FieldSpec kDayOfWeek{"day-of-week", 1, 7, &kDayNames, 1, true};
constexpr FieldSpec kYear{"year", 1970, 2199};

// Finds a time zone; nullptr when the database does not know it.
const date::time_zone* FindZone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

Result<CronSchedule, std::string> CronSchedule::Parse(std::string_view text) {
  std::vector<std::string_view> fields;
  for (std::string_view f : Split(text, ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 6 && fields.size() != 7) {
    return MakeUnexpected(std::string(
        "a cron expression has 6 or 7 fields: second minute hour day-of-month month day-of-week "
        "[year]"));
  }
  CronSchedule s;
  RETURN_IF_ERROR(ParseField(fields[0], kSecond, 0, s.seconds_, nullptr));
  RETURN_IF_ERROR(ParseField(fields[1], kMinute, 0, s.minutes_, nullptr));
  RETURN_IF_ERROR(ParseField(fields[2], kHour, 0, s.hours_, nullptr));
  RETURN_IF_ERROR(ParseField(fields[3], kDayOfMonth, 0, s.days_of_month_, &s.dom_any_));
  RETURN_IF_ERROR(ParseField(fields[4], kMonth, 0, s.months_, nullptr));
  RETURN_IF_ERROR(ParseField(fields[5], kDayOfWeek, 0, s.days_of_week_, &s.dow_any_));
  if (fields.size() == 7) {
    RETURN_IF_ERROR(ParseField(fields[6], kYear, kYear.min, s.years_, nullptr));
  } else {
    s.years_.set();
  }
  return s;
}

std::optional<int64_t> CronSchedule::NextAfter(int64_t after_ms, std::string_view time_zone) const {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  using std::chrono::seconds;
  const date::time_zone* tz = FindZone(time_zone);
  if (tz == nullptr) return std::nullopt;
  const date::sys_time<milliseconds> after{milliseconds(after_ms)};
  const auto local_after = tz->to_local(after);
  date::local_days day = date::floor<date::days>(local_after);
  // Times more than a day before local_after cannot be after it, whatever the offsets.
  const auto earliest_candidate = local_after - hours(26);
  for (int i = 0; i < 5 * 366 + 2; ++i, day += date::days(1)) {
    const date::year_month_day ymd{day};
    const int year = static_cast<int>(ymd.year());
    if (year < kYear.min || year > kYear.max ||
        !years_.test(static_cast<size_t>(year - kYear.min))) {
      continue;
    }
    if (!months_.test(static_cast<unsigned>(ymd.month()))) continue;
    const bool dom = days_of_month_.test(static_cast<unsigned>(ymd.day()));
    const bool dow = days_of_week_.test(date::weekday{day}.c_encoding() + 1);
    const bool day_fires = dom_any_ ? dow : (dow_any_ ? dom : (dom || dow));
    if (!day_fires) continue;
    for (int h = 0; h < 24; ++h) {
      if (!hours_.test(static_cast<size_t>(h))) continue;
      for (int m = 0; m < 60; ++m) {
        if (!minutes_.test(static_cast<size_t>(m))) continue;
        for (int s = 0; s < 60; ++s) {
          if (!seconds_.test(static_cast<size_t>(s))) continue;
          const date::local_seconds t = day + hours(h) + minutes(m) + seconds(s);
          if (t < earliest_candidate) continue;
          const date::local_info info = tz->get_info(t);
          if (info.result == date::local_info::nonexistent) continue;
          const date::sys_seconds fire{t.time_since_epoch() - info.first.offset};
          const int64_t fire_ms =
              std::chrono::duration_cast<milliseconds>(fire.time_since_epoch()).count();
          if (fire_ms > after_ms) return fire_ms;
        }
      }
    }
  }
  return std::nullopt;
}

bool IsKnownTimeZone(std::string_view name) { return FindZone(name) != nullptr; }

}  // namespace sag
