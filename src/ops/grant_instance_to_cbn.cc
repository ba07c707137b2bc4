// GrantInstanceToCbn: the caller's CCN may be attached by a CEN of another account (CenUid). A
// second grant to the same CEN updates GrantTrafficService and keeps the grant's id.
#include <string>

#include "common/ids.h"
#include "ops/ccn_common.h"
#include "ops/grant_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult GrantInstanceToCbn(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(std::string cen_uid, ReadUid(p, "CenUid", ApiErrorId::kInvalidParameter));
  ASSIGN_OR_RETURN(const bool traffic, p.GetBool("GrantTrafficService", false));
  ASSIGN_OR_RETURN(store::CcnRecord ccn, LoadCcn(ctx, ctx.region_id, p.Get("CcnInstanceId")));
  const std::string id = AsciiLower(NewRequestId());
  const int64_t now = ctx.now_ms();
  auto r = ctx.store().GrantCcnToCen({.id = id,
                                      .account_id = ccn.account_id,
                                      .region_id = ccn.region_id,
                                      .ccn_id = ccn.id,
                                      .cen_id = p.Get("CenInstanceId"),
                                      .cen_uid = std::move(cen_uid),
                                      .grant_traffic_service = traffic,
                                      .create_ms = now,
                                      .modify_ms = now});
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  if (*r == store::CenOutcome::kCcnNotFound) {
    return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdCcn));
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kGrantInstanceToCbnSpec{
    .action = "GrantInstanceToCbn",
    .handler = &GrantInstanceToCbn,
    .required = {{"CcnInstanceId", ApiErrorId::kSmartagMissingParameter},
                 {"CenInstanceId", ApiErrorId::kSmartagMissingParameter},
                 {"CenUid", ApiErrorId::kSmartagMissingParameter},
                 {"RegionId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kCcn,
    .resource_param = "CcnInstanceId"};

}  // namespace sag::ops
