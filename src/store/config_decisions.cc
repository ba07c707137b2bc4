#include "store/config_decisions.h"

namespace sag::store {

ConfigFacetDecision DecideConfigFacet(const std::optional<ConfigFacetStamp>& stamp,
                                      std::string_view instance_id, int64_t revision,
                                      std::string_view current_value, std::string_view value) {
  if (stamp && stamp->instance_id == instance_id && stamp->revision >= revision) {
    return ConfigFacetDecision::kSkip;
  }
  return current_value == value ? ConfigFacetDecision::kRecordOnly
                                : ConfigFacetDecision::kNewGeneration;
}

}  // namespace sag::store
