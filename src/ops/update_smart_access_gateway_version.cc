// UpdateSmartAccessGatewayVersion: starts the upgrade of one device (SerialNumber)
// or of every device of the instance (standby first, the active device once the standby
// succeeded) to a published version. Answers once the first device acknowledged the upgrade (the
// call is suspended meanwhile, holding no thread); the rest runs on the devices
// (ops/upgrade_engine.h) and shows in DescribeSAGDeviceInfo and the operator's ListUpgrades.
// Checks, in order (docs/semantics.md "Versions"):
//   instance (InvalidId.SMARTAG) -> expired (SmartAccessGatewayInArrears) -> not Active
//   (SmartAccessGatewayNotActivated) -> no CCN (NotBoundCCN) -> SerialNumber not a device of the
//   instance (PermissionError) -> version type/code unknown, withdrawn or not for the model
//   (VersionNotExist) -> a device offline (SmartAccessGatewayNotOnline) -> its running version
//   unknown (GetSmartAccessGatewayVersionError) -> target not newer (VersionTooOld) -> Dpi needs a
//   newer Device version (VersionNotSupport.DeviceVersion) -> an upgrade in flight
//   (ResourceInOperating) -> no acknowledgement in time (GetSmartAccessGatewayStateError).
#include <algorithm>
#include <chrono>

#include "ops/device_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"
#include "ops/upgrade_engine.h"
#include "ops/version.h"
#include "ops/version_common.h"

namespace sag::ops {
namespace {

// The call's result once the device acknowledged the dispatched upgrade u, or did not in time.
// Whatever the wait says, the store decides: an upgrade that left Dispatched was acknowledged
// (e.g. by a report that reached another node); one still Dispatched is moved to TimedOut.
OpResult AfterTheAcknowledgement(const UpgradeEnv& env, const store::UpgradeRecord& u,
                                 int64_t timeout_ms, WaitOutcome outcome) {
  if (outcome == WaitOutcome::kApplied) return boost::json::object{};
  if (TimeOutUpgrade(env, u, {store::UpgradeState::kDispatched},
                     "the device did not acknowledge the upgrade within " +
                         std::to_string(timeout_ms) + " ms")) {
    return MakeUnexpected(ApiError(ApiErrorId::kGetSmartAccessGatewayStateError));
  }
  return boost::json::object{};
}

}  // namespace

namespace {

OpStep UpdateSmartAccessGatewayVersion(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(auto in, LoadInstance(ctx, p.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  if (InArrears(in, ctx.now_ms())) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayInArrears));
  }
  if (in.status != store::InstanceStatus::kActive) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotActivated));
  }
  if (in.ccn_id.empty()) return MakeUnexpected(ApiError(ApiErrorId::kNotBoundCcn));
  const std::string sn = p.Get("SerialNumber");
  if (!sn.empty() && std::find(in.serial_numbers.begin(), in.serial_numbers.end(), sn) ==
                         in.serial_numbers.end()) {
    return MakeUnexpected(ApiError(ApiErrorId::kPermissionError));
  }
  const std::string type = NormalizeVersionType(p.Get("VersionType"));
  if (type.empty()) return MakeUnexpected(ApiError(ApiErrorId::kVersionNotExist));
  auto version = ctx.store().GetVersion(type, p.Get("VersionCode"));
  if (!version) {
    if (version.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kVersionNotExist));
    }
    return MakeUnexpected(StoreFailure(version.error()));
  }
  if (version->withdrawn) return MakeUnexpected(ApiError(ApiErrorId::kVersionNotExist));

  // Standby first: bind order is [active, standby].
  std::vector<std::string> targets;
  if (!sn.empty()) {
    targets.push_back(sn);
  } else {
    targets.assign(in.serial_numbers.rbegin(), in.serial_numbers.rend());
  }
  if (targets.empty()) return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotOnline));
  std::vector<store::DeviceRecord> devices;
  for (const auto& t : targets) {
    auto d = ctx.store().GetDevice(t);
    if (!d) return MakeUnexpected(StoreFailure(d.error()));
    if (!FitsModel(*version, d->hardware_model)) {
      return MakeUnexpected(ApiError(ApiErrorId::kVersionNotExist));
    }
    devices.push_back(std::move(*d));
  }
  for (const auto& d : devices) {
    if (!DeviceOnline(ctx, d.serial_number)) {
      return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotOnline));
    }
  }
  for (const auto& d : devices) {
    const std::string& running =
        type == store::kVersionTypeDpi ? d.dpi_version : d.firmware_version;
    auto cmp = CompareVersions(version->version_code, running);
    if (!cmp) return MakeUnexpected(ApiError(ApiErrorId::kGetSmartAccessGatewayVersionError));
    if (*cmp <= 0) return MakeUnexpected(ApiError(ApiErrorId::kVersionTooOld));
    if (!version->min_device_version.empty()) {
      auto fits = CompareVersions(d.firmware_version, version->min_device_version);
      if (!fits) return MakeUnexpected(ApiError(ApiErrorId::kGetSmartAccessGatewayVersionError));
      if (*fits < 0) {
        return MakeUnexpected(
            ApiError(ApiErrorId::kDpiNeedsDeviceVersion, {version->min_device_version}));
      }
    }
    auto active = ctx.store().ActiveUpgrade(d.serial_number);
    if (!active) return MakeUnexpected(StoreFailure(active.error()));
    if (active->has_value()) return MakeUnexpected(ApiError(ApiErrorId::kResourceInOperating));
  }

  const int64_t now = ctx.now_ms();
  std::vector<store::UpgradeRecord> upgrades;
  for (const auto& d : devices) {
    upgrades.push_back(
        NewUpgrade(in, d, *version, upgrades.empty() ? "" : upgrades.back().id, now));
  }
  if (auto r = ctx.store().CreateUpgrades(upgrades); !r) {
    if (r.error().code == store::StoreErrorCode::kAlreadyExists) {
      return MakeUnexpected(ApiError(ApiErrorId::kResourceInOperating));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  UpgradeEnv env{.store = ctx.store(),
                 .devices = ctx.services.devices,
                 .clock = ctx.services.clock,
                 .artifact_token_key = ctx.services.artifact_token_key,
                 .upgrade_timeout_ms = ctx.services.upgrade_timeout_ms};
  auto dispatched = DispatchUpgrade(env, upgrades.front());
  if (!dispatched) return MakeUnexpected(StoreFailure(dispatched.error()));
  const int64_t timeout_ms = ctx.services.upgrade_ack_timeout_ms;
  return Suspension{.wait = {.serial_number = dispatched->serial_number,
                             .facet = std::string(FacetOfVersionType(dispatched->version_type)),
                             .generation = dispatched->generation,
                             .until = WaitUntil::kAcknowledged,
                             .timeout = std::chrono::milliseconds(timeout_ms)},
                    .resume = [env, u = *dispatched, timeout_ms](WaitOutcome outcome) {
                      return AfterTheAcknowledgement(env, u, timeout_ms, outcome);
                    }};
}

}  // namespace

extern const OpSpec kUpdateSmartAccessGatewayVersionSpec{
    .action = "UpdateSmartAccessGatewayVersion",
    .suspending_handler = &UpdateSmartAccessGatewayVersion,
    .required = {{"SmartAGId"}, {"VersionCode"}, {"RegionId"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
