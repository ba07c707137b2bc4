// DescribeSmartAccessGatewayClientUsers: the client users of a SAG app instance, paged (PageNumber,
// or the 2019 name PageNo), optionally filtered by exact UserName and UserMail.
#include "ops/client_user_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult DescribeSmartAccessGatewayClientUsers(OpContext& ctx) {
  const Params& p = ctx.params;
  // PageNumber wins when both are sent; PageNo is what the 2019 SDKs send.
  const std::string_view number_param =
      (p.Find("PageNumber") == nullptr && p.Find("PageNo") != nullptr) ? "PageNo" : "PageNumber";
  ASSIGN_OR_RETURN(Page page, ReadPage(p, 10, 100, number_param));
  ASSIGN_OR_RETURN(store::InstanceRecord in,
                   LoadAppInstance(ctx, p.Get("SmartAGId"), ApiErrorId::kSagInstanceNoFound));
  store::ClientUserFilter filter;
  filter.account_id = in.account_id;
  filter.instance_id = in.id;
  filter.user_name = p.Get("UserName");
  filter.user_mail = p.Get("UserMail");
  filter.offset = page.offset();
  filter.limit = page.size;
  auto users = ctx.store().ListClientUsers(filter);
  if (!users) return MakeUnexpected(StoreFailure(users.error()));
  boost::json::array items;
  for (const auto& u : users->items) items.push_back(ClientUserListItem(u));
  boost::json::object body{{"Users", boost::json::object{{"User", std::move(items)}}}};
  AddPageFields(body, page, users->total);
  return body;
}

}  // namespace

extern const OpSpec kDescribeSmartAccessGatewayClientUsersSpec{
    .action = "DescribeSmartAccessGatewayClientUsers",
    .handler = &DescribeSmartAccessGatewayClientUsers,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty}, {"RegionId"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
