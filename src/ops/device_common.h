// What the device operations share: loading an instance and one of its devices with the error
// codes of the device pages (ModifySAGAdminPassword, DescribeSAGDeviceInfo).
#pragma once

#include <string_view>
#include <vector>

#include "common/api_error.h"
#include "common/result.h"
#include "ops/op.h"
#include "store/store.h"

namespace sag::ops {

struct InstanceDevice {
  store::InstanceRecord instance;
  store::DeviceRecord device;
};

// The caller's instance SmartAGId (SAG.InstanceNoFound) and its bound device SmartAGSn
// (InstanceNotExit when the SN is not bound to that instance).
Result<InstanceDevice, ApiError> LoadInstanceDevice(const OpContext& ctx);

// True when every facet the device has is confirmed (applied >= desired).
bool FacetsSynchronized(const std::vector<store::DeviceFacetRecord>& facets);

// True when the device online (the device channel exists and holds a current session).
bool DeviceOnline(const OpContext& ctx, std::string_view serial_number);

}  // namespace sag::ops
