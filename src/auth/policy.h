// RAM policies in Alibaba Cloud's policy JSON syntax, and their evaluation.
//   {"Version":"1","Statement":[{"Effect":"Allow"|"Deny","Action":"smartag:Describe*"|[...],
//                                "Resource":"acs:smartag:*:*:smartag/sag-x"|[...]}]}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sag::auth {

// One statement: its effect and its Action / Resource patterns ('*' and '?' wildcards).
struct PolicyStatement {
  bool allow = false;
  std::vector<std::string> actions;
  std::vector<std::string> resources;
};

// A parsed policy document.
struct Policy {
  std::vector<PolicyStatement> statements;
};

// Parses a policy document. Errors (returned as a human-readable reason): not JSON, no Statement,
// an Effect other than Allow/Deny, a missing or empty Action or Resource, a value that is neither a
// string nor an array of strings, or an element this evaluator cannot honour (Condition, NotAction,
// NotResource, Principal) — refusing those is safer than ignoring them.
Result<Policy, std::string> ParsePolicy(std::string_view document);

// The outcome of evaluating policies for one request.
enum class Decision { kAllow, kExplicitDeny, kImplicitDeny };

// A statement applies when one of its actions matches action (case-insensitively) and one of its
// resources matches resource (case-sensitively). Any applying Deny wins; otherwise any applying
// Allow allows; otherwise the request is implicitly denied.
Decision Evaluate(const std::vector<Policy>& policies, std::string_view action,
                  std::string_view resource);

// Glob match: '*' matches any run of characters (including none), '?' exactly one.
bool WildcardMatch(std::string_view pattern, std::string_view text, bool case_insensitive);

}  // namespace sag::auth
