#include "store/decisions.h"

#include <algorithm>

#include "store/store.h"

namespace sag::store {

BindOutcome DecideBind(const BindFacts& facts) {
  const bool full = facts.bound_devices >= facts.max_devices;
  if (!facts.device) {
    if (!facts.register_unknown) return BindOutcome::kDeviceUnknown;
    return full ? BindOutcome::kInstanceFull : BindOutcome::kBound;
  }
  const BindFacts::Device& d = *facts.device;
  if (d.retired) return BindOutcome::kDeviceRetired;
  if (d.hardware_model != facts.hardware_spec) return BindOutcome::kModelMismatch;
  if (!d.bound_instance_id.empty()) {
    return d.bound_instance_id == facts.instance_id ? BindOutcome::kAlreadyBoundHere
                                                    : BindOutcome::kBoundElsewhere;
  }
  return full ? BindOutcome::kInstanceFull : BindOutcome::kBound;
}

ActivateOutcome DecideActivate(InstanceStatus status, int64_t bound_devices) {
  if (status == InstanceStatus::kActive) return ActivateOutcome::kAlreadyActive;
  if (bound_devices == 0) return ActivateOutcome::kNoDevice;
  return ActivateOutcome::kActivated;
}

CcnBindOutcome DecideCcnBind(std::string_view instance_ccn_id, std::string_view ccn_id) {
  if (instance_ccn_id == ccn_id) return CcnBindOutcome::kAlreadyBound;
  if (!instance_ccn_id.empty()) return CcnBindOutcome::kBoundToOther;
  return CcnBindOutcome::kBound;
}

CcnUnbindOutcome DecideCcnUnbind(std::string_view instance_ccn_id, std::string_view ccn_id) {
  return instance_ccn_id == ccn_id ? CcnUnbindOutcome::kUnbound : CcnUnbindOutcome::kNotBound;
}

bool HasUnconfirmedChange(const DeviceFacetRecord& facet) {
  return facet.desired_generation > facet.applied_generation;
}

int64_t NextDesiredGeneration(const DeviceFacetRecord& facet) {
  return std::max({facet.desired_generation, facet.applied_generation, facet.result_generation}) +
         1;
}

void ApplyReport(int64_t generation, std::string_view result, std::string_view detail,
                 DeviceFacetRecord& facet) {
  if (result == "ok") facet.applied_generation = std::max(facet.applied_generation, generation);
  facet.result_generation = generation;
  facet.last_result = std::string(result);
  facet.last_detail = std::string(detail);
}

}  // namespace sag::store
