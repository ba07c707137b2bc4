// ResetSmartAccessGatewayClientUserPassword: replaces a client user's password (kept as an Argon2id
// hash). Without Password one is generated and returned once, in this answer.
#include "common/crypto.h"
#include "ops/client_user_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult ResetSmartAccessGatewayClientUserPassword(OpContext& ctx) {
  const Params& p = ctx.params;
  const std::string name = p.Get("UserName");
  if (!IsValidClientUserName(name)) {
    return MakeUnexpected(ApiError(ApiErrorId::kClientUserNameInvalid));
  }
  std::string password = p.Get("Password");
  if (!password.empty() && !IsValidClientPassword(password)) {
    return MakeUnexpected(ApiError(ApiErrorId::kIllegalParamPassword));
  }
  ASSIGN_OR_RETURN(store::InstanceRecord in,
                   LoadAppInstance(ctx, p.Get("SmartAGId"), ApiErrorId::kSagInstanceNoFound));
  RETURN_IF_ERROR(LoadClientUser(ctx, in, name));
  const bool generated = password.empty();
  if (generated) password = GenerateClientPassword();
  auto hash = HashPassword(password);
  if (!hash) return MakeUnexpected(ApiError::Internal("password hashing failed"));
  store::ClientUserPatch patch;
  patch.password_hash = *hash;
  auto r = ctx.store().UpdateClientUser(in.account_id, in.id, name, patch);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kResourceNotFoundUser));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  boost::json::object body;
  if (generated) body["Password"] = password;
  return body;
}

}  // namespace

extern const OpSpec kResetSmartAccessGatewayClientUserPasswordSpec{
    .action = "ResetSmartAccessGatewayClientUserPassword",
    .handler = &ResetSmartAccessGatewayClientUserPassword,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"RegionId"},
                 {"UserName", ApiErrorId::kClientUserNameEmpty}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
