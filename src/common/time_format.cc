#include "common/time_format.h"

#include <chrono>
#include <cstdio>

namespace sag {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::optional<int64_t> ParseIso8601Utc(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 || !Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || s[10] != 'T' || !Digits(s, 11, 2, h) || s[13] != ':' ||
      !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t frac_ms = 0;
  if (s[pos] == '.') {
    ++pos;
    int scale = 100;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  auto days = sys_days{ymd}.time_since_epoch().count();
  return ((static_cast<int64_t>(days) * 24 + h) * 60 + mi) * 60000 + int64_t{sec} * 1000 + frac_ms;
}

namespace {

std::string Format(int64_t epoch_ms, const char* pattern) {
  using namespace std::chrono;
  auto tp = sys_time<milliseconds>{milliseconds{epoch_ms}};
  auto day_point = floor<days>(tp);
  year_month_day ymd{day_point};
  hh_mm_ss hms{floor<seconds>(tp - day_point)};
  char buf[32];
  std::snprintf(buf, sizeof buf, pattern, static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace

std::string FormatIso8601Utc(int64_t epoch_ms) {
  return Format(epoch_ms, "%04d-%02u-%02uT%02d:%02d:%02dZ");
}

std::string FormatDeviceTime(int64_t epoch_ms) {
  return Format(epoch_ms, "%04d-%02u-%02u %02d:%02d:%02d");
}

}  // namespace sag
