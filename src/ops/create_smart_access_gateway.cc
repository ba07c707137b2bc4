// CreateSmartAccessGateway: orders a hardware (CPE) or vCPE instance. There is no billing here: the
// order is paid at once and a CPE instance starts in Init until a device is bound and activated; a
// vCPE instance comes Active with its devices' credentials (docs/semantics.md).
#include "common/crypto.h"
#include "common/ids.h"
#include "ops/bandwidth.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

constexpr std::string_view kVcpeSpec = "sag-vcpe";

// A vCPE instance is sold with its devices: one, or two (active and standby) with HA, each with a
// serial number and a secret sagd generates, bound to the instance at once. The owner reads them
// in Devices.Device[] (SerialNumber, SecretKey) and starts the vCPE image with them; the device
// channel accepts exactly those.
Result<bool, ApiError> IssueVcpeDevices(const OpContext& ctx, const store::InstanceRecord& in) {
  const int devices = store::MaxDevices(in.ha_type);
  for (int i = 0; i < devices; ++i) {
    store::BindSerialNumberRequest req;
    req.account_id = in.account_id;
    req.region_id = in.region_id;
    req.instance_id = in.id;
    req.serial_number = "sage" + NewResourceId("v").substr(2);  // "sage" + 18 alphanumerics
    req.max_devices = devices;
    req.register_unknown = true;  // sagd issues the device, whatever the registry mode
    req.now_ms = ctx.now_ms();
    req.sealed_secret = ctx.services.secrets.Seal(NewDeviceSecret());
    auto r = ctx.store().BindSerialNumber(req);
    if (!r) return MakeUnexpected(StoreFailure(r.error()));
    if (*r != store::BindOutcome::kBound) {
      return MakeUnexpected(ApiError::Internal("a vCPE device could not be issued"));
    }
  }
  return true;
}

OpResult CreateSmartAccessGateway(OpContext& ctx) {
  const Params& p = ctx.params;
  if (p.Get("ChargeType") != "PREPAY")
    return MakeUnexpected(ApiError::InvalidParameter("ChargeType"));
  const std::optional<store::HaType> ha_type = store::ParseHaType(p.Get("HaType"));
  if (!ha_type) return MakeUnexpected(ApiError::InvalidParameter("HaType"));
  std::string spec = p.Get("HardWareSpec");
  const BandwidthLimits* limits = BandwidthLimitsOf(spec);
  if (limits == nullptr) return MakeUnexpected(ApiError::InvalidParameter("HardWareSpec"));
  ASSIGN_OR_RETURN(int64_t period, p.GetInt("Period", 0, 1, 36));
  if (!IsValidPeriod(period)) return MakeUnexpected(ApiError::InvalidParameter("Period"));
  ASSIGN_OR_RETURN(int64_t bandwidth, p.GetInt("MaxBandWidth", limits->min_bandwidth,
                                               limits->min_bandwidth, limits->max_bandwidth));
  RETURN_IF_ERROR(p.GetBool("AutoPay", false));
  RETURN_IF_ERROR(p.GetBool("AlreadyHaveSag", false));
  std::string name = p.Get("Name");
  if (!name.empty() && !IsValidResourceName(name, 2, 128)) {
    return MakeUnexpected(ApiError(ApiErrorId::kInvalidName));
  }
  std::string description = p.Get("Description");
  if (!description.empty() && !IsValidDescription(description)) {
    return MakeUnexpected(ApiError(ApiErrorId::kInvalidDescription));
  }
  std::string cpe_version = p.Get("CPEVersion");
  if (!cpe_version.empty() && cpe_version != "basic") {
    return MakeUnexpected(ApiError::InvalidParameter("CPEVersion"));
  }

  store::InstanceRecord in;
  in.id = NewResourceId("sag");
  in.account_id = ctx.principal.account_id;
  in.region_id = ctx.region_id;
  in.name = name;
  in.description = description;
  in.status = store::InstanceStatus::kInit;
  in.instance_type = "hardware";
  in.hardware_spec = spec;
  in.ha_type = *ha_type;
  in.max_bandwidth = bandwidth;
  in.routing_strategy = "static";
  in.charge_type = "PREPAY";
  in.period_months = period;
  in.order_id = NewNumericId(15);
  in.resource_group_id = DefaultResourceGroup(in.account_id);
  in.create_ms = ctx.now_ms();
  in.end_ms = AddMonths(in.create_ms, period);
  const bool vcpe = spec == kVcpeSpec;
  if (vcpe) in.status = store::InstanceStatus::kActive;  // its devices come with it
  if (auto r = ctx.store().CreateInstance(in); !r) return MakeUnexpected(StoreFailure(r.error()));
  if (vcpe) RETURN_IF_ERROR(IssueVcpeDevices(ctx, in));

  return boost::json::object{
      {"SmartAGId", in.id},
      {"OrderId", in.order_id},
      {"Name", in.name},
      {"Description", in.description},
      {"ResourceGroupId", in.resource_group_id},
  };
}

}  // namespace

extern const OpSpec kCreateSmartAccessGatewaySpec{.action = "CreateSmartAccessGateway",
                                                  .handler = &CreateSmartAccessGateway,
                                                  .required = {{"RegionId"},
                                                               {"ChargeType"},
                                                               {"HaType"},
                                                               {"HardWareSpec"},
                                                               {"Period"},
                                                               {"AutoPay"},
                                                               {"BuyerMessage"},
                                                               {"ReceiverAddress"},
                                                               {"ReceiverCity"},
                                                               {"ReceiverCountry"},
                                                               {"ReceiverDistrict"},
                                                               {"ReceiverEmail"},
                                                               {"ReceiverMobile"},
                                                               {"ReceiverName"},
                                                               {"ReceiverState"},
                                                               {"ReceiverTown"},
                                                               {"ReceiverZip"}},
                                                  .resource = ResourceKind::kAnyInstance};

}  // namespace sag::ops
