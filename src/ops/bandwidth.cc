#include "ops/bandwidth.h"

namespace sag::ops {

namespace {

constexpr BandwidthLimits kLimits[] = {
    {"sag-100wm", 2, 50},
    {"sag-1000", 10, 500},
    {"sag-vcpe", 10, 1000},
};

}  // namespace

const BandwidthLimits* BandwidthLimitsOf(std::string_view spec) {
  for (const auto& l : kLimits) {
    if (l.spec == spec) return &l;
  }
  return nullptr;
}

}  // namespace sag::ops
