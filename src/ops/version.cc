#include "ops/version.h"

#include <charconv>
#include <cstdint>
#include <vector>

namespace sag::ops {
namespace {

std::optional<std::vector<uint64_t>> Segments(std::string_view v) {
  std::vector<uint64_t> out;
  while (true) {
    size_t dot = v.find('.');
    std::string_view part = v.substr(0, dot);
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size()) return std::nullopt;
    out.push_back(n);
    if (dot == std::string_view::npos) return out;
    v.remove_prefix(dot + 1);
  }
}

}  // namespace

std::optional<int> CompareVersions(std::string_view a, std::string_view b) {
  auto sa = Segments(a);
  auto sb = Segments(b);
  if (!sa || !sb) return std::nullopt;
  for (size_t i = 0; i < std::max(sa->size(), sb->size()); ++i) {
    uint64_t x = i < sa->size() ? (*sa)[i] : 0;
    uint64_t y = i < sb->size() ? (*sb)[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

}  // namespace sag::ops
