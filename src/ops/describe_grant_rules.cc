// DescribeGrantRules: the caller's CCN -> CEN grants in the region (of one CCN with
// AssociatedCcnId), paged (PageSize 1-50). An unknown CCN lists nothing.
#include "ops/grant_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult DescribeGrantRules(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(Page page, ReadPage(p, 10, 50));
  auto r = ctx.store().ListCenGrants(ctx.principal.account_id, ctx.region_id,
                                     p.Get("AssociatedCcnId"), page.offset(), page.size);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  boost::json::array rules;
  for (const auto& g : r->items) {
    rules.push_back(boost::json::object{{"GrantRuleId", g.id},
                                        {"CcnInstanceId", g.ccn_id},
                                        {"CcnUid", UidNumber(g.account_id)},
                                        {"CenInstanceId", g.cen_id},
                                        {"CenUid", UidNumber(g.cen_uid)},
                                        {"GrantTrafficService", g.grant_traffic_service},
                                        {"RegionId", g.region_id},
                                        {"GmtCreate", g.create_ms},
                                        {"GmtModified", g.modify_ms}});
  }
  boost::json::object body{{"GrantRules", boost::json::object{{"GrantRule", std::move(rules)}}}};
  AddPageFields(body, page, r->total);
  return body;
}

}  // namespace

extern const OpSpec kDescribeGrantRulesSpec{
    .action = "DescribeGrantRules",
    .handler = &DescribeGrantRules,
    .required = {{"RegionId", ApiErrorId::kSmartagMissingParameter}}};

}  // namespace sag::ops
