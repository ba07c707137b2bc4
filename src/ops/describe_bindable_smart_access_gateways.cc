// DescribeBindableSmartAccessGateways: active, unexpired instances on no CCN, in the CCN's region:
// the caller's own, or with CrossAccount=true other accounts' instances granted to the CCN.
#include <vector>

#include "ops/ccn_common.h"
#include "ops/grant_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

// The instances of other accounts granted to the caller's CCN that match f's state, name and id
// filters (their region is the CCN's).
Result<std::vector<store::InstanceRecord>, ApiError> GrantedBindable(
    const OpContext& ctx, const store::CcnRecord& ccn, const store::InstanceFilter& f) {
  auto grants = ctx.store().ListGrantsToCcn(ctx.principal.account_id, ccn.id);
  if (!grants) return MakeUnexpected(StoreFailure(grants.error()));
  std::vector<store::InstanceRecord> out;
  for (const auto& g : *grants) {
    if (!f.ids.empty() && g.instance_id != f.ids[0]) continue;
    auto in = ctx.store().GetInstance(g.account_id, ccn.region_id, g.instance_id);
    if (!in) {
      if (in.error().code == store::StoreErrorCode::kNotFound) continue;
      return MakeUnexpected(StoreFailure(in.error()));
    }
    if (!in->ccn_id.empty() || in->status != store::InstanceStatus::kActive ||
        InArrears(*in, f.now_ms))
      continue;
    if (!f.name.empty() && in->name != f.name) continue;
    out.push_back(std::move(in).value());
  }
  return out;
}

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
  if (!cross_account) {
    auto r = ctx.store().ListInstances(f);
    if (!r) return MakeUnexpected(StoreFailure(r.error()));
    for (const auto& in : r->items) {
      items.push_back(boost::json::object{
          {"SmartAGId", in.id}, {"Name", in.name}, {"SmartAGUid", UidNumber(in.account_id)}});
    }
    total = r->total;
  } else {
    // Other accounts' instances granted to this CCN (GrantSagInstanceToCcn), in grant order.
    ASSIGN_OR_RETURN(auto granted, GrantedBindable(ctx, ccn, f));
    total = static_cast<int64_t>(granted.size());
    for (int64_t i = page.offset(); i < total && i < page.offset() + page.size; ++i) {
      const auto& in = granted[static_cast<size_t>(i)];
      items.push_back(boost::json::object{
          {"SmartAGId", in.id}, {"Name", in.name}, {"SmartAGUid", UidNumber(in.account_id)}});
    }
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
