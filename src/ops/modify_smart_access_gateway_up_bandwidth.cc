// ModifySmartAccessGatewayUpBandwidth: the upstream caps of the instance's WAN port and 4G link,
// Mbit/s, each 0 (no cap) up to the instance's MaxBandwidth; an absent one keeps its value. Shown
// as UpBandwidthWan / UpBandwidth4G in the instance views.
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult ModifySmartAccessGatewayUpBandwidth(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(auto in, LoadInstance(ctx, p.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  if (in.instance_type == "software") {
    return MakeUnexpected(ApiError(ApiErrorId::kSagSoftwareNotSupportFeature));
  }
  store::InstancePatch patch;
  ASSIGN_OR_RETURN(patch.up_bandwidth_wan, p.GetOptionalInt("UpBandwidthWan", 0, in.max_bandwidth));
  ASSIGN_OR_RETURN(patch.up_bandwidth_4g, p.GetOptionalInt("UpBandwidth4G", 0, in.max_bandwidth));
  auto r = ctx.store().UpdateInstance(in.account_id, in.region_id, in.id, patch);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kModifySmartAccessGatewayUpBandwidthSpec{
    .action = "ModifySmartAccessGatewayUpBandwidth",
    .handler = &ModifySmartAccessGatewayUpBandwidth,
    .required = {{"SmartAGId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
