// Operator API: RAM policies and their attachment to users, within the caller's account.
#include "auth/policy.h"
#include "common/time_format.h"
#include "ops/instance_common.h"
#include "ops/op.h"

namespace sag::ops {
namespace {

bool IsValidPolicyName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

boost::json::object PolicyJson(const store::PolicyRecord& p, bool with_document) {
  boost::json::object o{{"PolicyName", p.name},
                        {"PolicyType", "Custom"},
                        {"Description", p.description},
                        {"CreateDate", FormatIso8601Utc(p.create_ms)}};
  if (with_document) o["PolicyDocument"] = p.document;
  return o;
}

// Cached policy sets of the account may now be wrong.
void ForgetPolicies(const OpContext& ctx) {
  if (ctx.services.credentials) {
    ctx.services.credentials->InvalidateAccountPolicies(ctx.principal.account_id);
  }
}

}  // namespace

namespace {

OpResult CreatePolicy(OpContext& ctx) {
  std::string name = ctx.params.Get("PolicyName");
  if (!IsValidPolicyName(name)) return MakeUnexpected(ApiError::InvalidParameter("PolicyName"));
  std::string document = ctx.params.Get("PolicyDocument");
  auto parsed = auth::ParsePolicy(document);
  if (!parsed) {
    return MakeUnexpected(ApiError(ApiErrorId::kMalformedPolicyDocument, {parsed.error()}));
  }
  store::PolicyRecord p{ctx.principal.account_id, name, ctx.params.Get("Description"), document,
                        ctx.now_ms()};
  if (auto r = ctx.store().CreatePolicy(p); !r) {
    return MakeUnexpected(EntityError(r.error(), "policy"));
  }
  return boost::json::object{{"Policy", PolicyJson(p, false)}};
}

}  // namespace

namespace {

OpResult GetPolicy(OpContext& ctx) {
  auto r = ctx.store().GetPolicy(ctx.principal.account_id, ctx.params.Get("PolicyName"));
  if (!r) return MakeUnexpected(EntityError(r.error(), "policy"));
  return boost::json::object{{"Policy", PolicyJson(*r, true)}};
}

}  // namespace

namespace {

OpResult ListPolicies(OpContext& ctx) {
  auto r = ctx.store().ListPolicies(ctx.principal.account_id);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  boost::json::array items;
  for (const auto& p : *r) items.push_back(PolicyJson(p, false));
  return boost::json::object{{"Policies", boost::json::object{{"Policy", std::move(items)}}}};
}

}  // namespace

namespace {

OpResult DeletePolicy(OpContext& ctx) {
  auto r = ctx.store().DeletePolicy(ctx.principal.account_id, ctx.params.Get("PolicyName"));
  if (!r) return MakeUnexpected(EntityError(r.error(), "policy"));
  ForgetPolicies(ctx);  // after the write, so no stale set is cached again
  return boost::json::object{};
}

}  // namespace

namespace {

OpResult AttachPolicyToUser(OpContext& ctx) {
  auto r = ctx.store().AttachPolicy(ctx.principal.account_id, ctx.params.Get("PolicyName"),
                                    ctx.params.Get("UserName"));
  if (!r) return MakeUnexpected(EntityError(r.error(), "policy or user"));
  ForgetPolicies(ctx);  // after the write, so no stale set is cached again
  return boost::json::object{};
}

}  // namespace

namespace {

OpResult DetachPolicyFromUser(OpContext& ctx) {
  auto r = ctx.store().DetachPolicy(ctx.principal.account_id, ctx.params.Get("PolicyName"),
                                    ctx.params.Get("UserName"));
  if (!r) return MakeUnexpected(EntityError(r.error(), "policy attachment"));
  ForgetPolicies(ctx);  // after the write, so no stale set is cached again
  return boost::json::object{};
}

}  // namespace

namespace {

OpResult ListPoliciesForUser(OpContext& ctx) {
  auto r = ctx.store().ListPoliciesForUser(ctx.principal.account_id, ctx.params.Get("UserName"));
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  boost::json::array items;
  for (const auto& p : *r) items.push_back(PolicyJson(p, false));
  return boost::json::object{{"Policies", boost::json::object{{"Policy", std::move(items)}}}};
}

}  // namespace

extern const OpSpec kCreatePolicySpec{.action = "CreatePolicy",
                                      .handler = &CreatePolicy,
                                      .required = {{"PolicyName"}, {"PolicyDocument"}}};

extern const OpSpec kGetPolicySpec{
    .action = "GetPolicy", .handler = &GetPolicy, .required = {{"PolicyName"}}};

extern const OpSpec kListPoliciesSpec{.action = "ListPolicies", .handler = &ListPolicies};

extern const OpSpec kDeletePolicySpec{
    .action = "DeletePolicy", .handler = &DeletePolicy, .required = {{"PolicyName"}}};

extern const OpSpec kAttachPolicyToUserSpec{.action = "AttachPolicyToUser",
                                            .handler = &AttachPolicyToUser,
                                            .required = {{"PolicyName"}, {"UserName"}}};

extern const OpSpec kDetachPolicyFromUserSpec{.action = "DetachPolicyFromUser",
                                              .handler = &DetachPolicyFromUser,
                                              .required = {{"PolicyName"}, {"UserName"}}};

extern const OpSpec kListPoliciesForUserSpec{
    .action = "ListPoliciesForUser", .handler = &ListPoliciesForUser, .required = {{"UserName"}}};

}  // namespace sag::ops
