// The instance bandwidth each hardware model may be bought with (Mbit/s), shared by
// CreateSmartAccessGateway and Upgrade/DowngradeSmartAccessGateway.
#pragma once

#include <cstdint>
#include <string_view>

namespace sag::ops {

struct BandwidthLimits {
  std::string_view spec;  // HardWareSpec
  int64_t min_bandwidth;
  int64_t max_bandwidth;
};

// The limits of a hardware model, or nullptr for a model sagd does not sell.
const BandwidthLimits* BandwidthLimitsOf(std::string_view spec);

}  // namespace sag::ops
