// ActivateSmartAccessGateway: makes an instance with at least one bound device Active.
#include "ops/handlers.h"
#include "ops/instance_common.h"

namespace sag::ops {

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

}  // namespace sag::ops
