#include "ops/config_facets.h"

#include "common/log.h"
#include "ops/acl_common.h"
#include "ops/store_errors.h"

namespace sag::ops {

Result<std::vector<store::ConfigFacetChange>, ApiError> RefreshConfigFacet(
    OpServices& services, const ConfigFacetKind& kind, std::string_view account_id,
    const std::vector<std::string>& instance_ids) {
  auto computed = kind.compute(services.store, account_id, instance_ids);
  if (!computed) return MakeUnexpected(StoreFailure(computed.error()));
  store::ConfigFacetUpdate update;
  update.facet = std::string(kind.facet);
  update.empty_value = std::string(kind.empty_value);
  update.revision = computed->revision;
  update.values = std::move(computed->values);
  update.now_ms = services.clock.NowMs();
  auto changes = services.store.SetConfigFacets(update);
  if (!changes) return MakeUnexpected(StoreFailure(changes.error()));
  if (services.devices != nullptr) {
    for (const store::ConfigFacetChange& c : *changes) {
      services.devices->Push(c.serial_number, kind.facet, c.generation, c.value);
    }
  }
  return std::move(changes).value();
}

const std::vector<const ConfigFacetKind*>& AllConfigFacetKinds() {
  static const std::vector<const ConfigFacetKind*> kKinds = {&kAclFacet};
  return kKinds;
}

void RefreshAllConfigFacets(OpServices& services, std::string_view account_id,
                            const std::vector<std::string>& instance_ids) {
  for (const ConfigFacetKind* kind : AllConfigFacetKinds()) {
    auto r = RefreshConfigFacet(services, *kind, account_id, instance_ids);
    if (!r)
      LogWarn("config facet " + std::string(kind->facet) + ": " + r.error().internal_detail());
  }
}

}  // namespace sag::ops
