// UnbindSerialNumber: releases a device from its instance (device replacement is Unbind + Bind).
#include "ops/instance_common.h"
#include "ops/op.h"

namespace sag::ops {

namespace {

OpResult UnbindSerialNumber(OpContext& ctx) {
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kSagInstanceNoFound));
  auto r = ctx.store().UnbindSerialNumber(ctx.principal.account_id, in.region_id, in.id,
                                          ctx.params.Get("SerialNumber"));
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (*r) {
    case store::UnbindOutcome::kUnbound:
      return boost::json::object{};
    case store::UnbindOutcome::kInstanceNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kSagInstanceNoFound));
    case store::UnbindOutcome::kNotBoundHere:
      return MakeUnexpected(ApiError(ApiErrorId::kSagInvalidSerialNumber));
  }
  return MakeUnexpected(ApiError::Internal("unknown unbind outcome"));
}

}  // namespace

extern const OpSpec kUnbindSerialNumberSpec{
    .action = "UnbindSerialNumber",
    .handler = &UnbindSerialNumber,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty}, {"RegionId"}, {"SerialNumber"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
