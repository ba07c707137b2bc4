// DeleteACLRule: removes one rule and delivers the new rule set to the devices of every instance
// the ACL is associated with.
#include "ops/acl_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult DeleteAclRule(OpContext& ctx) {
  auto r = ctx.store().DeleteAclRule(ctx.principal.account_id, ctx.region_id,
                                     ctx.params.Get("AclId"), ctx.params.Get("AcrId"));
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (r->outcome) {
    case store::AclRuleOutcome::kDone:
      break;
    case store::AclRuleOutcome::kAclNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdAcl));
    default:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdAcr));
  }
  RETURN_IF_ERROR(DeliverAcl(ctx, r->instance_ids));
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kDeleteACLRuleSpec{
    .action = "DeleteACLRule",
    .handler = &DeleteAclRule,
    .required = {{"RegionId", ApiErrorId::kSmartagMissingParameter},
                 {"AclId", ApiErrorId::kSmartagMissingParameter},
                 {"AcrId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kAcl,
    .resource_param = "AclId"};

}  // namespace sag::ops
