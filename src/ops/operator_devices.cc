// Operator API: the device inventory (operator only). With --device-registry closed, only devices
// registered here can be bound; with open (the default), BindSerialNumber registers unknown
// well-formed serial numbers itself.
#include "common/ids.h"
#include "common/time_format.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/validation.h"

namespace sag::ops {
namespace {

boost::json::object DeviceJson(const store::DeviceRecord& d) {
  return boost::json::object{{"SerialNumber", d.serial_number},
                             {"HardwareModel", d.hardware_model},
                             {"Status", d.retired ? "Retired" : "Registered"},
                             {"SmartAGId", d.instance_id},
                             {"AccountId", d.account_id},
                             {"CreateDate", FormatIso8601Utc(d.create_ms)}};
}

}  // namespace

namespace {

OpResult RegisterDevice(OpContext& ctx) {
  const Params& p = ctx.params;
  store::DeviceRecord d;
  d.serial_number = p.Get("SerialNumber");
  if (!IsWellFormedSerialNumber(d.serial_number)) {
    return MakeUnexpected(ApiError(ApiErrorId::kSagInvalidSerialNumber));
  }
  d.hardware_model = p.Get("HardwareModel");
  if (d.hardware_model != "sag-100wm" && d.hardware_model != "sag-1000" &&
      d.hardware_model != "sag-vcpe") {
    return MakeUnexpected(ApiError::InvalidParameter("HardwareModel"));
  }
  std::string secret = p.Has("DeviceSecret") ? p.Get("DeviceSecret") : NewAccessKeySecret();
  if (secret.size() < 16 || secret.size() > 128) {
    return MakeUnexpected(ApiError::InvalidParameter("DeviceSecret"));
  }
  d.sealed_secret = ctx.services.secrets.Seal(secret);
  d.create_ms = ctx.now_ms();
  if (auto r = ctx.store().RegisterDevice(d); !r) {
    return MakeUnexpected(EntityError(r.error(), "device"));
  }
  boost::json::object body{{"Device", DeviceJson(d)}};
  // A generated secret is shown exactly once, here; a given one is never echoed.
  if (!p.Has("DeviceSecret")) body["DeviceSecret"] = secret;
  return body;
}

}  // namespace

namespace {

OpResult ListDevices(OpContext& ctx) {
  ASSIGN_OR_RETURN(Page page, ReadPage(ctx.params, 10, 100));
  auto r = ctx.store().ListDevices(page.offset(), page.size);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  auto total = ctx.store().CountDevices();
  if (!total) return MakeUnexpected(StoreFailure(total.error()));
  boost::json::array items;
  for (const auto& d : *r) items.push_back(DeviceJson(d));
  boost::json::object body{{"Devices", boost::json::object{{"Device", std::move(items)}}}};
  AddPageFields(body, page, *total);
  return body;
}

}  // namespace

namespace {

OpResult RetireDevice(OpContext& ctx) {
  if (auto r = ctx.store().RetireDevice(ctx.params.Get("SerialNumber")); !r) {
    return MakeUnexpected(EntityError(r.error(), "device"));
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kRegisterDeviceSpec{.action = "RegisterDevice",
                                        .handler = &RegisterDevice,
                                        .required = {{"SerialNumber"}, {"HardwareModel"}},
                                        .operator_only = true};

extern const OpSpec kListDevicesSpec{
    .action = "ListDevices", .handler = &ListDevices, .operator_only = true};

extern const OpSpec kRetireDeviceSpec{.action = "RetireDevice",
                                      .handler = &RetireDevice,
                                      .required = {{"SerialNumber"}},
                                      .operator_only = true};

}  // namespace sag::ops
