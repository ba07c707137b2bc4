// RebootSmartAccessGateway: pushes a new `reboot` facet generation to each addressed device (the
// given SerialNumber, or every bound device); every one must be online. Answers once pushed, not
// when the device has rebooted (it reports the generation applied after it reconnects).
#include <algorithm>

#include "ops/device_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult RebootSmartAccessGateway(OpContext& ctx) {
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  if (InArrears(in, ctx.now_ms())) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayInArrears));
  }
  std::string sn = ctx.params.Get("SerialNumber");
  if (!sn.empty() && std::find(in.serial_numbers.begin(), in.serial_numbers.end(), sn) ==
                         in.serial_numbers.end()) {
    return MakeUnexpected(ApiError(ApiErrorId::kInstanceNotExit));
  }
  std::vector<std::string> targets = sn.empty() ? in.serial_numbers : std::vector<std::string>{sn};
  if (targets.empty()) return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotOnline));
  for (const auto& t : targets) {
    if (!DeviceOnline(ctx, t)) {
      return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotOnline));
    }
  }
  for (const auto& t : targets) {
    auto desired = ctx.store().SetDesiredFacet(t, store::kFacetReboot, "{}", ctx.now_ms(),
                                               /*require_synchronized=*/false);
    if (!desired) return MakeUnexpected(StoreFailure(desired.error()));
    if (!ctx.services.devices->Push(t, store::kFacetReboot, desired->generation, "{}")) {
      return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotOnline));
    }
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kRebootSmartAccessGatewaySpec{.action = "RebootSmartAccessGateway",
                                                  .handler = &RebootSmartAccessGateway,
                                                  .required = {{"RegionId"}, {"SmartAGId"}},
                                                  .resource = ResourceKind::kInstance,
                                                  .resource_param = "SmartAGId"};

}  // namespace sag::ops
