// AssociateACL and DisassociateACL: apply an ACL to a SAG instance (at most one per instance) or
// detach it; the instance's devices get the new rule set (an empty one after detaching).
#include "ops/acl_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult AssociateAcl(OpContext& ctx) {
  const std::string instance_id = ctx.params.Get("SmartAGId");
  auto r = ctx.store().AssociateAcl(ctx.principal.account_id, ctx.region_id,
                                    ctx.params.Get("AclId"), instance_id, ctx.now_ms());
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  using O = store::AclAssociateOutcome;
  switch (*r) {
    case O::kAssociated:
      break;
    case O::kInstanceNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));
    case O::kAclNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdAcl));
    case O::kAlreadyAssociated:
      return MakeUnexpected(ApiError(ApiErrorId::kSmartAGAlreadyAssociateAcl));
    case O::kOtherAssociated:
      return MakeUnexpected(ApiError(ApiErrorId::kAclPerSmartagAmountLimit));
    case O::kSoftwareInstance:
      return MakeUnexpected(ApiError(ApiErrorId::kSagSoftwareNotSupport));
    case O::kTypeMismatch:
      return MakeUnexpected(ApiError(ApiErrorId::kAclInvalidType));
    case O::kWanOnSag1000:
      return MakeUnexpected(ApiError(ApiErrorId::kAclNoSupportWanType));
  }
  RETURN_IF_ERROR(DeliverAcl(ctx, {instance_id}));
  return boost::json::object{};
}

OpResult DisassociateAcl(OpContext& ctx) {
  const std::string instance_id = ctx.params.Get("SmartAGId");
  auto r = ctx.store().DisassociateAcl(ctx.principal.account_id, ctx.region_id,
                                       ctx.params.Get("AclId"), instance_id);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  using O = store::AclDisassociateOutcome;
  switch (*r) {
    case O::kDisassociated:
      break;
    case O::kInstanceNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));
    case O::kAclNotFound:
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdAcl));
    case O::kNotAssociated:
      return MakeUnexpected(ApiError(ApiErrorId::kSmartAGNotAssociateAcl));
  }
  RETURN_IF_ERROR(DeliverAcl(ctx, {instance_id}));
  return boost::json::object{};
}

const std::vector<RequiredParam> kAssociationParams = {
    {"RegionId", ApiErrorId::kSmartagMissingParameter},
    {"AclId", ApiErrorId::kSmartagMissingParameter},
    {"SmartAGId", ApiErrorId::kSmartagMissingParameter}};

}  // namespace

extern const OpSpec kAssociateACLSpec{.action = "AssociateACL",
                                      .handler = &AssociateAcl,
                                      .required = kAssociationParams,
                                      .resource = ResourceKind::kAcl,
                                      .resource_param = "AclId"};

extern const OpSpec kDisassociateACLSpec{.action = "DisassociateACL",
                                         .handler = &DisassociateAcl,
                                         .required = kAssociationParams,
                                         .resource = ResourceKind::kAcl,
                                         .resource_param = "AclId"};

}  // namespace sag::ops
