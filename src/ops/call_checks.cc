#include "ops/call_checks.h"

#include "ops/regions.h"
#include "ops/store_errors.h"

namespace sag::ops {

std::string ResourceArn(const OpSpec& op, const Params& params, const std::string& region,
                        const std::string& account_id) {
  const std::string prefix =
      "acs:smartag:" + (region.empty() ? std::string("*") : region) + ":" + account_id + ":";
  switch (op.resource) {
    case ResourceKind::kAll:
      return "*";
    case ResourceKind::kInstance:
      return prefix + "smartag/" + params.Get(op.resource_param);
    case ResourceKind::kAnyInstance:
      return prefix + "smartag/*";
    case ResourceKind::kCcn:
      return prefix + "ccn/" + params.Get(op.resource_param);
    case ResourceKind::kAnyCcn:
      return prefix + "ccn/*";
    case ResourceKind::kAcl:
      return prefix + "acl/" + params.Get(op.resource_param);
    case ResourceKind::kAnyAcl:
      return prefix + "acl/*";
  }
  return "*";
}

Result<std::vector<auth::Policy>, ApiError> LoadCallerPolicies(OpServices& services,
                                                               const Principal& principal,
                                                               int64_t now_ms) {
  auth::CredentialCache* cache = services.credentials;
  if (cache != nullptr) {
    if (auto hit = cache->GetPolicies(principal.account_id, principal.user_name, now_ms)) {
      return std::move(*hit);
    }
  }
  auto records = services.store.ListPoliciesForUser(principal.account_id, principal.user_name);
  if (!records) return MakeUnexpected(StoreFailure(records.error()));
  std::vector<auth::Policy> policies;
  for (const auto& rec : *records) {
    auto parsed = auth::ParsePolicy(rec.document);
    if (parsed) policies.push_back(std::move(*parsed));  // validated when created
  }
  if (cache != nullptr) {
    cache->PutPolicies(principal.account_id, principal.user_name, policies, now_ms);
  }
  return policies;
}

Result<std::string, ApiError> CheckCall(OpServices& services, const CallToCheck& call) {
  const OpSpec& op = call.op;
  if (op.operator_only && !call.principal.is_operator) {
    return MakeUnexpected(ApiError(ApiErrorId::kOperatorOnly));
  }
  if (op.test_mode_only && !call.test_mode) {
    return MakeUnexpected(ApiError(ApiErrorId::kTestModeOnly));
  }
  for (const RequiredParam& rp : op.required) {
    if (call.params.Has(rp.name)) continue;
    if (rp.missing_error == ApiErrorId::kMissingParameter) {
      return MakeUnexpected(ApiError::MissingParameter(std::string(rp.name)));
    }
    return MakeUnexpected(ApiError(rp.missing_error));
  }
  std::string region = call.params.Get("RegionId");
  if (!region.empty() && !IsKnownRegion(region)) {
    return MakeUnexpected(ApiError(ApiErrorId::kInvalidRegionId));
  }
  // RAM: the root user may do anything in its account; others need an Allow and no Deny.
  if (!call.principal.is_root) {
    ASSIGN_OR_RETURN(std::vector<auth::Policy> policies,
                     LoadCallerPolicies(services, call.principal, call.now_ms));
    const std::string ram_action =
        std::string(call.product.ram_service) + ":" + std::string(op.action);
    const std::string arn = ResourceArn(op, call.params, region, call.principal.account_id);
    if (auth::Evaluate(policies, ram_action, arn) != auth::Decision::kAllow) {
      return MakeUnexpected(ApiError(ApiErrorId::kForbidden));
    }
  }
  return region;
}

}  // namespace sag::ops
