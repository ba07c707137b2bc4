#include "ops/params.h"

#include <charconv>

namespace sag::ops {

std::optional<int64_t> ParseInt64(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

const std::string* Params::Find(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return nullptr;
  read_.insert(it->first);
  return &it->second;
}

const std::string* Params::Peek(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

std::vector<std::string> Params::Unread() const {
  std::vector<std::string> out;
  for (const auto& [name, value] : values_) {
    if (!read_.contains(name)) out.push_back(name);
  }
  return out;
}

bool Params::Has(std::string_view name) const {
  const std::string* v = Find(name);
  return v != nullptr && !v->empty();
}

std::string Params::Get(std::string_view name) const {
  const std::string* v = Find(name);
  return v == nullptr ? std::string() : *v;
}

std::vector<std::string> Params::GetList(std::string_view name) const {
  std::vector<std::string> out;
  for (int i = 1;; ++i) {
    const std::string* v = Find(std::string(name) + "." + std::to_string(i));
    if (v == nullptr) break;
    out.push_back(*v);
  }
  return out;
}

Result<std::optional<int64_t>, ApiError> Params::GetOptionalInt(std::string_view name, int64_t min,
                                                                int64_t max) const {
  if (!Has(name)) return std::optional<int64_t>();
  auto v = ParseInt64(*Find(name));
  if (!v || *v < min || *v > max)
    return MakeUnexpected(ApiError::InvalidParameter(std::string(name)));
  return std::optional<int64_t>(*v);
}

Result<int64_t, ApiError> Params::GetInt(std::string_view name, int64_t fallback, int64_t min,
                                         int64_t max) const {
  ASSIGN_OR_RETURN(auto v, GetOptionalInt(name, min, max));
  return v.value_or(fallback);
}

Result<std::optional<bool>, ApiError> Params::GetOptionalBool(std::string_view name) const {
  if (!Has(name)) return std::optional<bool>();
  std::string v = *Find(name);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "true") return std::optional<bool>(true);
  if (v == "false") return std::optional<bool>(false);
  return MakeUnexpected(ApiError::InvalidParameter(std::string(name)));
}

Result<bool, ApiError> Params::GetBool(std::string_view name, bool fallback) const {
  ASSIGN_OR_RETURN(auto v, GetOptionalBool(name));
  return v.value_or(fallback);
}

}  // namespace sag::ops
