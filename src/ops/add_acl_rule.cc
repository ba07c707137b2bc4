// AddACLRule: adds a rule to an ACL, echoes it as stored, and delivers the new rule set to the
// devices of every instance the ACL is associated with.
#include "common/ids.h"
#include "ops/acl_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult AddAclRule(OpContext& ctx) {
  store::AclRuleRecord rule;
  rule.id = NewResourceId("acr");
  rule.acl_id = ctx.params.Get("AclId");
  rule.type = "LAN";
  rule.priority = 1;
  RETURN_IF_ERROR(ApplyRuleParams(ctx.params, rule));
  rule.create_ms = ctx.now_ms();
  auto r = ctx.store().AddAclRule(ctx.principal.account_id, ctx.region_id, rule, kRulesPerAcl);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (r->outcome) {
    case store::AclRuleOutcome::kDone:
      break;
    case store::AclRuleOutcome::kAclNotFound:
    case store::AclRuleOutcome::kRuleNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdAcl));
    case store::AclRuleOutcome::kLimitReached:
      return MakeUnexpected(ApiError(ApiErrorId::kAcrPerAclAmountLimit));
    case store::AclRuleOutcome::kWanOnSag1000:
      return MakeUnexpected(ApiError(ApiErrorId::kAclNoSupportWanType));
  }
  RETURN_IF_ERROR(DeliverAcl(ctx, r->instance_ids));
  return RuleJson(r->rule);
}

}  // namespace

extern const OpSpec kAddACLRuleSpec{
    .action = "AddACLRule",
    .handler = &AddAclRule,
    .required = {{"RegionId", ApiErrorId::kSmartagMissingParameter},
                 {"AclId", ApiErrorId::kSmartagMissingParameter},
                 {"Direction", ApiErrorId::kSmartagMissingParameter},
                 {"Policy", ApiErrorId::kSmartagMissingParameter},
                 {"IpProtocol", ApiErrorId::kSmartagMissingParameter},
                 {"SourceCidr", ApiErrorId::kSmartagMissingParameter},
                 {"SourcePortRange", ApiErrorId::kSmartagMissingParameter},
                 {"DestCidr", ApiErrorId::kSmartagMissingParameter},
                 {"DestPortRange", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kAcl,
    .resource_param = "AclId"};

}  // namespace sag::ops
