// The decisions of the grant, VBR and flow-log methods of the store, as pure functions over what
// the method read inside its transaction (as store/decisions.h does for binds and facets): tested
// in tests/store/grant_decisions_test.cc without a database.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace sag::store {

// GrantSagToCcn on an instance whose grant is `existing` (nullopt: none), for (ccn_id, ccn_uid):
// kGranted when there is none, kAlreadyGranted when it names the same CCN and UID, else
// kGrantedElsewhere.
SagGrantOutcome DecideSagGrant(const std::optional<SagCcnGrantRecord>& existing,
                               std::string_view ccn_id, std::string_view ccn_uid);

// BindGrantedInstance on a granted instance bound to instance_ccn_id ("" = none), for the CCN
// ccn_id (which exists): bind → kAlreadyBound, kBoundToOther or kBound; unbind → kUnbound when
// bound to ccn_id, else kNotBound.
GrantedBindOutcome DecideGrantedBind(std::string_view instance_ccn_id, std::string_view ccn_id,
                                     bool bind);

// What BindVbr / UnbindVbr decide on, for an instance that exists (and is granted when the call is
// cross-account).
struct VbrBindFacts {
  std::string instance_id;
  std::string instance_ccn_id;                    // "" = on no CCN
  std::optional<std::string> instance_vbr_id;     // the VBR the instance is bound to
  std::optional<std::string> vbr_bound_instance;  // the instance the VBR is bound to
};

// Bind: kNotBoundCcn → kAlreadyBound → kInstanceBoundOther → kVbrBoundOther → kBound, in this
// order. Unbind: kUnbound when the instance is bound to vbr_id, else kNotBound.
VbrBindOutcome DecideVbrBind(const VbrBindFacts& facts, std::string_view vbr_id, bool bind);

// LinkFlowLog for an instance that belongs to current (nullopt: no flow log): associate →
// kAssociatedElsewhere when another, else kDone; disassociate → kDone when it is flow_log_id, else
// kNotAssociated.
FlowLogLinkOutcome DecideFlowLogLink(const std::optional<std::string>& current,
                                     std::string_view flow_log_id, bool associate);

}  // namespace sag::store
