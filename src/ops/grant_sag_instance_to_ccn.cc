// GrantSagInstanceToCcn: the caller's instance may be bound by a CCN of another account (CcnUid),
// which then binds it with BindSmartAccessGateway SmartAGUid=<the caller>. One grant per instance;
// granting the same CCN again answers the existing grant's id.
#include "common/ids.h"
#include "ops/grant_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult GrantSagInstanceToCcn(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(std::string ccn_uid, ReadUid(p, "CcnUid", ApiErrorId::kCcnInvalidUid));
  ASSIGN_OR_RETURN(const bool traffic, p.GetBool("GrantTrafficService", false));
  auto r = ctx.store().GrantSagToCcn({.id = NewResourceId("sgc"),
                                      .account_id = ctx.principal.account_id,
                                      .region_id = ctx.region_id,
                                      .instance_id = p.Get("SmartAGId"),
                                      .ccn_id = p.Get("CcnInstanceId"),
                                      .ccn_uid = std::move(ccn_uid),
                                      .grant_traffic_service = traffic,
                                      .create_ms = ctx.now_ms()});
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  switch (r->first) {
    case store::SagGrantOutcome::kGranted:
    case store::SagGrantOutcome::kAlreadyGranted:
      return boost::json::object{{"InstanceId", r->second}};
    case store::SagGrantOutcome::kInstanceNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kSagInstanceNoFound));
    case store::SagGrantOutcome::kGrantedElsewhere:
      return MakeUnexpected(ApiError(ApiErrorId::kSagGrantDuplicated));
  }
  return MakeUnexpected(ApiError::Internal("unknown grant outcome"));
}

}  // namespace

extern const OpSpec kGrantSagInstanceToCcnSpec{
    .action = "GrantSagInstanceToCcn",
    .handler = &GrantSagInstanceToCcn,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"CcnInstanceId", ApiErrorId::kCcnInvalidId},
                 {"CcnUid", ApiErrorId::kCcnInvalidUid},
                 {"RegionId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
