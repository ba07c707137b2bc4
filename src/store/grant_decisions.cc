#include "store/grant_decisions.h"

namespace sag::store {

SagGrantOutcome DecideSagGrant(const std::optional<SagCcnGrantRecord>& existing,
                               std::string_view ccn_id, std::string_view ccn_uid) {
  if (!existing) return SagGrantOutcome::kGranted;
  if (existing->ccn_id == ccn_id && existing->ccn_uid == ccn_uid) {
    return SagGrantOutcome::kAlreadyGranted;
  }
  return SagGrantOutcome::kGrantedElsewhere;
}

GrantedBindOutcome DecideGrantedBind(std::string_view instance_ccn_id, std::string_view ccn_id,
                                     bool bind) {
  if (!bind) {
    return instance_ccn_id == ccn_id ? GrantedBindOutcome::kUnbound : GrantedBindOutcome::kNotBound;
  }
  if (instance_ccn_id == ccn_id) return GrantedBindOutcome::kAlreadyBound;
  if (!instance_ccn_id.empty()) return GrantedBindOutcome::kBoundToOther;
  return GrantedBindOutcome::kBound;
}

VbrBindOutcome DecideVbrBind(const VbrBindFacts& facts, std::string_view vbr_id, bool bind) {
  const bool bound_here = facts.instance_vbr_id && *facts.instance_vbr_id == vbr_id;
  if (!bind) return bound_here ? VbrBindOutcome::kUnbound : VbrBindOutcome::kNotBound;
  if (facts.instance_ccn_id.empty()) return VbrBindOutcome::kNotBoundCcn;
  if (bound_here) return VbrBindOutcome::kAlreadyBound;
  if (facts.instance_vbr_id) return VbrBindOutcome::kInstanceBoundOther;
  if (facts.vbr_bound_instance && *facts.vbr_bound_instance != facts.instance_id) {
    return VbrBindOutcome::kVbrBoundOther;
  }
  return VbrBindOutcome::kBound;
}

FlowLogLinkOutcome DecideFlowLogLink(const std::optional<std::string>& current,
                                     std::string_view flow_log_id, bool associate) {
  if (associate) {
    return current && *current != flow_log_id ? FlowLogLinkOutcome::kAssociatedElsewhere
                                              : FlowLogLinkOutcome::kDone;
  }
  return current && *current == flow_log_id ? FlowLogLinkOutcome::kDone
                                            : FlowLogLinkOutcome::kNotAssociated;
}

}  // namespace sag::store
