// A minimal line logger to stderr. Never pass secrets to it: callers log identifiers, not values.
#pragma once

#include <string_view>

namespace sag {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Sets the lowest level that is written (default kInfo).
void SetLogLevel(LogLevel level);
// Writes one line "<ISO time> <LEVEL> <message>" to stderr, atomically with respect to other calls.
void Log(LogLevel level, std::string_view message);

inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarn(std::string_view m) { Log(LogLevel::kWarn, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

}  // namespace sag
