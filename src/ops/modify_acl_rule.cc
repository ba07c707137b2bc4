// ModifyACLRule: changes the fields sent of one rule, echoes the stored rule, and delivers the new
// rule set to the devices of every instance the ACL is associated with.
#include <algorithm>

#include "ops/acl_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult ModifyAclRule(OpContext& ctx) {
  const std::string acl_id = ctx.params.Get("AclId");
  const std::string acr_id = ctx.params.Get("AcrId");
  ASSIGN_OR_RETURN(const store::AclRecord acl, LoadAcl(ctx, acl_id));
  auto rules = ctx.store().ListAclRules(ctx.principal.account_id, ctx.region_id, acl.id);
  if (!rules) return MakeUnexpected(StoreFailure(rules.error()));
  auto it = std::find_if(rules->begin(), rules->end(),
                         [&](const store::AclRuleRecord& r) { return r.id == acr_id; });
  if (it == rules->end()) return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdAcr));
  store::AclRuleRecord rule = *it;
  RETURN_IF_ERROR(ApplyRuleParams(ctx.params, rule));
  auto r = ctx.store().ReplaceAclRule(ctx.principal.account_id, ctx.region_id, rule);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (r->outcome) {
    case store::AclRuleOutcome::kDone:
      break;
    case store::AclRuleOutcome::kAclNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdAcl));
    case store::AclRuleOutcome::kRuleNotFound:
    case store::AclRuleOutcome::kLimitReached:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdAcr));
    case store::AclRuleOutcome::kWanOnSag1000:
      return MakeUnexpected(ApiError(ApiErrorId::kAclNoSupportWanType));
  }
  RETURN_IF_ERROR(DeliverAcl(ctx, r->instance_ids));
  return RuleJson(r->rule);
}

}  // namespace

extern const OpSpec kModifyACLRuleSpec{
    .action = "ModifyACLRule",
    .handler = &ModifyAclRule,
    .required = {{"RegionId", ApiErrorId::kSmartagMissingParameter},
                 {"AclId", ApiErrorId::kSmartagMissingParameter},
                 {"AcrId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kAcl,
    .resource_param = "AclId"};

}  // namespace sag::ops
