// AssociateFlowLog / DisassociateFlowLog: attach the caller's instance to a flow log of the same
// region, or detach it. One flow log per instance (OperationFailed.AssociateFlowLog); flow logs
// are a SAG-1000 feature (OperationUnsupported.AssociateFlowLog for other models). Associating
// again with the same flow log succeeds; detaching an instance that is not attached to it is
// InvalidSmartAGId.NotFound. The instance's devices then get the flow log's settings (when it is
// Active) or {} as their flow_log facet.
#include "ops/flow_log_common.h"
#include "ops/flow_log_facet.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

// The model whose devices export flow logs.
constexpr std::string_view kFlowLogModel = "sag-1000";

OpResult LinkFlowLog(OpContext& ctx, bool associate) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(store::FlowLogRecord f, LoadFlowLog(ctx, p.Get("FlowLogId")));
  auto in = ctx.store().GetInstance(ctx.principal.account_id, f.region_id, p.Get("SmartAGId"));
  if (!in) {
    if (in.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidSmartAGIdNotFound));
    }
    return MakeUnexpected(StoreFailure(in.error()));
  }
  if (associate && in->hardware_spec != kFlowLogModel) {
    return MakeUnexpected(ApiError(ApiErrorId::kOperationUnsupportedAssociateFlowLog));
  }
  auto r = ctx.store().LinkFlowLog(ctx.principal.account_id, f.region_id, f.id, in->id, associate);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (*r) {
    case store::FlowLogLinkOutcome::kDone:
      RETURN_IF_ERROR(DistributeFlowLog(ctx, *in));
      return boost::json::object{};
    case store::FlowLogLinkOutcome::kFlowLogNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidFlowLogIdNotFound));
    case store::FlowLogLinkOutcome::kInstanceNotFound:
    case store::FlowLogLinkOutcome::kNotAssociated:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidSmartAGIdNotFound));
    case store::FlowLogLinkOutcome::kAssociatedElsewhere:
      return MakeUnexpected(ApiError(ApiErrorId::kOperationFailedAssociateFlowLog));
  }
  return MakeUnexpected(ApiError::Internal("unknown flow-log link outcome"));
}

OpResult AssociateFlowLog(OpContext& ctx) { return LinkFlowLog(ctx, true); }
OpResult DisassociateFlowLog(OpContext& ctx) { return LinkFlowLog(ctx, false); }

}  // namespace

extern const OpSpec kAssociateFlowLogSpec{
    .action = "AssociateFlowLog",
    .handler = &AssociateFlowLog,
    .required = {{"FlowLogId", ApiErrorId::kMissingParamFlowLogId}, {"SmartAGId"}, {"RegionId"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

extern const OpSpec kDisassociateFlowLogSpec{
    .action = "DisassociateFlowLog",
    .handler = &DisassociateFlowLog,
    .required = {{"FlowLogId", ApiErrorId::kMissingParamFlowLogId}, {"SmartAGId"}, {"RegionId"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
