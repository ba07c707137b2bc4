// ModifyDeviceAutoUpgradePolicy: sets the automatic upgrade policy of one device
// and version type. Parameters left out keep their current value; a scheduled policy's next
// window is computed at once from the business clock (docs/semantics.md "Automatic upgrades").
// Checks, in order: SmartAGId (SAG.InstanceIdEmpty, SAG.InstanceNoFound) -> SerialNumber a device
// of the instance (SAG.InvalidSerialNumber) -> VersionType, UpgradeType, CronExpression (6 or 7
// Quartz fields, firing again), Duration (30-120), Jitter (0-Duration, an OpenSAG extension) and
// TimeZone (one of the documented zones) -> InvalidParameter naming the parameter.
#include <algorithm>

#include "common/cron_schedule.h"
#include "ops/auto_upgrade_policy_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"
#include "ops/upgrade_policy.h"

namespace sag::ops {
namespace {

// The integer parameter name within [min, max], or InvalidParameter.
Result<int64_t, ApiError> BoundedInt(const Params& p, std::string_view name, int64_t min,
                                     int64_t max) {
  auto value = ParseInt64(p.Get(name));
  if (!value || *value < min || *value > max) {
    return MakeUnexpected(ApiError::InvalidParameter(std::string(name)));
  }
  return *value;
}

}  // namespace

namespace {

OpResult ModifyDeviceAutoUpgradePolicy(OpContext& ctx) {
  const Params& params = ctx.params;
  ASSIGN_OR_RETURN(auto p, LoadDevicePolicy(ctx));
  const std::string upgrade_type = params.Get("UpgradeType");
  if (upgrade_type != store::kUpgradeTypeScheduled && upgrade_type != store::kUpgradeTypeBoot &&
      upgrade_type != store::kUpgradeTypeManual) {
    return MakeUnexpected(ApiError::InvalidParameter("UpgradeType"));
  }
  p.upgrade_type = upgrade_type;
  if (params.Has("CronExpression")) {
    const std::string cron = params.Get("CronExpression");
    if (!CronSchedule::Parse(cron)) {
      return MakeUnexpected(ApiError::InvalidParameter("CronExpression"));
    }
    p.cron_expression = cron;
  }
  if (params.Has("Duration")) {
    ASSIGN_OR_RETURN(p.duration_min,
                     BoundedInt(params, "Duration", kMinDurationMin, kMaxDurationMin));
  }
  if (params.Has("Jitter")) {
    ASSIGN_OR_RETURN(p.jitter_min, BoundedInt(params, "Jitter", 0, p.duration_min));
  }
  p.jitter_min = std::min(p.jitter_min, p.duration_min);
  if (params.Has("TimeZone")) {
    p.time_zone = DocumentedTimeZone(params.Get("TimeZone"));
    if (p.time_zone.empty()) return MakeUnexpected(ApiError::InvalidParameter("TimeZone"));
  }
  const int64_t now = ctx.now_ms();
  ScheduleNextWindow(p, now);
  if (p.upgrade_type == store::kUpgradeTypeScheduled && p.next_run_ms == 0) {
    // The expression never fires again (e.g. a year in the past).
    return MakeUnexpected(ApiError::InvalidParameter("CronExpression"));
  }
  p.update_ms = now;
  if (auto r = ctx.store().PutUpgradePolicy(p); !r) {
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kModifyDeviceAutoUpgradePolicySpec{
    .action = "ModifyDeviceAutoUpgradePolicy",
    .handler = &ModifyDeviceAutoUpgradePolicy,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"RegionId"},
                 {"SerialNumber", ApiErrorId::kSagInvalidSerialNumber},
                 {"UpgradeType"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
