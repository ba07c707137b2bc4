// DescribeACLs: the caller's ACLs in a region, filtered by AclIds (comma-separated), Name and
// AclType; paged. An unknown id gives an empty list, never an error.
#include "ops/acl_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult DescribeAcls(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(const Page page, ReadAclPage(p));
  store::AclFilter f;
  f.account_id = ctx.principal.account_id;
  f.region_id = ctx.region_id;
  f.name = p.Get("Name");
  f.acl_type = p.Get("AclType");
  if (!f.acl_type.empty() && f.acl_type != "acl-hardware" && f.acl_type != "acl-software") {
    return MakeUnexpected(ApiError(ApiErrorId::kAclInvalidParameter));
  }
  if (p.Has("AclIds")) {
    f.ids = SplitCommaList(p.Get("AclIds"));
    if (f.ids.empty()) f.ids.push_back("");  // only separators: matches nothing
  }
  f.offset = page.offset();
  f.limit = page.size;
  auto acls = ctx.store().ListAcls(f);
  if (!acls) return MakeUnexpected(StoreFailure(acls.error()));
  boost::json::array items;
  for (const store::AclRecord& a : acls->items) {
    items.push_back(boost::json::object{{"AclId", a.id},
                                        {"AclType", a.acl_type},
                                        {"Name", a.name},
                                        {"ResourceGroupId", a.resource_group_id},
                                        {"SagCount", std::to_string(a.instance_count)}});
  }
  boost::json::object body{{"Acls", boost::json::object{{"Acl", std::move(items)}}}};
  AddPageFields(body, page, acls->total);
  return body;
}

}  // namespace

extern const OpSpec kDescribeACLsSpec{
    .action = "DescribeACLs",
    .handler = &DescribeAcls,
    .required = {{"RegionId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kAll};

}  // namespace sag::ops
