// DescribeSmartAccessGatewayHa: HA mode and the main/standby devices, by bind order.
#include "ops/instance_common.h"
#include "ops/op.h"

namespace sag::ops {

namespace {

OpResult DescribeSmartAccessGatewayHa(OpContext& ctx) {
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  const auto& sns = in.serial_numbers;
  return boost::json::object{
      {"SmartAGId", in.id},
      {"DeviceLevelBackupState", in.ha_type == store::HaType::kNoBackup ? "OFF" : "ON"},
      {"DeviceLevelBackupType", store::WireName(in.ha_type)},
      {"MainDeviceId", sns.empty() ? "" : sns[0]},
      {"BackupDeviceId", sns.size() < 2 ? "" : sns[1]},
      {"LinkBackupInfoList", boost::json::object{{"LinkBackupInfoList", boost::json::array()}}},
  };
}

}  // namespace

extern const OpSpec kDescribeSmartAccessGatewayHaSpec{.action = "DescribeSmartAccessGatewayHa",
                                                      .handler = &DescribeSmartAccessGatewayHa,
                                                      .required = {{"RegionId"}, {"SmartAGId"}},
                                                      .resource = ResourceKind::kInstance,
                                                      .resource_param = "SmartAGId"};

}  // namespace sag::ops
