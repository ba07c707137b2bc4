// Deterministic faults (operator API CreateFaultRule / ListFaultRules / DeleteFaultRule, sagd
// --test-mode): rules that make chosen calls fail with a chosen error envelope, so that a client's
// retry and error handling can be tested. The gateway asks Match for every authenticated call
// before its operation runs; a matching call is answered with the rule's error and changes
// nothing. Kept in memory, per node. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sag::ops {

// The most rules kept at once.
inline constexpr size_t kMaxFaultRules = 1000;

struct FaultRule {
  std::string rule_id;        // "fr-..." (assigned by FaultRules::Add)
  std::string target_action;  // an action name, or a glob with '*' and '?' (case-sensitive)
  std::string account_id;     // "" matches any caller's account
  std::string smartag_id;     // "" matches any call; else only calls whose SmartAGId is this
  int64_t times = 0;          // the first this many matching calls fail; 0: every one until deleted
  int http_status = 400;
  std::string code;
  std::string message;
  int64_t delay_ms = 0;        // the answer is sent this long after the call arrived
  int64_t retry_after_ms = 0;  // > 0: the answer carries x-acs-retry-after with this value
  int64_t hits = 0;            // matching calls answered by the rule so far
};

// What a call is matched on.
struct FaultCall {
  std::string_view action;
  std::string_view account_id;
  std::string_view smartag_id;  // the call's SmartAGId parameter, or ""
};

class FaultRules {
 public:
  // Adds rule with a new rule_id and no hits; returns that id, or nullopt when kMaxFaultRules
  // rules are kept already.
  std::optional<std::string> Add(FaultRule rule);
  // Every rule, in creation order (exhausted ones too, with hits == times).
  std::vector<FaultRule> List() const;
  // False when no rule has that id.
  bool Remove(std::string_view rule_id);
  // Removes every rule.
  void Clear();
  // The first rule, in creation order, that matches the call and has calls left, with its hit
  // counted (the returned copy includes it); nullopt when none.
  std::optional<FaultRule> Match(const FaultCall& call);

 private:
  mutable std::mutex mu_;
  std::vector<FaultRule> rules_;  // guarded by mu_
};

}  // namespace sag::ops
