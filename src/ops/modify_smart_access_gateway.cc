// ModifySmartAccessGateway: renames, re-describes and reconfigures an instance. Changes that reach
// the device's network configuration (CidrBlock, RoutingStrategy) need an activated instance; the
// rest can be changed at any time before expiry (docs/semantics.md).
#include "ops/client_user_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult ModifySmartAccessGateway(OpContext& ctx) {
  const Params& p = ctx.params;
  std::string id = p.Get("SmartAGId");
  if (!IsWellFormedInstanceId(id)) return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdSmartag));

  store::InstancePatch patch;
  if (p.Has("Name")) {
    if (!IsValidResourceName(p.Get("Name"), 2, 128)) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidName));
    }
    patch.name = p.Get("Name");
  }
  if (p.Has("Description")) {
    if (!IsValidDescription(p.Get("Description"))) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidDescription));
    }
    patch.description = p.Get("Description");
  }
  if (p.Has("CidrBlock")) {
    auto cidrs = ParseCidrList(p.Get("CidrBlock"));
    if (!cidrs) return MakeUnexpected(ApiError(ApiErrorId::kInvalidCidr));
    std::string normalized;
    for (size_t i = 0; i < cidrs->size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if ((*cidrs)[i].Overlaps((*cidrs)[j])) {
          return MakeUnexpected(ApiError(ApiErrorId::kCidrConflict));
        }
      }
      if (i > 0) normalized += ',';
      normalized += (*cidrs)[i].ToString();
    }
    patch.cidr_block = normalized;
  }
  if (p.Has("RoutingStrategy")) {
    std::string rs = p.Get("RoutingStrategy");
    if (rs != "static" && rs != "dynamic") {
      return MakeUnexpected(ApiError(ApiErrorId::kSagInvalidRoutingStrategy));
    }
    patch.routing_strategy = rs;
  }
  ASSIGN_OR_RETURN(patch.security_lock_threshold,
                   p.GetOptionalInt("SecurityLockThreshold", 0, int64_t{1} << 31));
  if (p.Find("Position") != nullptr) patch.position = p.Get("Position");
  ASSIGN_OR_RETURN(patch.enable_software_connection_audit,
                   p.GetOptionalBool("EnableSoftwareConnectionAudit"));

  ASSIGN_OR_RETURN(auto in, LoadInstance(ctx, id, ApiErrorId::kSagInstanceNoFound));
  if (InArrears(in, ctx.now_ms())) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayInArrears));
  }
  bool touches_network = patch.cidr_block.has_value() || patch.routing_strategy.has_value();
  if (touches_network && in.instance_type == "hardware" &&
      in.status != store::InstanceStatus::kActive) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotActivated));
  }
  if (patch.enable_software_connection_audit.has_value() && in.instance_type != "software") {
    return MakeUnexpected(ApiError(ApiErrorId::kFeatureNotSupport));
  }
  if (patch.cidr_block.has_value() && in.instance_type == "software") {
    // Client users keep their ClientIp: the store refuses (kConflict) a new CidrBlock that no
    // longer holds every one of them, in the transaction that changes it.
    store::InstanceRecord changed = in;
    changed.cidr_block = *patch.cidr_block;
    patch.client_ips_within = ClientIpPool(changed);
  }
  auto r = ctx.store().UpdateInstance(ctx.principal.account_id, ctx.region_id, id, patch);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kSagInstanceNoFound));
    }
    if (r.error().code == store::StoreErrorCode::kConflict) {
      return MakeUnexpected(ApiError(ApiErrorId::kResourceInOperating));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kModifySmartAccessGatewaySpec{
    .action = "ModifySmartAccessGateway",
    .handler = &ModifySmartAccessGateway,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"RegionId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
