#include "ops/fault_rules.h"

#include <algorithm>

#include "auth/policy.h"
#include "common/ids.h"

namespace sag::ops {

std::optional<std::string> FaultRules::Add(FaultRule rule) {
  rule.rule_id = NewResourceId("fr");
  rule.hits = 0;
  std::lock_guard lock(mu_);
  if (rules_.size() >= kMaxFaultRules) return std::nullopt;
  rules_.push_back(rule);
  return rule.rule_id;
}

std::vector<FaultRule> FaultRules::List() const {
  std::lock_guard lock(mu_);
  return rules_;
}

bool FaultRules::Remove(std::string_view rule_id) {
  std::lock_guard lock(mu_);
  return std::erase_if(rules_, [&](const FaultRule& r) { return r.rule_id == rule_id; }) > 0;
}

void FaultRules::Clear() {
  std::lock_guard lock(mu_);
  rules_.clear();
}

std::optional<FaultRule> FaultRules::Match(const FaultCall& call) {
  std::lock_guard lock(mu_);
  for (FaultRule& r : rules_) {
    if (r.times != 0 && r.hits >= r.times) continue;
    if (!r.account_id.empty() && r.account_id != call.account_id) continue;
    if (!r.smartag_id.empty() && r.smartag_id != call.smartag_id) continue;
    if (!auth::WildcardMatch(r.target_action, call.action, /*case_insensitive=*/false)) continue;
    ++r.hits;
    return r;
  }
  return std::nullopt;
}

}  // namespace sag::ops
