// RevokeSagInstanceFromCcn: withdraws the caller's grant of an instance to another account's CCN;
// an instance bound to that CCN through the grant is unbound with it. An unknown instance is
// SAG.InstanceNoFound; no grant to that CCN is InvalidInstanceId.NotFound ("already gone").
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult RevokeSagInstanceFromCcn(OpContext& ctx) {
  const Params& p = ctx.params;
  auto r = ctx.store().RevokeSagFromCcn(ctx.principal.account_id, ctx.region_id, p.Get("SmartAGId"),
                                        p.Get("CcnInstanceId"));
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (*r) {
    case store::SagRevokeOutcome::kRevoked:
      return boost::json::object{};
    case store::SagRevokeOutcome::kInstanceNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kSagInstanceNoFound));
    case store::SagRevokeOutcome::kNotGranted:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidInstanceIdNotFound));
  }
  return MakeUnexpected(ApiError::Internal("unknown revoke outcome"));
}

}  // namespace

extern const OpSpec kRevokeSagInstanceFromCcnSpec{
    .action = "RevokeSagInstanceFromCcn",
    .handler = &RevokeSagInstanceFromCcn,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"CcnInstanceId", ApiErrorId::kCcnInvalidId},
                 {"RegionId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
