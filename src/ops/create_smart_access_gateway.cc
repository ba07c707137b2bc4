// CreateSmartAccessGateway: orders a hardware (CPE) or vCPE instance. There is no billing here: the
// order is paid at once and the instance starts in Init until a device is bound and activated
// (docs/semantics.md).
#include "common/crypto.h"
#include "common/ids.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/validation.h"

namespace sag::ops {
namespace {

struct SpecLimits {
  std::string_view spec;
  int64_t min_bandwidth;
  int64_t max_bandwidth;
};

constexpr SpecLimits kSpecs[] = {
    {"sag-100wm", 2, 50},
    {"sag-1000", 10, 500},
    {"sag-vcpe", 10, 1000},
};

}  // namespace

namespace {

OpResult CreateSmartAccessGateway(OpContext& ctx) {
  const Params& p = ctx.params;
  if (p.Get("ChargeType") != "PREPAY")
    return MakeUnexpected(ApiError::InvalidParameter("ChargeType"));
  const std::optional<store::HaType> ha_type = store::ParseHaType(p.Get("HaType"));
  if (!ha_type) return MakeUnexpected(ApiError::InvalidParameter("HaType"));
  std::string spec = p.Get("HardWareSpec");
  const SpecLimits* limits = nullptr;
  for (const auto& s : kSpecs) {
    if (s.spec == spec) limits = &s;
  }
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
  if (auto r = ctx.store().CreateInstance(in); !r) return MakeUnexpected(StoreFailure(r.error()));

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
