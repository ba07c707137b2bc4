// DescribeGrantSagRules: the grants of the caller's instance to other accounts' CCNs, paged
// (PageSize 1-50). Another account's or an unknown instance lists nothing.
#include "ops/grant_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult DescribeGrantSagRules(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(Page page, ReadPage(p, 10, 50));
  auto r = ctx.store().ListSagCcnGrants(ctx.principal.account_id, ctx.region_id, p.Get("SmartAGId"),
                                        page.offset(), page.size);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  boost::json::array rules;
  for (const auto& g : r->items) {
    rules.push_back(boost::json::object{{"InstanceId", g.id},
                                        {"SmartAGId", g.instance_id},
                                        {"CcnInstanceId", g.ccn_id},
                                        {"CcnUid", UidNumber(g.ccn_uid)},
                                        {"GrantTrafficService", g.grant_traffic_service},
                                        {"CreateTime", g.create_ms}});
  }
  boost::json::object body{{"GrantRules", boost::json::object{{"GrantRule", std::move(rules)}}}};
  AddPageFields(body, page, r->total);
  return body;
}

}  // namespace

extern const OpSpec kDescribeGrantSagRulesSpec{
    .action = "DescribeGrantSagRules",
    .handler = &DescribeGrantSagRules,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"RegionId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
