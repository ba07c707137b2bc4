// The `flow_log` device facet: the export settings of the active flow log an instance belongs to
// ({} when it belongs to none, or its flow log is inactive), distributed to every device of the
// instance and confirmed by each like any facet (docs/device-protocol.md §4). Flow-log operations
// call these after their change is stored; a device that is offline gets the value after its next
// welcome.
#pragma once

#include <string>
#include <string_view>

#include "common/api_error.h"
#include "common/result.h"
#include "ops/op.h"
#include "store/store.h"

namespace sag::ops {

inline constexpr std::string_view kFacetFlowLog = "flow_log";

// The facet value for an instance in flow log `f` (nullptr: in none): the settings when f is
// Active, else {}.
std::string FlowLogFacetValue(const store::FlowLogRecord* f);

// Sets the facet of every device of the instance to what its flow log now says, and pushes it to
// the devices online.
Result<bool, ApiError> DistributeFlowLog(const OpContext& ctx, const store::InstanceRecord& in);

// DistributeFlowLog for every instance of flow log f.
Result<bool, ApiError> DistributeFlowLogToInstances(const OpContext& ctx,
                                                    const store::FlowLogRecord& f);

}  // namespace sag::ops
