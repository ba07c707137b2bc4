// DescribeSmartAccessGatewayVersions: the published, not withdrawn versions of a
// type that fit the instance's hardware model; with SmartAGSn, only those that device can upgrade
// to now (newer than what it runs, and for Dpi its Device version at least the minimum).
#include <algorithm>

#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"
#include "ops/version_common.h"

namespace sag::ops {

namespace {

OpResult DescribeSmartAccessGatewayVersions(OpContext& ctx) {
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  const std::string type = NormalizeVersionType(ctx.params.Get("VersionType"));
  if (type.empty()) return MakeUnexpected(ApiError(ApiErrorId::kVersionNotExist));
  std::string model = in.hardware_spec;
  std::optional<store::DeviceRecord> device;
  if (ctx.params.Has("SmartAGSn")) {
    const std::string sn = ctx.params.Get("SmartAGSn");
    if (std::find(in.serial_numbers.begin(), in.serial_numbers.end(), sn) ==
        in.serial_numbers.end()) {
      return MakeUnexpected(ApiError::InvalidParameter("SmartAGSn"));
    }
    auto d = ctx.store().GetDevice(sn);
    if (!d) return MakeUnexpected(StoreFailure(d.error()));
    model = d->hardware_model;
    device = std::move(*d);
  }
  auto versions = ctx.store().ListVersions(type);
  if (!versions) return MakeUnexpected(StoreFailure(versions.error()));
  boost::json::array items;
  for (const store::VersionRecord& v : *versions) {
    if (device ? !InstallableOn(v, *device) : (v.withdrawn || !FitsModel(v, model))) continue;
    items.push_back(SmartAgVersionJson(v));
  }
  return boost::json::object{
      {"SmartAGVersions", boost::json::object{{"SmartAGVersion", std::move(items)}}}};
}

}  // namespace

extern const OpSpec kDescribeSmartAccessGatewayVersionsSpec{
    .action = "DescribeSmartAccessGatewayVersions",
    .handler = &DescribeSmartAccessGatewayVersions,
    .required = {{"RegionId"}, {"SmartAGId"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
