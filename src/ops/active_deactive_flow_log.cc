// ActiveFlowLog / DeactiveFlowLog: start or stop a flow log (Status Active / Inactive), keeping
// its settings; setting the status it has already succeeds. The devices of its instances get the
// settings (or {}) as their flow_log facet.
#include <string>

#include "ops/flow_log_common.h"
#include "ops/flow_log_facet.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult SetFlowLogStatus(OpContext& ctx, const std::string& status) {
  ASSIGN_OR_RETURN(store::FlowLogRecord f, LoadFlowLog(ctx, ctx.params.Get("FlowLogId")));
  if (f.status == status) return boost::json::object{};
  f.status = status;
  auto r = ctx.store().UpdateFlowLog(f);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidFlowLogIdNotFound));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  RETURN_IF_ERROR(DistributeFlowLogToInstances(ctx, *r));
  return boost::json::object{};
}

OpResult ActiveFlowLog(OpContext& ctx) { return SetFlowLogStatus(ctx, "Active"); }
OpResult DeactiveFlowLog(OpContext& ctx) { return SetFlowLogStatus(ctx, "Inactive"); }

}  // namespace

extern const OpSpec kActiveFlowLogSpec{
    .action = "ActiveFlowLog",
    .handler = &ActiveFlowLog,
    .required = {{"FlowLogId", ApiErrorId::kMissingParamFlowLogId}, {"RegionId"}}};

extern const OpSpec kDeactiveFlowLogSpec{
    .action = "DeactiveFlowLog",
    .handler = &DeactiveFlowLog,
    .required = {{"FlowLogId", ApiErrorId::kMissingParamFlowLogId}, {"RegionId"}}};

}  // namespace sag::ops
