// ISO 8601 UTC timestamps as the smartag wire uses them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sag {

// Parses "YYYY-MM-DDThh:mm:ssZ", with an optional fraction (".312") before the Z.
// Returns epoch milliseconds, or nullopt when the text is not such a timestamp.
std::optional<int64_t> ParseIso8601Utc(std::string_view text);

// Formats epoch milliseconds as "YYYY-MM-DDThh:mm:ssZ" (seconds precision).
std::string FormatIso8601Utc(int64_t epoch_ms);

// Formats epoch milliseconds as "YYYY-MM-DD hh:mm:ss" (UTC), the device-info timestamp form.
std::string FormatDeviceTime(int64_t epoch_ms);

}  // namespace sag
