// Operator API: RAM users and their AccessKeys, within the caller's account.
#include "common/time_format.h"
#include "ops/account_setup.h"
#include "ops/instance_common.h"
#include "ops/op.h"

namespace sag::ops {
namespace {

// RAM user names: 1-64 of letters, digits, '.', '_', '-', '@'.
bool IsValidUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@';
    if (!ok) return false;
  }
  return true;
}

boost::json::object UserJson(const store::UserRecord& u) {
  return boost::json::object{{"UserName", u.name},
                             {"DisplayName", u.display_name},
                             {"IsRoot", u.is_root},
                             {"CreateDate", FormatIso8601Utc(u.create_ms)}};
}

boost::json::object KeyJson(const store::AccessKeyRecord& k) {
  return boost::json::object{{"AccessKeyId", k.id},
                             {"UserName", k.user_name},
                             {"Status", k.enabled ? "Active" : "Inactive"},
                             {"CreateDate", FormatIso8601Utc(k.create_ms)}};
}

}  // namespace

namespace {

OpResult CreateUser(OpContext& ctx) {
  std::string name = ctx.params.Get("UserName");
  if (!IsValidUserName(name) || name == kRootUserName) {
    return MakeUnexpected(ApiError::InvalidParameter("UserName"));
  }
  store::UserRecord u{ctx.principal.account_id, name, ctx.params.Get("DisplayName"), false,
                      ctx.now_ms()};
  if (auto r = ctx.store().CreateUser(u); !r) return MakeUnexpected(EntityError(r.error(), "user"));
  return boost::json::object{{"User", UserJson(u)}};
}

}  // namespace

namespace {

OpResult ListUsers(OpContext& ctx) {
  auto r = ctx.store().ListUsers(ctx.principal.account_id);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  boost::json::array items;
  for (const auto& u : *r) items.push_back(UserJson(u));
  return boost::json::object{{"Users", boost::json::object{{"User", std::move(items)}}}};
}

}  // namespace

namespace {

OpResult DeleteUser(OpContext& ctx) {
  std::string name = ctx.params.Get("UserName");
  if (name == kRootUserName) return MakeUnexpected(ApiError::InvalidParameter("UserName"));
  auto r = ctx.store().DeleteUser(ctx.principal.account_id, name);
  if (!r) {
    return MakeUnexpected(EntityError(r.error(), "user"));
  }
  // After the write: a concurrent call may have cached the old state before it.
  if (ctx.services.credentials)
    ctx.services.credentials->InvalidateUser(ctx.principal.account_id, name);
  return boost::json::object{};
}

}  // namespace

namespace {

OpResult CreateAccessKey(OpContext& ctx) {
  std::string user =
      ctx.params.Has("UserName") ? ctx.params.Get("UserName") : std::string(kRootUserName);
  ASSIGN_OR_RETURN(auto issued, IssueAccessKey(ctx.store(), ctx.services.secrets, ctx.now_ms(),
                                               ctx.principal.account_id, user));
  return boost::json::object{
      {"AccessKey", boost::json::object{{"AccessKeyId", issued.id},
                                        {"AccessKeySecret", issued.secret},
                                        {"UserName", user},
                                        {"Status", "Active"},
                                        {"CreateDate", FormatIso8601Utc(ctx.now_ms())}}}};
}

}  // namespace

namespace {

OpResult ListAccessKeys(OpContext& ctx) {
  std::string user =
      ctx.params.Has("UserName") ? ctx.params.Get("UserName") : std::string(kRootUserName);
  auto r = ctx.store().ListAccessKeys(ctx.principal.account_id, user);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  boost::json::array items;
  for (const auto& k : *r) items.push_back(KeyJson(k));
  return boost::json::object{{"AccessKeys", boost::json::object{{"AccessKey", std::move(items)}}}};
}

}  // namespace

namespace {

OpResult UpdateAccessKey(OpContext& ctx) {
  std::string status = ctx.params.Get("Status");
  if (status != "Active" && status != "Inactive") {
    return MakeUnexpected(ApiError::InvalidParameter("Status"));
  }
  auto r = ctx.store().SetAccessKeyEnabled(ctx.principal.account_id,
                                           ctx.params.Get("UserAccessKeyId"), status == "Active");
  if (!r) return MakeUnexpected(EntityError(r.error(), "AccessKey"));
  if (ctx.services.credentials) {
    ctx.services.credentials->InvalidateKey(ctx.params.Get("UserAccessKeyId"));
  }
  return boost::json::object{};
}

}  // namespace

namespace {

OpResult DeleteAccessKey(OpContext& ctx) {
  auto r = ctx.store().DeleteAccessKey(ctx.principal.account_id, ctx.params.Get("UserAccessKeyId"));
  if (!r) return MakeUnexpected(EntityError(r.error(), "AccessKey"));
  if (ctx.services.credentials) {
    ctx.services.credentials->InvalidateKey(ctx.params.Get("UserAccessKeyId"));
  }
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kCreateUserSpec{
    .action = "CreateUser", .handler = &CreateUser, .required = {{"UserName"}}};

extern const OpSpec kListUsersSpec{.action = "ListUsers", .handler = &ListUsers};

extern const OpSpec kDeleteUserSpec{
    .action = "DeleteUser", .handler = &DeleteUser, .required = {{"UserName"}}};

extern const OpSpec kCreateAccessKeySpec{.action = "CreateAccessKey", .handler = &CreateAccessKey};

extern const OpSpec kListAccessKeysSpec{.action = "ListAccessKeys", .handler = &ListAccessKeys};

extern const OpSpec kUpdateAccessKeySpec{.action = "UpdateAccessKey",
                                         .handler = &UpdateAccessKey,
                                         .required = {{"UserAccessKeyId"}, {"Status"}}};

extern const OpSpec kDeleteAccessKeySpec{
    .action = "DeleteAccessKey", .handler = &DeleteAccessKey, .required = {{"UserAccessKeyId"}}};

}  // namespace sag::ops
