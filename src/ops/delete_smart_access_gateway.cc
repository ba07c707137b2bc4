// DeleteSmartAccessGateway: deletes a CPE or vCPE instance that is not bound to a CCN. Without
// billing there is no arrears precondition (docs/semantics.md).
#include "ops/instance_common.h"
#include "ops/op.h"

namespace sag::ops {

namespace {

OpResult DeleteSmartAccessGateway(OpContext& ctx) {
  std::string id = ctx.params.Get("InstanceId");
  ASSIGN_OR_RETURN(auto in, LoadInstance(ctx, id, ApiErrorId::kInvalidIdSmartag));
  if (in.instance_type != "hardware") {
    return MakeUnexpected(ApiError(ApiErrorId::kActionNotSupport));
  }
  if (!in.ccn_id.empty()) return MakeUnexpected(ApiError(ApiErrorId::kAlreadyBoundCcn));
  auto r = ctx.store().DeleteInstance(ctx.principal.account_id, in.region_id, id);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kDeleteSmartAccessGatewaySpec{
    .action = "DeleteSmartAccessGateway",
    .handler = &DeleteSmartAccessGateway,
    .required = {{"InstanceId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kInstance,
    .resource_param = "InstanceId"};

}  // namespace sag::ops
