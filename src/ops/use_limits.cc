// GetCloudConnectNetworkUseLimit / GetSmartAccessGatewayUseLimit: the account's quota in the
// region and how much of it is used. The CCN quota is the one CreateCloudConnectNetwork enforces;
// sagd does not limit the number of instances, so the instance quota reports the documented
// default (docs/semantics.md).
#include "ops/ccn_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

// The documented default number of SAG instances per account.
constexpr int64_t kInstanceQuota = 500;

boost::json::object UseLimit(int64_t total, int64_t used) {
  return boost::json::object{{"TotalAmount", total}, {"UsedAmount", used}};
}

OpResult GetCloudConnectNetworkUseLimit(OpContext& ctx) {
  store::CcnFilter f;
  f.account_id = ctx.principal.account_id;
  f.region_id = ctx.region_id;
  f.limit = 1;
  auto r = ctx.store().ListCcns(f);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  return UseLimit(kCcnLimitPerRegion, r->total);
}

OpResult GetSmartAccessGatewayUseLimit(OpContext& ctx) {
  store::InstanceFilter f;
  f.account_id = ctx.principal.account_id;
  f.region_id = ctx.region_id;
  f.limit = 1;
  auto r = ctx.store().ListInstances(f);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  return UseLimit(kInstanceQuota, r->total);
}

}  // namespace

extern const OpSpec kGetCloudConnectNetworkUseLimitSpec{.action = "GetCloudConnectNetworkUseLimit",
                                                        .handler = &GetCloudConnectNetworkUseLimit,
                                                        .required = {{"RegionId"}},
                                                        .resource = ResourceKind::kAnyCcn};

extern const OpSpec kGetSmartAccessGatewayUseLimitSpec{.action = "GetSmartAccessGatewayUseLimit",
                                                       .handler = &GetSmartAccessGatewayUseLimit,
                                                       .required = {{"RegionId"}},
                                                       .resource = ResourceKind::kAnyInstance};

}  // namespace sag::ops
