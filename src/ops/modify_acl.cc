// ModifyACL: renames an ACL (the only field that can change).
#include "ops/acl_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult ModifyAcl(OpContext& ctx) {
  const std::string name = ctx.params.Get("Name");
  if (!IsValidResourceName(name, 2, 128)) {
    return MakeUnexpected(ApiError(ApiErrorId::kInvalidNameCcn));
  }
  auto r =
      ctx.store().RenameAcl(ctx.principal.account_id, ctx.region_id, ctx.params.Get("AclId"), name);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdAcl));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kModifyACLSpec{.action = "ModifyACL",
                                   .handler = &ModifyAcl,
                                   .required = {{"RegionId", ApiErrorId::kSmartagMissingParameter},
                                                {"AclId", ApiErrorId::kSmartagMissingParameter},
                                                {"Name", ApiErrorId::kSmartagMissingParameter}},
                                   .resource = ResourceKind::kAcl,
                                   .resource_param = "AclId"};

}  // namespace sag::ops
