// Request parameters after the gateway merged query and form body: a name -> value map with typed
// accessors that answer the wire's own errors for bad values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"
#include "common/result.h"

namespace sag::ops {

// Decoded request parameters. Names are case-sensitive. A later duplicate overrides an earlier one.
// Every accessor (Find, Has, Get, GetList, GetInt, ...) records the names it found, so that after
// a call Unread() names the parameters the request carried that nothing read (a misspelled
// PageSize that was ignored); values() does not count as reading. Not thread-safe (one call's
// parameters are read by one thread at a time).
class Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, std::string, std::less<>> values)
      : values_(std::move(values)) {}

  void Set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }
  // The value, or nullptr when the parameter was not sent.
  const std::string* Find(std::string_view name) const;
  // True when the parameter was sent with a non-empty value.
  bool Has(std::string_view name) const;
  // The value, or "" when absent.
  std::string Get(std::string_view name) const;
  // Name.1, Name.2, ... in index order (stops at the first gap).
  std::vector<std::string> GetList(std::string_view name) const;

  // Integer value; absent/empty -> fallback; not a decimal integer or outside [min, max] ->
  // InvalidParameter(name).
  Result<int64_t, ApiError> GetInt(std::string_view name, int64_t fallback, int64_t min,
                                   int64_t max) const;
  // Optional integer; nullopt when absent/empty; errors as GetInt.
  Result<std::optional<int64_t>, ApiError> GetOptionalInt(std::string_view name, int64_t min,
                                                          int64_t max) const;
  // Boolean "true"/"false" (case-insensitive); absent -> fallback; otherwise InvalidParameter.
  Result<bool, ApiError> GetBool(std::string_view name, bool fallback) const;
  // Optional boolean; nullopt when absent/empty; errors as GetBool.
  Result<std::optional<bool>, ApiError> GetOptionalBool(std::string_view name) const;

  // Every parameter, without marking any read.
  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }
  // The value, or nullptr, without marking it read (for code that only observes a call, such as
  // fault-rule matching).
  const std::string* Peek(std::string_view name) const;
  // The names of the parameters no accessor has found so far, in name order.
  std::vector<std::string> Unread() const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
  mutable std::set<std::string, std::less<>> read_;
};

// Parses a decimal integer (optional leading '-'); nullopt on anything else or overflow.
std::optional<int64_t> ParseInt64(std::string_view text);

}  // namespace sag::ops
