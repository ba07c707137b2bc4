// DescribeBindableSmartAccessGateways: active, unexpired instances on no CCN, in the CCN's region.
#include "ops/ccn_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/paging.h"

namespace sag::ops {

namespace {

OpResult DescribeBindableSmartAccessGateways(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(Page page, ReadPage(p, 10, 50));
  ASSIGN_OR_RETURN(bool cross_account, p.GetBool("CrossAccount", false));
  ASSIGN_OR_RETURN(auto ccn, LoadCcn(ctx, ctx.region_id, p.Get("CcnId")));
  store::InstanceFilter f;
  f.account_id = ctx.principal.account_id;
  f.region_id = ccn.region_id;
  f.without_ccn = true;
  f.status = store::InstanceStatus::kActive;
  f.expired = false;
  f.now_ms = ctx.now_ms();
  f.name = p.Get("Name");
  if (p.Has("SmartAGId")) f.ids.push_back(p.Get("SmartAGId"));
  f.offset = page.offset();
  f.limit = page.size;
  boost::json::array items;
  int64_t total = 0;
  if (!cross_account) {  // no cross-account grants yet: nothing of other accounts is bindable
    auto r = ctx.store().ListInstances(f);
    if (!r) return MakeUnexpected(StoreFailure(r.error()));
    for (const auto& in : r->items) {
      items.push_back(boost::json::object{
          {"SmartAGId", in.id}, {"Name", in.name}, {"SmartAGUid", std::stoll(in.account_id)}});
    }
    total = r->total;
  }
  boost::json::object body{
      {"SmartAccessGateways", boost::json::object{{"SmartAccessGateway", std::move(items)}}}};
  AddPageFields(body, page, total);
  return body;
}

}  // namespace

extern const OpSpec kDescribeBindableSmartAccessGatewaysSpec{
    .action = "DescribeBindableSmartAccessGateways",
    .handler = &DescribeBindableSmartAccessGateways,
    .required = {{"CcnId", ApiErrorId::kCcnInvalidId}, {"RegionId"}},
    .resource = ResourceKind::kCcn,
    .resource_param = "CcnId"};

}  // namespace sag::ops
