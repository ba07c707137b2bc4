// ModifySAGAdminPassword: hands the device the new admin password's Argon2id hash as the desired
// admin_password facet and answers once the device confirmed it (docs/semantics.md); the call is
// suspended meanwhile, holding no thread. The plaintext lives only in this request's parameters:
// it is never stored, logged or returned.
#include <chrono>

#include <boost/json.hpp>

#include "ops/device_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"
#include "ops/version.h"

namespace sag::ops {
namespace {

// 8-30 characters of [A-Za-z0-9_].
bool IsValidAdminPassword(std::string_view p) {
  if (p.size() < 8 || p.size() > 30) return false;
  for (char c : p) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The oldest device firmware with the admin-password feature (docs/semantics.md).
constexpr std::string_view kAdminPasswordMinFirmware = "1.5.0";

// The call's result once the device answered (or did not).
OpResult AfterTheDevice(WaitOutcome outcome) {
  switch (outcome) {
    case WaitOutcome::kApplied:
      return boost::json::object{};
    case WaitOutcome::kOffline:
      return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayOffline));
    case WaitOutcome::kFailed:
    case WaitOutcome::kTimeout:
      return MakeUnexpected(ApiError(ApiErrorId::kConfigUnsynchronized));
  }
  return MakeUnexpected(ApiError::Internal("unknown wait outcome"));
}

}  // namespace

namespace {

OpStep ModifySAGAdminPassword(OpContext& ctx) {
  const std::string& password = ctx.params.Get("Password");
  if (password.empty()) return MakeUnexpected(ApiError(ApiErrorId::kMissingParamPassword));
  if (!IsValidAdminPassword(password)) {
    return MakeUnexpected(ApiError(ApiErrorId::kIllegalParamPassword));
  }
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kSagInstanceNoFound));
  if (in.instance_type == "software") {
    // A SAG app instance has no device; naming one of its client users as the "device" asks for a
    // feature the app has in another form (ResetSmartAccessGatewayClientUserPassword).
    auto user = ctx.store().GetClientUser(in.account_id, in.id, ctx.params.Get("SmartAGSn"));
    if (user) return MakeUnexpected(ApiError(ApiErrorId::kSagSoftwareNotSupportFeature));
    if (user.error().code != store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(StoreFailure(user.error()));
    }
    return MakeUnexpected(ApiError(ApiErrorId::kSagSoftwareNotSupport));
  }
  ASSIGN_OR_RETURN(InstanceDevice target, LoadInstanceDevice(ctx));
  if (InArrears(in, ctx.now_ms())) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayInArrears400));
  }
  if (in.status != store::InstanceStatus::kActive) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotActivated400));
  }
  const std::string& sn = target.device.serial_number;
  if (!DeviceOnline(ctx, sn)) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotOnline));
  }
  if (in.hardware_spec == "sag-vcpe")
    return MakeUnexpected(ApiError(ApiErrorId::kFeatureNotSupport));
  // The device's reported firmware decides; the main (first bound) device is the active one.
  auto fresh = ctx.store().GetDevice(sn);
  if (!fresh) return MakeUnexpected(StoreFailure(fresh.error()));
  if (auto cmp = CompareVersions(fresh->firmware_version, kAdminPasswordMinFirmware);
      cmp && *cmp < 0) {
    bool active = !in.serial_numbers.empty() && in.serial_numbers.front() == sn;
    return MakeUnexpected(ApiError(active ? ApiErrorId::kFeatureNotSupportForActiveSmartAG
                                          : ApiErrorId::kFeatureNotSupportForStandBySmartAG));
  }
  // Refused early, before the costly hash, when a change is visibly unconfirmed; the store's
  // check-and-set below decides between concurrent calls.
  auto facets = ctx.store().GetDeviceFacets(sn);
  if (!facets) return MakeUnexpected(StoreFailure(facets.error()));
  for (const auto& f : *facets) {
    if (f.facet == store::kFacetAdminPassword && f.applied_generation < f.desired_generation) {
      return MakeUnexpected(ApiError(ApiErrorId::kConfigUnsynchronized));
    }
  }
  auto hash = HashPassword(password);
  if (!hash) return MakeUnexpected(ApiError::Internal("password hashing failed"));
  const std::string value = boost::json::serialize(boost::json::object{{"hash", *hash}});
  auto desired = ctx.store().SetDesiredFacet(sn, store::kFacetAdminPassword, value, ctx.now_ms(),
                                             /*require_synchronized=*/true);
  if (!desired) return MakeUnexpected(StoreFailure(desired.error()));
  if (desired->outcome == store::DesiredOutcome::kUnsynchronized) {
    return MakeUnexpected(ApiError(ApiErrorId::kConfigUnsynchronized));
  }
  if (!ctx.services.devices->Push(sn, store::kFacetAdminPassword, desired->generation, value)) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayOffline));
  }
  return Suspension{
      .wait = {.serial_number = sn,
               .facet = std::string(store::kFacetAdminPassword),
               .generation = desired->generation,
               .until = WaitUntil::kConfirmed,
               .timeout = std::chrono::milliseconds(ctx.services.admin_password_timeout_ms)},
      .resume = &AfterTheDevice};
}

}  // namespace

extern const OpSpec kModifySAGAdminPasswordSpec{
    .action = "ModifySAGAdminPassword",
    .suspending_handler = &ModifySAGAdminPassword,
    .required = {{"Password", ApiErrorId::kMissingParamPassword},
                 {"RegionId"},
                 {"SmartAGId"},
                 {"SmartAGSn"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
