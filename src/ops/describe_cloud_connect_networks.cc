// DescribeCloudConnectNetworks: the caller's CCNs in a region, filtered and paged (PageSize 1-50).
#include "ops/ccn_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/paging.h"

namespace sag::ops {

namespace {

OpResult DescribeCloudConnectNetworks(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(Page page, ReadPage(p, 10, 50));
  store::CcnFilter f;
  f.account_id = ctx.principal.account_id;
  f.region_id = ctx.region_id;
  if (p.Has("CcnId")) f.ids.push_back(p.Get("CcnId"));
  f.name = p.Get("Name");
  f.offset = page.offset();
  f.limit = page.size;
  // Tags are not stored yet: a tag filter matches nothing rather than everything.
  bool tag_filter = p.Has("Tag.1.Key");
  auto r = ctx.store().ListCcns(f);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  boost::json::array items;
  if (!tag_filter) {
    for (const auto& c : r->items) items.push_back(CcnJson(c));
  }
  boost::json::object body{
      {"CloudConnectNetworks", boost::json::object{{"CloudConnectNetwork", std::move(items)}}}};
  AddPageFields(body, page, tag_filter ? 0 : r->total);
  return body;
}

}  // namespace

extern const OpSpec kDescribeCloudConnectNetworksSpec{.action = "DescribeCloudConnectNetworks",
                                                      .handler = &DescribeCloudConnectNetworks,
                                                      .required = {{"RegionId"}}};

}  // namespace sag::ops
