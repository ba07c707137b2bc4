// DescribeSAGDeviceInfo: one bound device as the device channel sees it (reference §3 B).
#include "common/time_format.h"
#include "ops/device_common.h"
#include "ops/handlers.h"
#include "ops/store_errors.h"

namespace sag::ops {

OpResult DescribeSAGDeviceInfo(OpContext& ctx) {
  ASSIGN_OR_RETURN(InstanceDevice target, LoadInstanceDevice(ctx));
  const store::DeviceRecord& d = target.device;
  auto facets = ctx.store().GetDeviceFacets(d.serial_number);
  if (!facets) return MakeUnexpected(StoreFailure(facets.error()));
  const bool online = DeviceOnline(ctx, d.serial_number);
  boost::json::object o;
  o["SynStatus"] = FacetsSynchronized(*facets) ? "Synchronized" : "Unsynchronized";
  o["Version"] = d.firmware_version;
  o["StartupTime"] = d.boot_ms > 0 ? FormatDeviceTime(d.boot_ms) : "";
  o["LastConnectedControllerTime"] =
      d.last_connected_ms > 0 ? FormatDeviceTime(d.last_connected_ms) : "";
  o["ControllerState"] = online ? "Normal" : "Abnormal";
  o["VpnState"] = "Abnormal";  // no data plane yet (docs/semantics.md)
  o["SmartAGType"] = d.hardware_model;
  o["ServiceIP"] = "";
  o["ResettableStatus"] = "Enabled";
  return o;
}

}  // namespace sag::ops
