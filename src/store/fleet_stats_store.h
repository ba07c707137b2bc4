// Fleet-wide counts for sagd's metrics (docs/metrics.md). Part of store::Store.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace sag::store {

struct StoreError;  // store.h

class FleetStatsStore {
 public:
  virtual ~FleetStatsStore() = default;

  // How many upgrades are in each state (states with none are left out), ordered by state.
  virtual Result<std::vector<std::pair<std::string, int64_t>>, StoreError>
  CountUpgradesByState() = 0;
};

}  // namespace sag::store
