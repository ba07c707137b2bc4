// RevokeInstanceFromCbn: withdraws the caller's grant of a CCN to a CEN. No such grant (or no such
// CCN) is InvalidInstanceId.NotFound, the code Terraform treats as "already revoked".
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult RevokeInstanceFromCbn(OpContext& ctx) {
  const Params& p = ctx.params;
  auto r = ctx.store().RevokeCcnFromCen(ctx.principal.account_id, ctx.region_id,
                                        p.Get("CcnInstanceId"), p.Get("CenInstanceId"));
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  if (*r != store::CenOutcome::kDone) {
    return MakeUnexpected(ApiError(ApiErrorId::kInvalidInstanceIdNotFound));
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kRevokeInstanceFromCbnSpec{
    .action = "RevokeInstanceFromCbn",
    .handler = &RevokeInstanceFromCbn,
    .required = {{"CcnInstanceId", ApiErrorId::kSmartagMissingParameter},
                 {"CenInstanceId", ApiErrorId::kSmartagMissingParameter},
                 {"RegionId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kCcn,
    .resource_param = "CcnInstanceId"};

}  // namespace sag::ops
