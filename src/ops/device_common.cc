#include "ops/device_common.h"

#include <algorithm>

#include "ops/instance_common.h"
#include "ops/store_errors.h"

namespace sag::ops {

Result<InstanceDevice, ApiError> LoadInstanceDevice(const OpContext& ctx) {
  InstanceDevice out;
  ASSIGN_OR_RETURN(out.instance,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kSagInstanceNoFound));
  std::string sn = ctx.params.Get("SmartAGSn");
  const auto& sns = out.instance.serial_numbers;
  if (std::find(sns.begin(), sns.end(), sn) == sns.end()) {
    return MakeUnexpected(ApiError(ApiErrorId::kInstanceNotExit));
  }
  auto device = ctx.store().GetDevice(sn);
  if (!device) {
    if (device.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInstanceNotExit));
    }
    return MakeUnexpected(StoreFailure(device.error()));
  }
  out.device = std::move(device).value();
  return out;
}

bool FacetsSynchronized(const std::vector<store::DeviceFacetRecord>& facets) {
  return std::all_of(facets.begin(), facets.end(), [](const store::DeviceFacetRecord& f) {
    return f.applied_generation >= f.desired_generation;
  });
}

bool DeviceOnline(const OpContext& ctx, std::string_view serial_number) {
  return ctx.services.devices != nullptr && ctx.services.devices->IsOnline(serial_number);
}

}  // namespace sag::ops
