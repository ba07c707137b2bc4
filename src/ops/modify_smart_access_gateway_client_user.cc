// ModifySmartAccessGatewayClientUser: changes a client user's Bandwidth and e-mail (request Email,
// response UserMail) and answers with the user as stored afterwards (seed 004).
#include "ops/client_user_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult ModifySmartAccessGatewayClientUser(OpContext& ctx) {
  const Params& p = ctx.params;
  const std::string name = p.Get("UserName");
  if (!IsValidClientUserName(name)) {
    return MakeUnexpected(ApiError(ApiErrorId::kClientUserNameInvalid));
  }
  store::ClientUserPatch patch;
  ASSIGN_OR_RETURN(patch.bandwidth, ReadClientBandwidth(p, std::nullopt));
  if (p.Has("Email")) {
    if (!IsValidEmail(p.Get("Email"))) {
      return MakeUnexpected(ApiError(ApiErrorId::kClientUserEmailInvalid));
    }
    patch.user_mail = p.Get("Email");
  }
  ASSIGN_OR_RETURN(store::InstanceRecord in,
                   LoadAppInstance(ctx, p.Get("SmartAGId"), ApiErrorId::kSagInstanceNoFound));
  auto user = ctx.store().UpdateClientUser(in.account_id, in.id, name, patch);
  if (!user) {
    if (user.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kResourceNotFoundUser));
    }
    return MakeUnexpected(StoreFailure(user.error()));
  }
  return boost::json::object{{"UserName", user->user_name},
                             {"UserMail", user->user_mail},
                             {"Bandwidth", user->bandwidth},
                             {"ClientIp", FormatIpv4(user->client_ip)}};
}

}  // namespace

extern const OpSpec kModifySmartAccessGatewayClientUserSpec{
    .action = "ModifySmartAccessGatewayClientUser",
    .handler = &ModifySmartAccessGatewayClientUser,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"RegionId"},
                 {"UserName", ApiErrorId::kClientUserNameEmpty}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
