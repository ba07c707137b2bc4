// ModifyCloudConnectNetwork: renames, re-describes, changes CIDRs or interworking of a CCN.
#include "ops/ccn_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult ModifyCloudConnectNetwork(OpContext& ctx) {
  const Params& p = ctx.params;
  store::CcnPatch patch;
  if (p.Has("Name")) {
    if (!IsValidResourceName(p.Get("Name"), 2, 128)) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidNameCcn));
    }
    patch.name = p.Get("Name");
  }
  if (p.Has("Description")) {
    if (!IsValidDescription(p.Get("Description"))) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidDescriptionCcn));
    }
    patch.description = p.Get("Description");
  }
  if (p.Has("CidrBlock")) {
    ASSIGN_OR_RETURN(patch.cidr_block,
                     NormalizedCcnCidrs(p.Get("CidrBlock"), ApiErrorId::kCcnInvalidCidr));
  }
  if (p.Has("InterworkingStatus")) {
    std::string s = p.Get("InterworkingStatus");
    if (s != "enable" && s != "disable") {
      return MakeUnexpected(ApiError(ApiErrorId::kCcnInvalidInterworkingStatus));
    }
    patch.interworking_status = s;
  }
  auto r = ctx.store().UpdateCcn(ctx.principal.account_id, ctx.region_id, p.Get("CcnId"), patch);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdCcn));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kModifyCloudConnectNetworkSpec{
    .action = "ModifyCloudConnectNetwork",
    .handler = &ModifyCloudConnectNetwork,
    .required = {{"CcnId", ApiErrorId::kCcnInvalidId},
                 {"RegionId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kCcn,
    .resource_param = "CcnId"};

}  // namespace sag::ops
