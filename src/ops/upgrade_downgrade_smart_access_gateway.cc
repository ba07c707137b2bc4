// UpgradeSmartAccessGateway / DowngradeSmartAccessGateway: an order that raises (lowers) the
// bandwidth of a hardware or vCPE instance to BandWidthSpec, within its model's range. There is no
// billing here: the order is paid at once and MaxBandwidth changes immediately (docs/semantics.md).
#include "common/ids.h"
#include "ops/bandwidth.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult ChangeBandwidth(OpContext& ctx, bool upgrade) {
  const Params& p = ctx.params;
  RETURN_IF_ERROR(p.GetBool("AutoPay", false));
  // The app-instance parameters GOSDK still sends: accepted when they are counts, ignored.
  if (p.Has("UserCount") && !p.GetOptionalInt("UserCount", 0, 1000000)) {
    return MakeUnexpected(ApiError(ApiErrorId::kSagInvalidUserCount));
  }
  if (p.Has("DataPlan") && !p.GetOptionalInt("DataPlan", 0, 1000000)) {
    return MakeUnexpected(ApiError(ApiErrorId::kSagInvalidDataPlan));
  }
  ASSIGN_OR_RETURN(auto in, LoadInstance(ctx, p.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  if (in.instance_type == "software") {
    return MakeUnexpected(ApiError(ApiErrorId::kSagSoftwareNotSupportFeature));
  }
  const BandwidthLimits* limits = BandwidthLimitsOf(in.hardware_spec);
  if (limits == nullptr) return MakeUnexpected(ApiError::Internal("instance of an unknown model"));
  ASSIGN_OR_RETURN(const int64_t spec,
                   p.GetInt("BandWidthSpec", 0, limits->min_bandwidth, limits->max_bandwidth));
  if (upgrade ? spec <= in.max_bandwidth : spec >= in.max_bandwidth) {
    return MakeUnexpected(ApiError::InvalidParameter("BandWidthSpec"));
  }
  store::InstancePatch patch;
  patch.max_bandwidth = spec;
  auto r = ctx.store().UpdateInstance(in.account_id, in.region_id, in.id, patch);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  return boost::json::object{{"OrderId", NewNumericId(15)}};
}

OpResult UpgradeSmartAccessGateway(OpContext& ctx) { return ChangeBandwidth(ctx, true); }
OpResult DowngradeSmartAccessGateway(OpContext& ctx) { return ChangeBandwidth(ctx, false); }

}  // namespace

extern const OpSpec kUpgradeSmartAccessGatewaySpec{
    .action = "UpgradeSmartAccessGateway",
    .handler = &UpgradeSmartAccessGateway,
    .required = {{"RegionId"}, {"SmartAGId"}, {"AutoPay"}, {"BandWidthSpec"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

extern const OpSpec kDowngradeSmartAccessGatewaySpec{
    .action = "DowngradeSmartAccessGateway",
    .handler = &DowngradeSmartAccessGateway,
    .required = {{"RegionId"}, {"SmartAGId"}, {"AutoPay"}, {"BandWidthSpec"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
