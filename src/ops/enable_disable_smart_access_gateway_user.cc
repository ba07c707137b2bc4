// EnableSmartAccessGatewayUser / DisableSmartAccessGatewayUser: State 0 / 1 of a client user.
// Disabling closes the user's sessions. A user disabled by the account's root user can be enabled
// again only by the root user: a RAM user gets Forbbiden.SubUser (docs/semantics.md).
#include "ops/client_user_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {
namespace {

OpResult SetState(OpContext& ctx, bool enable) {
  const std::string name = ctx.params.Get("UserName");
  if (!IsValidClientUserName(name)) {
    return MakeUnexpected(ApiError(ApiErrorId::kClientUserNameInvalid));
  }
  ASSIGN_OR_RETURN(store::InstanceRecord in, LoadAppInstance(ctx, ctx.params.Get("SmartAGId"),
                                                             ApiErrorId::kSagInstanceNoFound));
  ASSIGN_OR_RETURN(store::ClientUserRecord user, LoadClientUser(ctx, in, name));
  const bool root = ctx.principal.is_root;
  store::ClientUserPatch patch;
  if (enable) {
    if (user.state == 1 && user.disabled_by_root && !root) {
      return MakeUnexpected(ApiError(ApiErrorId::kForbbidenSubUser));
    }
    patch.state = 0;
    patch.disabled_by_root = false;
  } else {
    patch.state = 1;
    patch.disabled_by_root = (user.state == 1 && user.disabled_by_root) || root;
  }
  auto r = ctx.store().UpdateClientUser(in.account_id, in.id, name, patch);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kResourceNotFoundUser));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return boost::json::object{};
}

}  // namespace

namespace {

OpResult EnableSmartAccessGatewayUser(OpContext& ctx) { return SetState(ctx, true); }

}  // namespace

namespace {

OpResult DisableSmartAccessGatewayUser(OpContext& ctx) { return SetState(ctx, false); }

}  // namespace

extern const OpSpec kEnableSmartAccessGatewayUserSpec{
    .action = "EnableSmartAccessGatewayUser",
    .handler = &EnableSmartAccessGatewayUser,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"RegionId"},
                 {"UserName", ApiErrorId::kClientUserNameEmpty}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

extern const OpSpec kDisableSmartAccessGatewayUserSpec{
    .action = "DisableSmartAccessGatewayUser",
    .handler = &DisableSmartAccessGatewayUser,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"RegionId"},
                 {"UserName", ApiErrorId::kClientUserNameEmpty}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
