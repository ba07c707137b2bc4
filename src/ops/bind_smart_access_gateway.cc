// BindSmartAccessGateway: attaches an active instance to a CCN of the same account and region.
#include "ops/ccn_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult BindSmartAccessGateway(OpContext& ctx) {
  const Params& p = ctx.params;
  if (p.Has("SmartAGUid") && p.Get("SmartAGUid") != ctx.principal.account_id) {
    return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));  // no cross-account grants yet
  }
  ASSIGN_OR_RETURN(auto ccn, LoadCcn(ctx, ctx.region_id, p.Get("CcnId")));
  ASSIGN_OR_RETURN(auto in, LoadInstance(ctx, p.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  if (in.region_id != ccn.region_id) return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));
  if (InArrears(in, ctx.now_ms())) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayInArrears));
  }
  if (in.status != store::InstanceStatus::kActive) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotActivated));
  }
  if (!in.ccn_id.empty() && in.ccn_id != ccn.id) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayAlreadyBound));
  }
  // The branch CIDRs of instances on one CCN must not overlap.
  if (auto mine = ParseCidrList(in.cidr_block); mine && in.ccn_id.empty()) {
    store::InstanceFilter f;
    f.account_id = ctx.principal.account_id;
    f.ccn_id = ccn.id;
    f.limit = 1000;
    auto peers = ctx.store().ListInstances(f);
    if (!peers) return MakeUnexpected(StoreFailure(peers.error()));
    for (const auto& peer : peers->items) {
      auto theirs = ParseCidrList(peer.cidr_block);
      if (!theirs) continue;
      for (const auto& a : *mine) {
        for (const auto& b : *theirs) {
          if (a.Overlaps(b)) return MakeUnexpected(ApiError(ApiErrorId::kCidrConflict));
        }
      }
    }
  }
  auto r = ctx.store().BindInstanceToCcn(ctx.principal.account_id, in.region_id, in.id, ccn.id);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (*r) {
    case store::CcnBindOutcome::kBound:
    case store::CcnBindOutcome::kAlreadyBound:
      return boost::json::object{};
    case store::CcnBindOutcome::kInstanceNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));
    case store::CcnBindOutcome::kCcnNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdCcn));
    case store::CcnBindOutcome::kBoundToOther:
      return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayAlreadyBound));
  }
  return MakeUnexpected(ApiError::Internal("unknown CCN bind outcome"));
}

}  // namespace

extern const OpSpec kBindSmartAccessGatewaySpec{
    .action = "BindSmartAccessGateway",
    .handler = &BindSmartAccessGateway,
    .required = {{"CcnId", ApiErrorId::kSmartagMissingParameter},
                 {"SmartAGId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
