// GetAclAttribute: an ACL's name and how many devices of its instances refused its current rule
// set (the acl facet's last answer for the desired generation was failed).
#include "ops/acl_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult GetAclAttribute(OpContext& ctx) {
  ASSIGN_OR_RETURN(const store::AclRecord acl, LoadAcl(ctx, ctx.params.Get("AclId")));
  auto instances = ctx.store().ListAclInstances(ctx.principal.account_id, ctx.region_id, acl.id);
  if (!instances) return MakeUnexpected(StoreFailure(instances.error()));
  auto config = ctx.store().ReadAclConfig(ctx.principal.account_id, *instances);
  if (!config) return MakeUnexpected(StoreFailure(config.error()));
  int64_t failed = 0;
  for (const store::AclConfig::Instance& instance : config->instances) {
    for (const std::string& sn : instance.serial_numbers) {
      auto facets = ctx.store().GetDeviceFacets(sn);
      if (!facets) return MakeUnexpected(StoreFailure(facets.error()));
      for (const store::DeviceFacetRecord& f : *facets) {
        if (f.facet == store::kFacetAcl && f.last_result == "failed" &&
            f.result_generation == f.desired_generation) {
          ++failed;
        }
      }
    }
  }
  return boost::json::object{
      {"AclId", acl.id}, {"AclName", acl.name}, {"ErrorConfigSmartAGCount", failed}};
}

}  // namespace

extern const OpSpec kGetAclAttributeSpec{
    .action = "GetAclAttribute",
    .handler = &GetAclAttribute,
    .required = {{"RegionId", ApiErrorId::kSmartagMissingParameter},
                 {"AclId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kAcl,
    .resource_param = "AclId"};

}  // namespace sag::ops
