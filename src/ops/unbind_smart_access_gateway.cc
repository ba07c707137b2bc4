// UnbindSmartAccessGateway: detaches an instance from its CCN.
#include "ops/ccn_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"

namespace sag::ops {

namespace {

OpResult UnbindSmartAccessGateway(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(auto in, LoadInstance(ctx, p.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  auto r = ctx.store().UnbindInstanceFromCcn(ctx.principal.account_id, in.region_id, in.id,
                                             p.Get("CcnId"));
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (*r) {
    case store::CcnUnbindOutcome::kUnbound:
      return boost::json::object{};
    case store::CcnUnbindOutcome::kInstanceNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));
    case store::CcnUnbindOutcome::kCcnNotFound:
    case store::CcnUnbindOutcome::kNotBound:
      return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotBind));
  }
  return MakeUnexpected(ApiError::Internal("unknown CCN unbind outcome"));
}

}  // namespace

extern const OpSpec kUnbindSmartAccessGatewaySpec{
    .action = "UnbindSmartAccessGateway",
    .handler = &UnbindSmartAccessGateway,
    .required = {{"CcnId", ApiErrorId::kSmartagMissingParameter},
                 {"SmartAGId", ApiErrorId::kSmartagMissingParameter},
                 {"RegionId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
