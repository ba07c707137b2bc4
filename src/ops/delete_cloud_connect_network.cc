// DeleteCloudConnectNetwork: deletes a CCN no instance is bound to and no CEN holds; a CCN that
// does not exist (or is another account's) is ParameterCcnInstanceId, the "already gone" code.
#include "ops/ccn_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"

namespace sag::ops {

namespace {

OpResult DeleteCloudConnectNetwork(OpContext& ctx) {
  auto r = ctx.store().DeleteCcn(ctx.principal.account_id, ctx.region_id, ctx.params.Get("CcnId"));
  if (!r) {
    switch (r.error().code) {
      case store::StoreErrorCode::kNotFound:  // already gone, as Terraform expects
        return MakeUnexpected(ApiError(ApiErrorId::kParameterCcnInstanceId));
      case store::StoreErrorCode::kConflict:
        return MakeUnexpected(ApiError(ApiErrorId::kAlreadyBoundSmartag));
      default:
        return MakeUnexpected(StoreFailure(r.error()));
    }
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kDeleteCloudConnectNetworkSpec{
    .action = "DeleteCloudConnectNetwork",
    .handler = &DeleteCloudConnectNetwork,
    .required = {{"CcnId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kCcn,
    .resource_param = "CcnId"};

}  // namespace sag::ops
