// The pure rules behind ConfigFacetStore::SetConfigFacets (store/config_facet_store.h), run
// inside its transaction and unit-tested on their own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sag::store {

// The revision a device's configuration facet value was last computed at, and for which instance.
struct ConfigFacetStamp {
  std::string instance_id;
  int64_t revision = 0;
};

// What SetConfigFacets does with one computed value.
enum class ConfigFacetDecision {
  kSkip,           // a value computed at this revision or later was stored first
  kRecordOnly,     // the value equals the facet's desired value: only the revision is recorded
  kNewGeneration,  // the value becomes the desired value under a new generation
};

// stamp: what was recorded for the device's facet (nullopt: nothing). A stamp of another instance
// (the device was rebound) does not count. current_value: the facet's desired value, or the facet's
// empty value when it has none.
ConfigFacetDecision DecideConfigFacet(const std::optional<ConfigFacetStamp>& stamp,
                                      std::string_view instance_id, int64_t revision,
                                      std::string_view current_value, std::string_view value);

}  // namespace sag::store
