// DescribeSmartAccessGateways: the caller's instances, filtered and paged (PageSize 1-50).
#include "ops/handlers.h"
#include "ops/instance_common.h"
#include "ops/paging.h"

namespace sag::ops {

OpResult DescribeSmartAccessGateways(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(Page page, ReadPage(p, 10, 50));

  store::InstanceFilter f;
  f.account_id = ctx.principal.account_id;
  f.region_id = ctx.region_id;
  f.ids = p.GetList("SmartAGIds");
  if (p.Has("SmartAGId")) f.ids.push_back(p.Get("SmartAGId"));
  f.name = p.Get("Name");
  f.status = p.Get("Status");
  f.hardware_spec = p.Get("HardwareType");
  f.ccn_id = p.Get("AssociatedCcnId");
  std::string type = p.Get("InstanceType");
  if (!type.empty() && type != "software" && type != "hardware") {
    return MakeUnexpected(ApiError::InvalidParameter("InstanceType"));
  }
  f.instance_type = type;
  f.offset = page.offset();
  f.limit = page.size;

  auto r = ctx.store().ListInstances(f);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  int64_t now = ctx.now_ms();
  boost::json::array items;
  for (const auto& in : r->items) {
    items.push_back(InstanceListItem(in, now));
  }
  boost::json::object body;
  body["SmartAccessGateways"] = boost::json::object{{"SmartAccessGateway", std::move(items)}};
  AddPageFields(body, page, r->total);
  return body;
}

}  // namespace sag::ops
