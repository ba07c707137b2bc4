// CreateACL: an empty ACL in the caller's account and region (rules are added with AddACLRule).
#include "common/ids.h"
#include "ops/acl_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult CreateAcl(OpContext& ctx) {
  const Params& p = ctx.params;
  store::AclRecord acl;
  acl.id = NewResourceId("acl");
  acl.account_id = ctx.principal.account_id;
  acl.region_id = ctx.region_id;
  acl.name = p.Get("Name");
  if (!IsValidResourceName(acl.name, 2, 128)) {
    return MakeUnexpected(ApiError(ApiErrorId::kInvalidNameCcn));
  }
  acl.acl_type = p.Has("AclType") ? p.Get("AclType") : "acl-hardware";
  if (acl.acl_type != "acl-hardware" && acl.acl_type != "acl-software") {
    return MakeUnexpected(ApiError(ApiErrorId::kAclInvalidType));
  }
  acl.resource_group_id =
      p.Has("ResourceGroupId") ? p.Get("ResourceGroupId") : DefaultResourceGroup(acl.account_id);
  acl.create_ms = ctx.now_ms();
  auto created = ctx.store().CreateAcl(acl, kAclsPerRegion);
  if (!created) return MakeUnexpected(StoreFailure(created.error()));
  if (*created == store::AclCreateOutcome::kLimitReached) {
    return MakeUnexpected(ApiError(ApiErrorId::kAclAmountLimit));
  }
  return boost::json::object{
      {"AclId", acl.id}, {"AclType", acl.acl_type}, {"ResourceGroupId", acl.resource_group_id}};
}

}  // namespace

extern const OpSpec kCreateACLSpec{.action = "CreateACL",
                                   .handler = &CreateAcl,
                                   .required = {{"RegionId", ApiErrorId::kSmartagMissingParameter},
                                                {"Name", ApiErrorId::kSmartagMissingParameter}},
                                   .resource = ResourceKind::kAnyAcl};

}  // namespace sag::ops
