// DeleteACL: deletes an ACL with its rules and associations; the devices of the instances it was
// associated with get an empty rule set (docs/semantics.md "ACLs").
#include "ops/acl_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult DeleteAcl(OpContext& ctx) {
  auto instances =
      ctx.store().DeleteAcl(ctx.principal.account_id, ctx.region_id, ctx.params.Get("AclId"));
  if (!instances) {
    if (instances.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdAcl));
    }
    return MakeUnexpected(StoreFailure(instances.error()));
  }
  RETURN_IF_ERROR(DeliverAcl(ctx, *instances));
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kDeleteACLSpec{.action = "DeleteACL",
                                   .handler = &DeleteAcl,
                                   .required = {{"RegionId", ApiErrorId::kSmartagMissingParameter},
                                                {"AclId", ApiErrorId::kSmartagMissingParameter}},
                                   .resource = ResourceKind::kAcl,
                                   .resource_param = "AclId"};

}  // namespace sag::ops
