// CreateCloudConnectNetwork: a CCN in the caller's account (default region cn-shanghai).
#include "common/ids.h"
#include "ops/ccn_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult CreateCloudConnectNetwork(OpContext& ctx) {
  const Params& p = ctx.params;
  store::CcnRecord c;
  c.id = NewResourceId("ccn");
  c.account_id = ctx.principal.account_id;
  c.region_id = ctx.region_id.empty() ? std::string(kDefaultCcnRegion) : ctx.region_id;
  c.name = p.Get("Name");
  if (!c.name.empty() && !IsValidResourceName(c.name, 2, 100)) {
    return MakeUnexpected(ApiError(ApiErrorId::kInvalidNameCcn));
  }
  c.description = p.Get("Description");
  if (!c.description.empty() && !IsValidDescription(c.description)) {
    return MakeUnexpected(ApiError(ApiErrorId::kInvalidDescriptionCcn));
  }
  if (p.Has("CidrBlock")) {
    ASSIGN_OR_RETURN(c.cidr_block,
                     NormalizedCcnCidrs(p.Get("CidrBlock"), ApiErrorId::kCcnInvalidCidr));
  }
  if (p.Has("SnatCidrBlock") && !ParseCidr(p.Get("SnatCidrBlock"))) {
    return MakeUnexpected(ApiError(ApiErrorId::kCcnInvalidSnatCidr));
  }
  ASSIGN_OR_RETURN(c.is_default, p.GetBool("IsDefault", false));  // stored and returned
  c.create_ms = ctx.now_ms();

  store::CcnFilter f;
  f.account_id = c.account_id;
  f.region_id = c.region_id;
  f.limit = 1;
  auto existing = ctx.store().ListCcns(f);
  if (!existing) return MakeUnexpected(StoreFailure(existing.error()));
  if (existing->total >= kCcnLimitPerRegion) {
    return MakeUnexpected(ApiError(ApiErrorId::kCcnAmountLimit));
  }
  if (auto r = ctx.store().CreateCcn(c); !r) return MakeUnexpected(StoreFailure(r.error()));
  return boost::json::object{{"CcnId", c.id},
                             {"Name", c.name},
                             {"Description", c.description},
                             {"CidrBlock", c.cidr_block},
                             {"SnatCidrBlock", p.Get("SnatCidrBlock")},
                             {"ResourceGroupId", DefaultResourceGroup(c.account_id)},
                             {"Status", "Active"}};
}

}  // namespace

extern const OpSpec kCreateCloudConnectNetworkSpec{.action = "CreateCloudConnectNetwork",
                                                   .handler = &CreateCloudConnectNetwork,
                                                   .resource = ResourceKind::kAnyCcn};

}  // namespace sag::ops
