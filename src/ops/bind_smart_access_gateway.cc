// BindSmartAccessGateway: attaches an active instance to a CCN of the caller in the same region:
// the caller's own instance, or (SmartAGUid = its owner) another account's instance granted to
// that CCN.
#include <algorithm>

#include "ops/ccn_common.h"
#include "ops/grant_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

// The caller's instances on the CCN other than `in`: a new member's branch CIDRs must not overlap
// theirs. CidrConflict when they do.
Result<bool, ApiError> CheckCidrsFree(const OpContext& ctx, const store::InstanceRecord& in,
                                      const store::CcnRecord& ccn) {
  auto mine = ParseCidrList(in.cidr_block);
  if (!mine || !in.ccn_id.empty()) return true;
  store::InstanceFilter f;
  f.account_id = ctx.principal.account_id;
  f.ccn_id = ccn.id;
  f.limit = 1000;
  auto peers = ctx.store().ListInstances(f);
  if (!peers) return MakeUnexpected(StoreFailure(peers.error()));
  for (const auto& peer : peers->items) {
    auto theirs = ParseCidrList(peer.cidr_block);
    if (!theirs || peer.id == in.id) continue;
    for (const auto& a : *mine) {
      for (const auto& b : *theirs) {
        if (a.Overlaps(b)) return MakeUnexpected(ApiError(ApiErrorId::kCidrConflict));
      }
    }
  }
  return true;
}

// The states that keep an instance off a CCN.
Result<bool, ApiError> CheckBindable(const OpContext& ctx, const store::InstanceRecord& in,
                                     const store::CcnRecord& ccn) {
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
  return CheckCidrsFree(ctx, in, ccn);
}

// SmartAGUid names another account: bind that account's instance, granted to the caller's CCN
// (GrantSagInstanceToCcn). An instance not granted to this CCN is InvalidId.SMARTAG, as an unknown
// one.
OpResult BindGrantedInstance(OpContext& ctx, const store::CcnRecord& ccn,
                             const std::string& owner) {
  const std::string id = ctx.params.Get("SmartAGId");
  auto grants = ctx.store().ListGrantsToCcn(ctx.principal.account_id, ccn.id);
  if (!grants) return MakeUnexpected(StoreFailure(grants.error()));
  const bool granted = std::any_of(grants->begin(), grants->end(), [&](const auto& g) {
    return g.instance_id == id && g.account_id == owner;
  });
  if (!granted) return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));
  auto in = ctx.store().GetInstance(owner, "", id);
  if (!in) {
    if (in.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));
    }
    return MakeUnexpected(StoreFailure(in.error()));
  }
  RETURN_IF_ERROR(CheckBindable(ctx, *in, ccn));
  auto r = ctx.store().BindGrantedInstance(ctx.principal.account_id, ccn.id, owner, id, true);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (*r) {
    case store::GrantedBindOutcome::kBound:
    case store::GrantedBindOutcome::kAlreadyBound:
      return boost::json::object{};
    case store::GrantedBindOutcome::kNotGranted:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));
    case store::GrantedBindOutcome::kCcnNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdCcn));
    case store::GrantedBindOutcome::kBoundToOther:
      return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayAlreadyBound));
    case store::GrantedBindOutcome::kUnbound:
    case store::GrantedBindOutcome::kNotBound:
      break;
  }
  return MakeUnexpected(ApiError::Internal("unexpected granted bind outcome"));
}

OpResult BindSmartAccessGateway(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(auto ccn, LoadCcn(ctx, ctx.region_id, p.Get("CcnId")));
  if (p.Has("SmartAGUid") && p.Get("SmartAGUid") != ctx.principal.account_id) {
    if (!IsAccountUid(p.Get("SmartAGUid"))) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));
    }
    return BindGrantedInstance(ctx, ccn, p.Get("SmartAGUid"));
  }
  ASSIGN_OR_RETURN(auto in, LoadInstance(ctx, p.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  RETURN_IF_ERROR(CheckBindable(ctx, in, ccn));
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
