// Operator API, test mode: deterministic faults (CreateFaultRule, ListFaultRules, DeleteFaultRule;
// the rules themselves are ops/fault_rules.h, applied by the gateway) and DisconnectDevice, which
// ends a device's session from the server side.
#include <cctype>

#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {
namespace {

// The longest TargetAction, Code and id parameters, in characters.
constexpr size_t kMaxNameCharacters = 128;

// 1-128 characters of letters, digits and extra.
bool IsName(std::string_view text, std::string_view extra) {
  if (text.empty() || text.size() > kMaxNameCharacters) return false;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 &&
        extra.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

boost::json::object RuleJson(const FaultRule& r) {
  return boost::json::object{{"RuleId", r.rule_id},
                             {"TargetAction", r.target_action},
                             {"AccountId", r.account_id},
                             {"SmartAGId", r.smartag_id},
                             {"Times", r.times},
                             {"Hits", r.hits},
                             {"HttpStatus", r.http_status},
                             {"Code", r.code},
                             {"Message", r.message},
                             {"DelayMs", r.delay_ms},
                             {"RetryAfterMs", r.retry_after_ms}};
}

OpResult CreateFaultRule(OpContext& ctx) {
  const Params& p = ctx.params;
  FaultRule rule;
  rule.target_action = p.Get("TargetAction");
  if (!IsName(rule.target_action, "*?")) {
    return MakeUnexpected(ApiError::InvalidParameter("TargetAction"));
  }
  rule.account_id = p.Get("AccountId");
  if (!rule.account_id.empty() && !IsName(rule.account_id, "-_.")) {
    return MakeUnexpected(ApiError::InvalidParameter("AccountId"));
  }
  rule.smartag_id = p.Get("SmartAGId");
  if (!rule.smartag_id.empty() && !IsName(rule.smartag_id, "-_")) {
    return MakeUnexpected(ApiError::InvalidParameter("SmartAGId"));
  }
  ASSIGN_OR_RETURN(rule.times, p.GetInt("Times", 0, 0, 1'000'000'000));
  ASSIGN_OR_RETURN(int64_t status, p.GetInt("HttpStatus", 400, 400, 599));
  rule.http_status = static_cast<int>(status);
  rule.code = p.Get("Code");
  if (!IsName(rule.code, ".-_:")) return MakeUnexpected(ApiError::InvalidParameter("Code"));
  rule.message = p.Has("Message") ? p.Get("Message") : "The request failed (fault rule).";
  ASSIGN_OR_RETURN(rule.delay_ms, p.GetInt("DelayMs", 0, 0, 60'000));
  ASSIGN_OR_RETURN(rule.retry_after_ms, p.GetInt("RetryAfterMs", 0, 0, 3'600'000));
  if (ctx.services.faults == nullptr) return MakeUnexpected(ApiError(ApiErrorId::kTestModeOnly));
  std::optional<std::string> id = ctx.services.faults->Add(std::move(rule));
  if (!id) return MakeUnexpected(ApiError(ApiErrorId::kFaultRuleQuotaExceeded));
  return boost::json::object{{"RuleId", *id}};
}

OpResult ListFaultRules(OpContext& ctx) {
  boost::json::array items;
  if (ctx.services.faults != nullptr) {
    for (const FaultRule& r : ctx.services.faults->List()) items.push_back(RuleJson(r));
  }
  return boost::json::object{{"FaultRules", boost::json::object{{"FaultRule", std::move(items)}}}};
}

OpResult DeleteFaultRule(OpContext& ctx) {
  if (ctx.services.faults == nullptr || !ctx.services.faults->Remove(ctx.params.Get("RuleId"))) {
    return MakeUnexpected(ApiError(ApiErrorId::kEntityNotExist, {"fault rule"}));
  }
  return boost::json::object{};
}

OpResult DisconnectDevice(OpContext& ctx) {
  const std::string serial_number = ctx.params.Get("SerialNumber");
  auto device = ctx.store().GetDevice(serial_number);
  if (!device) return MakeUnexpected(EntityError(device.error(), "device"));
  bool was_online = false;
  if (ctx.services.devices != nullptr) {
    was_online = ctx.services.devices->IsOnline(serial_number);
    ctx.services.devices->Disconnect(serial_number);
  }
  return boost::json::object{{"SerialNumber", serial_number}, {"WasOnline", was_online}};
}

}  // namespace

extern const OpSpec kCreateFaultRuleSpec{.action = "CreateFaultRule",
                                         .handler = &CreateFaultRule,
                                         .required = {{"TargetAction"}, {"Code"}},
                                         .operator_only = true,
                                         .test_mode_only = true};

extern const OpSpec kListFaultRulesSpec{.action = "ListFaultRules",
                                        .handler = &ListFaultRules,
                                        .operator_only = true,
                                        .test_mode_only = true};

extern const OpSpec kDeleteFaultRuleSpec{.action = "DeleteFaultRule",
                                         .handler = &DeleteFaultRule,
                                         .required = {{"RuleId"}},
                                         .operator_only = true,
                                         .test_mode_only = true};

extern const OpSpec kDisconnectDeviceSpec{.action = "DisconnectDevice",
                                          .handler = &DisconnectDevice,
                                          .required = {{"SerialNumber"}},
                                          .operator_only = true,
                                          .test_mode_only = true};

}  // namespace sag::ops
