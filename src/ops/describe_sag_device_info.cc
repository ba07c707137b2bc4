// DescribeSAGDeviceInfo: one bound device as the device channel sees it.
#include "common/time_format.h"
#include "ops/device_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

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
  // OpenSAG additions: the device's latest upgrade (docs/semantics.md "Upgrades").
  store::UpgradeFilter filter;
  filter.serial_number = d.serial_number;
  filter.limit = 1;
  auto upgrades = ctx.store().ListUpgrades(filter);
  if (!upgrades) return MakeUnexpected(StoreFailure(upgrades.error()));
  const store::UpgradeRecord* u = upgrades->empty() ? nullptr : &upgrades->front();
  o["DpiVersion"] = d.dpi_version;
  o["UpgradeState"] = u != nullptr ? store::WireName(u->state) : "";
  o["UpgradeVersionType"] = u != nullptr ? u->version_type : "";
  o["UpgradeVersion"] = u != nullptr ? u->version_code : "";
  o["UpgradeDetail"] = u != nullptr ? u->detail : "";
  return o;
}

}  // namespace

extern const OpSpec kDescribeSAGDeviceInfoSpec{
    .action = "DescribeSAGDeviceInfo",
    .handler = &DescribeSAGDeviceInfo,
    .required = {{"RegionId"}, {"SmartAGId"}, {"SmartAGSn"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
