// DescribeACLAttribute: the rules of one ACL (Acrs.Acr[]) in evaluation order, filtered by
// Direction and Name (substring); paged, 10 by default as Alibaba (terraform reads page 1 only).
#include "ops/acl_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult DescribeAclAttribute(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(const Page page, ReadAclPage(p));
  const std::string direction = p.Get("Direction");
  if (!direction.empty() && direction != "in" && direction != "out") {
    return MakeUnexpected(ApiError(ApiErrorId::kAclInvalidParameter));
  }
  const std::string name = p.Get("Name");
  ASSIGN_OR_RETURN(const store::AclRecord acl, LoadAcl(ctx, p.Get("AclId")));
  auto rules = ctx.store().ListAclRules(ctx.principal.account_id, ctx.region_id, acl.id);
  if (!rules) return MakeUnexpected(StoreFailure(rules.error()));
  boost::json::array items;
  int64_t total = 0;
  for (const store::AclRuleRecord& r : *rules) {
    if (!direction.empty() && r.direction != direction) continue;
    if (!name.empty() && r.name.find(name) == std::string::npos) continue;
    if (total >= page.offset() && total < page.offset() + page.size) {
      items.push_back(RuleJson(r, acl.acl_type));
    }
    ++total;
  }
  boost::json::object body{{"Acrs", boost::json::object{{"Acr", std::move(items)}}}};
  AddPageFields(body, page, total);
  return body;
}

}  // namespace

extern const OpSpec kDescribeACLAttributeSpec{
    .action = "DescribeACLAttribute",
    .handler = &DescribeAclAttribute,
    .required = {{"RegionId", ApiErrorId::kSmartagMissingParameter},
                 {"AclId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kAcl,
    .resource_param = "AclId"};

}  // namespace sag::ops
