// DescribeSmartAccessGateways: the caller's instances, filtered and paged (PageSize 1-50).
#include "ops/acl_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult DescribeSmartAccessGateways(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(Page page, ReadPage(p, 10, 50));

  store::InstanceFilter f;
  f.account_id = ctx.principal.account_id;
  f.region_id = ctx.region_id;
  f.ids = p.GetList("SmartAGIds");
  if (p.Has("SmartAGId")) f.ids.push_back(p.Get("SmartAGId"));
  f.name = p.Get("Name");
  f.serial_number = p.Get("SerialNumber");
  f.now_ms = ctx.now_ms();
  // Status filters on the status the list shows: "Arrearage" is derived from EndTime, any other
  // value is a lifecycle status of an unexpired instance. BusinessState Normal/Arrearage selects
  // unexpired/expired instances; contradictory filters match nothing.
  // Matches nothing: a Status no instance has, or a BusinessState that contradicts it.
  bool contradictory = false;
  std::string status = p.Get("Status");
  if (AsciiLower(status) == "arrearage") {
    f.expired = true;
  } else if (!status.empty()) {
    f.status = store::ParseInstanceStatus(status);
    contradictory = !f.status.has_value();
    f.expired = false;
  }
  std::string business_state = p.Get("BusinessState");
  if (!business_state.empty()) {
    if (business_state != "Normal" && business_state != "Arrearage") {
      return MakeUnexpected(ApiError::InvalidParameter("BusinessState"));
    }
    bool expired = business_state == "Arrearage";
    contradictory = contradictory || (f.expired.has_value() && *f.expired != expired);
    f.expired = expired;
  }
  f.hardware_spec = p.Get("HardwareType");
  f.ccn_id = p.Get("AssociatedCcnId");
  std::string type = p.Get("InstanceType");
  if (!type.empty() && type != "software" && type != "hardware") {
    return MakeUnexpected(ApiError::InvalidParameter("InstanceType"));
  }
  f.instance_type = type;
  f.acl_id = p.Get("AclIds");
  f.not_acl_ids = SplitCommaList(p.Get("UnboundAclIds"));
  f.offset = page.offset();
  f.limit = page.size;

  store::InstancePage result;
  if (!contradictory) {
    auto r = ctx.store().ListInstances(f);
    if (!r) return MakeUnexpected(StoreFailure(r.error()));
    result = std::move(*r);
  }
  int64_t now = ctx.now_ms();
  std::vector<std::string> ids;
  for (const auto& in : result.items) ids.push_back(in.id);
  ASSIGN_OR_RETURN(const auto acls, AclsOfInstances(ctx, ids));
  boost::json::array items;
  for (const auto& in : result.items) {
    boost::json::object item = InstanceListItem(in, now, CcnNameOf(ctx, in), DevicesOf(ctx, in));
    auto acl = acls.find(in.id);
    item["AclIds"] = acl == acls.end() ? std::string() : acl->second;
    items.push_back(std::move(item));
  }
  boost::json::object body;
  body["SmartAccessGateways"] = boost::json::object{{"SmartAccessGateway", std::move(items)}};
  AddPageFields(body, page, result.total);
  return body;
}

}  // namespace

extern const OpSpec kDescribeSmartAccessGatewaysSpec{.action = "DescribeSmartAccessGateways",
                                                     .handler = &DescribeSmartAccessGateways};

}  // namespace sag::ops
