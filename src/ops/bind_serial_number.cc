// BindSerialNumber: binds a device (serial number) to a hardware instance; race-safe, one SN one
// instance across all accounts (docs/semantics.md). A device whose secret is not the operator's
// (created by this bind in the open registry, or by an earlier one) gets a new secret with every
// binding, readable by the binding account only (DescribeSmartAccessGatewayAttribute SecretKey):
// whoever knew the serial number, or the secret of an earlier binding, cannot act as the device.
#include "common/ids.h"
#include "ops/config_facets.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/validation.h"

namespace sag::ops {
namespace {

// A device that got a new secret with this binding loses the session it may hold with the old one;
// the device gets the instance's configuration facets (its ACL, ...).
OpResult AfterBinding(const OpContext& ctx, const std::string& serial_number) {
  auto device = ctx.store().GetDevice(serial_number);
  if (!device) return MakeUnexpected(StoreFailure(device.error()));
  RefreshAllConfigFacets(ctx.services, ctx.principal.account_id, {device->instance_id});
  if (device->secret_generated && ctx.services.devices != nullptr) {
    ctx.services.devices->Disconnect(serial_number);
  }
  return boost::json::object{};
}

}  // namespace

namespace {

OpResult BindSerialNumber(OpContext& ctx) {
  std::string sn = ctx.params.Get("SerialNumber");
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kSagInstanceNoFound));
  if (in.instance_type != "hardware") {
    return MakeUnexpected(ApiError(ApiErrorId::kActionNotSupport));
  }
  if (InArrears(in, ctx.now_ms())) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayInArrears));
  }
  if (!IsWellFormedSerialNumber(sn)) {
    return MakeUnexpected(ApiError(ApiErrorId::kSagInvalidSerialNumber));
  }
  ASSIGN_OR_RETURN(bool busy, HasChangeInFlight(ctx, in));
  if (busy) return MakeUnexpected(ApiError(ApiErrorId::kResourceInOperating));
  store::BindSerialNumberRequest req;
  req.account_id = ctx.principal.account_id;
  req.region_id = in.region_id;
  req.instance_id = in.id;
  req.serial_number = sn;
  req.max_devices = store::MaxDevices(in.ha_type);
  req.register_unknown = ctx.services.open_device_registry;
  req.now_ms = ctx.now_ms();
  req.sealed_secret = ctx.services.secrets.Seal(NewDeviceSecret());
  auto r = ctx.store().BindSerialNumber(req);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (*r) {
    case store::BindOutcome::kBound:
      return AfterBinding(ctx, sn);
    case store::BindOutcome::kAlreadyBoundHere:
      return boost::json::object{};
    case store::BindOutcome::kInstanceNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kSagInstanceNoFound));
    case store::BindOutcome::kDeviceUnknown:
    case store::BindOutcome::kDeviceRetired:
    case store::BindOutcome::kModelMismatch:
      return MakeUnexpected(ApiError(ApiErrorId::kSagInvalidSerialNumber));
    case store::BindOutcome::kBoundElsewhere:
      return MakeUnexpected(ApiError(ApiErrorId::kSagSnConflict));
    case store::BindOutcome::kInstanceFull:
      return MakeUnexpected(ApiError(ApiErrorId::kSagSnOverLimit));
  }
  return MakeUnexpected(ApiError::Internal("unknown bind outcome"));
}

}  // namespace

extern const OpSpec kBindSerialNumberSpec{
    .action = "BindSerialNumber",
    .handler = &BindSerialNumber,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty}, {"RegionId"}, {"SerialNumber"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
