// DescribeFlowLogs: the caller's flow logs in the region, filtered (FlowLogId, FlowLogName,
// Description, OutputType, Status) and paged (PageSize 1-50); items are FlowLogs.FlowLogSetType[].
#include "ops/flow_log_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult DescribeFlowLogs(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(Page page, ReadPage(p, 10, 50));
  store::FlowLogFilter f;
  f.account_id = ctx.principal.account_id;
  f.region_id = ctx.region_id;
  f.id = p.Get("FlowLogId");
  f.name = p.Get("FlowLogName");
  f.description = p.Get("Description");
  f.output_type = p.Get("OutputType");
  if (!f.output_type.empty() && f.output_type != "sls" && f.output_type != "netflow" &&
      f.output_type != "all") {
    return MakeUnexpected(ApiError(ApiErrorId::kIllegalParamOutputType));
  }
  f.status = p.Get("Status");
  if (!f.status.empty() && f.status != "Active" && f.status != "Inactive") {
    return MakeUnexpected(ApiError(ApiErrorId::kIllegalParamStatus));
  }
  f.offset = page.offset();
  f.limit = page.size;
  auto r = ctx.store().ListFlowLogs(f);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  boost::json::array items;
  for (const auto& fl : r->items) items.push_back(FlowLogJson(fl));
  boost::json::object body{{"FlowLogs", boost::json::object{{"FlowLogSetType", std::move(items)}}}};
  AddPageFields(body, page, r->total);
  return body;
}

}  // namespace

extern const OpSpec kDescribeFlowLogsSpec{
    .action = "DescribeFlowLogs", .handler = &DescribeFlowLogs, .required = {{"RegionId"}}};

}  // namespace sag::ops
