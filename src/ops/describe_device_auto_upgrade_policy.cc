// DescribeDeviceAutoUpgradePolicy: the automatic upgrade policy of one device and
// version type, the defaults (manual) when none was set (docs/semantics.md "Automatic upgrades").
// Besides the documented fields it shows when the device's next scheduled turn comes and what came
// of the last one (NextUpgradeTime, LastUpgradeTime, LastUpgradeResult: OpenSAG extensions).
#include "ops/auto_upgrade_policy_common.h"
#include "ops/op.h"

namespace sag::ops {

namespace {

OpResult DescribeDeviceAutoUpgradePolicy(OpContext& ctx) {
  ASSIGN_OR_RETURN(auto p, LoadDevicePolicy(ctx));
  boost::json::object out{{"SmartAGId", p.instance_id},
                          {"SerialNumber", p.serial_number},
                          {"VersionType", p.version_type},
                          {"UpgradeType", p.upgrade_type},
                          {"CronExpression", p.cron_expression},
                          {"Duration", std::to_string(p.duration_min)},
                          {"Jitter", std::to_string(p.jitter_min)},
                          {"TimeZone", p.time_zone}};
  if (p.next_run_ms > 0) out["NextUpgradeTime"] = p.next_run_ms;
  if (p.last_window_ms > 0) {
    out["LastUpgradeTime"] = p.last_window_ms;
    out["LastUpgradeResult"] = p.last_result;
  }
  return out;
}

}  // namespace

extern const OpSpec kDescribeDeviceAutoUpgradePolicySpec{
    .action = "DescribeDeviceAutoUpgradePolicy",
    .handler = &DescribeDeviceAutoUpgradePolicy,
    .required = {{"RegionId"}, {"SerialNumber"}, {"SmartAGId"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
