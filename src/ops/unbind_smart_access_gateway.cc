// UnbindSmartAccessGateway: detaches an instance from the caller's CCN: the caller's own, or
// (SmartAGUid = its owner) another account's instance bound there through a grant. Not bound to
// that CCN is InvalidInstanceId.NotFound, the code Terraform treats as "already detached".
#include "ops/ccn_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"

namespace sag::ops {

namespace {

OpResult UnbindSmartAccessGateway(OpContext& ctx) {
  const Params& p = ctx.params;
  if (p.Has("SmartAGUid") && p.Get("SmartAGUid") != ctx.principal.account_id) {
    // Another account's instance bound to the caller's CCN through a grant.
    auto r = ctx.store().BindGrantedInstance(ctx.principal.account_id, p.Get("CcnId"),
                                             p.Get("SmartAGUid"), p.Get("SmartAGId"), false);
    if (!r) return MakeUnexpected(StoreFailure(r.error()));
    if (*r != store::GrantedBindOutcome::kUnbound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidInstanceIdNotFound));
    }
    return boost::json::object{};
  }
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
      // Already gone: the code Terraform treats as detached (docs/semantics.md).
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidInstanceIdNotFound));
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
