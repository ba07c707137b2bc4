// CreateFlowLog: a flow log (export settings) in the caller's account and region, Inactive until
// ActiveFlowLog; at most kFlowLogsPerRegion per account and region.
#include "common/ids.h"
#include "ops/flow_log_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult CreateFlowLog(OpContext& ctx) {
  store::FlowLogRecord f;
  f.id = NewResourceId("fl");
  f.account_id = ctx.principal.account_id;
  f.region_id = ctx.region_id;
  f.resource_group_id = DefaultResourceGroup(f.account_id);
  f.create_ms = ctx.now_ms();
  ASSIGN_OR_RETURN(f, ApplyFlowLogSettings(ctx.params, std::move(f)));
  auto r = ctx.store().CreateFlowLog(f, kFlowLogsPerRegion);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  if (!*r) return MakeUnexpected(ApiError(ApiErrorId::kQuotaExceededFlowlog));
  return boost::json::object{{"FlowLogId", f.id}, {"ResourceGroupId", f.resource_group_id}};
}

}  // namespace

extern const OpSpec kCreateFlowLogSpec{
    .action = "CreateFlowLog", .handler = &CreateFlowLog, .required = {{"RegionId"}}};

}  // namespace sag::ops
