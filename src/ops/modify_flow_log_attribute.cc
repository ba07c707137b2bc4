// ModifyFlowLogAttribute: changes the settings of a flow log; parameters absent or empty keep
// their value (Terraform sends the SLS fields as empty strings). The result must still name the
// destination of its OutputType. An active flow log's new settings go to its instances' devices.
#include "ops/flow_log_common.h"
#include "ops/flow_log_facet.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult ModifyFlowLogAttribute(OpContext& ctx) {
  ASSIGN_OR_RETURN(store::FlowLogRecord f, LoadFlowLog(ctx, ctx.params.Get("FlowLogId")));
  ASSIGN_OR_RETURN(f, ApplyFlowLogSettings(ctx.params, std::move(f)));
  auto r = ctx.store().UpdateFlowLog(f);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidFlowLogIdNotFound));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  if (r->status == "Active") RETURN_IF_ERROR(DistributeFlowLogToInstances(ctx, *r));
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kModifyFlowLogAttributeSpec{
    .action = "ModifyFlowLogAttribute",
    .handler = &ModifyFlowLogAttribute,
    .required = {{"FlowLogId", ApiErrorId::kMissingParamFlowLogId}, {"RegionId"}}};

}  // namespace sag::ops
