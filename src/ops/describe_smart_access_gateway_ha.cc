// DescribeSmartAccessGatewayHa: HA mode and the main/standby devices, by bind order.
#include "ops/handlers.h"
#include "ops/instance_common.h"

namespace sag::ops {

OpResult DescribeSmartAccessGatewayHa(OpContext& ctx) {
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  const auto& sns = in.serial_numbers;
  return boost::json::object{
      {"SmartAGId", in.id},
      {"DeviceLevelBackupState", in.ha_type == "no_backup" ? "OFF" : "ON"},
      {"DeviceLevelBackupType", in.ha_type},
      {"MainDeviceId", sns.empty() ? "" : sns[0]},
      {"BackupDeviceId", sns.size() < 2 ? "" : sns[1]},
      {"LinkBackupInfoList", boost::json::object{{"LinkBackupInfoList", boost::json::array()}}},
  };
}

}  // namespace sag::ops
