// What the flow-log operations share: reading and checking a flow log's settings from the
// parameters, loading a flow log with the family's not-found code, and its wire view.
#pragma once

#include <string_view>

#include <boost/json.hpp>

#include "common/api_error.h"
#include "common/result.h"
#include "ops/op.h"
#include "store/store.h"

namespace sag::ops {

// Flow logs one account may hold in one region (QuotaExceeded.Flowlog past it).
inline constexpr int64_t kFlowLogsPerRegion = 10;

// Applies the settings present (and non-empty) in the parameters to `flow_log`: Name, Description,
// ActiveAging (60-6000), InactiveAging (10-600), OutputType (sls | netflow | all), SlsRegionId (a
// known region), ProjectName, LogstoreName, NetflowServerIp (IPv4), NetflowServerPort (1-65535),
// NetflowVersion (V5 | V9 | V10), each malformed one IllegalParam.<Name>; then checks that the
// resulting OutputType has its destination (MissingParam.<Name> for the first field lacking).
Result<store::FlowLogRecord, ApiError> ApplyFlowLogSettings(const Params& params,
                                                            store::FlowLogRecord flow_log);

// The caller's flow log in the call's region; InvalidFlowLogId.NotFound when there is none.
Result<store::FlowLogRecord, ApiError> LoadFlowLog(const OpContext& ctx, std::string_view id);

// One element of DescribeFlowLogs' FlowLogs.FlowLogSetType[] (NetflowServerPort as a string).
boost::json::object FlowLogJson(const store::FlowLogRecord& flow_log);

}  // namespace sag::ops
