// ActivateSmartAccessGateway: makes an instance with at least one bound device Active.
#include "ops/instance_common.h"
#include "ops/op.h"

namespace sag::ops {

namespace {

OpResult ActivateSmartAccessGateway(OpContext& ctx) {
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  if (InArrears(in, ctx.now_ms())) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayInArrears));
  }
  auto r = ctx.store().ActivateInstance(ctx.principal.account_id, in.region_id, in.id);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (*r) {
    case store::ActivateOutcome::kActivated:
    case store::ActivateOutcome::kAlreadyActive:
      return boost::json::object{};
    case store::ActivateOutcome::kInstanceNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));
    case store::ActivateOutcome::kNoDevice:
      return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayActivateFailed));
  }
  return MakeUnexpected(ApiError::Internal("unknown activate outcome"));
}

}  // namespace

extern const OpSpec kActivateSmartAccessGatewaySpec{.action = "ActivateSmartAccessGateway",
                                                    .handler = &ActivateSmartAccessGateway,
                                                    .required = {{"RegionId"}, {"SmartAGId"}},
                                                    .resource = ResourceKind::kInstance,
                                                    .resource_param = "SmartAGId"};

}  // namespace sag::ops
