// DescribeFlowLogSags: the instances associated with one of the caller's flow logs, by instance
// id, paged (PageSize 1-50). DescribeUnbindFlowLogSags: the caller's instances in the region
// that belong to no flow log, unpaged, with Count.
#include "ops/flow_log_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

boost::json::object SagsJson(const std::vector<store::FlowLogInstance>& instances) {
  boost::json::array sags;
  for (const auto& in : instances) {
    sags.push_back(boost::json::object{
        {"SmartAGId", in.instance_id}, {"Name", in.name}, {"Description", in.description}});
  }
  return boost::json::object{{"Sag", std::move(sags)}};
}

OpResult DescribeFlowLogSags(OpContext& ctx) {
  ASSIGN_OR_RETURN(Page page, ReadPage(ctx.params, 10, 50));
  ASSIGN_OR_RETURN(store::FlowLogRecord f, LoadFlowLog(ctx, ctx.params.Get("FlowLogId")));
  auto r = ctx.store().ListFlowLogInstances(ctx.principal.account_id, f.region_id, f.id,
                                            page.offset(), page.size);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  boost::json::object body{{"Sags", SagsJson(r->first)}};
  AddPageFields(body, page, r->second);
  return body;
}

OpResult DescribeUnbindFlowLogSags(OpContext& ctx) {
  auto r = ctx.store().ListInstancesWithoutFlowLog(ctx.principal.account_id, ctx.region_id);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  return boost::json::object{{"Count", static_cast<int64_t>(r->size())}, {"Sags", SagsJson(*r)}};
}

}  // namespace

extern const OpSpec kDescribeFlowLogSagsSpec{
    .action = "DescribeFlowLogSags",
    .handler = &DescribeFlowLogSags,
    .required = {{"FlowLogId", ApiErrorId::kMissingParamFlowLogId}, {"RegionId"}}};

extern const OpSpec kDescribeUnbindFlowLogSagsSpec{.action = "DescribeUnbindFlowLogSags",
                                                   .handler = &DescribeUnbindFlowLogSags,
                                                   .required = {{"RegionId"}}};

}  // namespace sag::ops
