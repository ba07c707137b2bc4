// The regions smartag serves (the ten of Alibaba Cloud's smartag endpoint list).
#pragma once

#include <string_view>
#include <vector>

namespace sag::ops {

// A region and its localized names.
struct RegionInfo {
  std::string_view id;
  std::string_view name_zh;
  std::string_view name_en;
  std::string_view name_ja;
};

// The ten regions, in the order DescribeRegions lists them.
const std::vector<RegionInfo>& AllRegions();
// True when id is one of AllRegions().
bool IsKnownRegion(std::string_view id);

}  // namespace sag::ops
