// DeleteFlowLog: deletes a flow log no instance is associated with (DependencyViolation.FlowLog
// otherwise), Active or not.
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult DeleteFlowLog(OpContext& ctx) {
  auto r = ctx.store().DeleteFlowLog(ctx.principal.account_id, ctx.region_id,
                                     ctx.params.Get("FlowLogId"));
  if (!r) {
    switch (r.error().code) {
      case store::StoreErrorCode::kNotFound:
        return MakeUnexpected(ApiError(ApiErrorId::kInvalidFlowLogIdNotFound));
      case store::StoreErrorCode::kConflict:
        return MakeUnexpected(ApiError(ApiErrorId::kDependencyViolationFlowLog));
      default:
        return MakeUnexpected(StoreFailure(r.error()));
    }
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kDeleteFlowLogSpec{
    .action = "DeleteFlowLog",
    .handler = &DeleteFlowLog,
    .required = {{"FlowLogId", ApiErrorId::kMissingParamFlowLogId}, {"RegionId"}}};

}  // namespace sag::ops
