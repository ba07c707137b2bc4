// DeleteSmartAccessGatewayClientUser: removes a client user, its sessions and its ClientIp (which
// becomes free for the next user).
#include "ops/client_user_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult DeleteSmartAccessGatewayClientUser(OpContext& ctx) {
  const std::string name = ctx.params.Get("UserName");
  if (!IsValidClientUserName(name)) {
    return MakeUnexpected(ApiError(ApiErrorId::kClientUserNameInvalid));
  }
  ASSIGN_OR_RETURN(store::InstanceRecord in, LoadAppInstance(ctx, ctx.params.Get("SmartAGId"),
                                                             ApiErrorId::kSagInstanceNoFound));
  auto r = ctx.store().DeleteClientUser(in.account_id, in.id, name);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      // Already gone: the code Terraform treats as deleted (docs/semantics.md).
      return MakeUnexpected(ApiError(ApiErrorId::kParameterSagClientId));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kDeleteSmartAccessGatewayClientUserSpec{
    .action = "DeleteSmartAccessGatewayClientUser",
    .handler = &DeleteSmartAccessGatewayClientUser,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"RegionId"},
                 {"UserName", ApiErrorId::kClientUserNameEmpty}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
