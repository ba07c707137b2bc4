// CreateSmartAccessGatewaySoftware: orders a SAG app instance (client VPN accounts). No billing:
// the order is paid at once and the instance is Active until its EndTime; its CidrBlock (our
// optional extension parameter, or ModifySmartAccessGateway later) is where client users get their
// ClientIp (docs/semantics.md).
#include "common/ids.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult CreateSmartAccessGatewaySoftware(OpContext& ctx) {
  const Params& p = ctx.params;
  if (p.Get("ChargeType") != "PREPAY") {
    return MakeUnexpected(ApiError::InvalidParameter("ChargeType"));
  }
  ASSIGN_OR_RETURN(int64_t period, p.GetInt("Period", 0, 1, 36));
  if (!IsValidPeriod(period)) return MakeUnexpected(ApiError::InvalidParameter("Period"));
  ASSIGN_OR_RETURN(int64_t user_count, p.GetInt("UserCount", 0, 1, 10000));
  ASSIGN_OR_RETURN(int64_t data_plan, p.GetInt("DataPlan", 0, 1, 1000));
  RETURN_IF_ERROR(p.GetBool("AutoPay", false));
  std::string cidr = p.Get("CidrBlock");
  if (!cidr.empty()) {
    auto blocks = ParseCidrList(cidr);
    if (!blocks) return MakeUnexpected(ApiError(ApiErrorId::kInvalidCidr));
    for (size_t i = 0; i < blocks->size(); ++i) {
      if ((*blocks)[i].prefix < 8 || (*blocks)[i].prefix > 30) {
        return MakeUnexpected(ApiError(ApiErrorId::kInvalidCidr));
      }
      for (size_t j = 0; j < i; ++j) {
        if ((*blocks)[i].Overlaps((*blocks)[j])) {
          return MakeUnexpected(ApiError(ApiErrorId::kCidrConflict));
        }
      }
    }
  }

  store::InstanceRecord in;
  in.id = NewResourceId("sag");
  in.account_id = ctx.principal.account_id;
  in.region_id = ctx.region_id;
  in.status = store::InstanceStatus::kActive;
  in.instance_type = "software";
  in.hardware_spec = "sag-software";
  in.ha_type = store::HaType::kNoBackup;
  in.cidr_block = cidr;
  in.routing_strategy = "static";
  in.charge_type = "PREPAY";
  in.period_months = period;
  in.order_id = NewNumericId(15);
  in.resource_group_id = DefaultResourceGroup(in.account_id);
  in.user_count = user_count;
  in.data_plan = data_plan;
  in.create_ms = ctx.now_ms();
  in.end_ms = AddMonths(in.create_ms, period);
  if (auto r = ctx.store().CreateInstance(in); !r) return MakeUnexpected(StoreFailure(r.error()));
  return boost::json::object{
      {"SmartAGId", in.id},
      {"OrderId", in.order_id},
      {"ResourceGroupId", in.resource_group_id},
  };
}

}  // namespace

// SAG app instances and client users (docs/semantics.md).
extern const OpSpec kCreateSmartAccessGatewaySoftwareSpec{
    .action = "CreateSmartAccessGatewaySoftware",
    .handler = &CreateSmartAccessGatewaySoftware,
    .required =
        {{"RegionId"}, {"ChargeType"}, {"DataPlan"}, {"Period"}, {"UserCount"}, {"AutoPay"}},
    .resource = ResourceKind::kAnyInstance};

}  // namespace sag::ops
