// The checks a call passes once its caller is known, in the order the gateway runs them: who may
// call the operation (operator only, test mode only), its required parameters, the region, then
// RAM. The gateway runs them after authenticating the request; tests/ops runs the same function,
// so that a unit test reaches an operation exactly as a signed request does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/policy.h"
#include "common/api_error.h"
#include "common/result.h"
#include "ops/op.h"

namespace sag::ops {

// One call, as far as the checks need it.
struct CallToCheck {
  const ApiProduct& product;
  const OpSpec& op;
  const Principal& principal;
  const Params& params;
  bool test_mode = false;  // sagd --test-mode: the test-only operator actions exist
  int64_t now_ms = 0;      // for the credential cache's freshness
};

// Checks call and returns its region (the RegionId parameter, "" when absent). Errors, the first
// failing check deciding: Forbidden.OperatorOnly (an operator-only action, another account) →
// Forbidden.TestModeOnly (a test-only action without test mode) → each required parameter in the
// spec's order, when absent: the error its spec names (MissingParameter naming it by default) →
// InvalidRegionID (a RegionId that is no known region) → Forbidden (a RAM user whose policies do
// not allow the action on its resource; the account's root user skips RAM). Store failures while
// reading policies map as ops/store_errors.h does.
Result<std::string, ApiError> CheckCall(OpServices& services, const CallToCheck& call);

// The RAM resource a call acts on (ops/op.h ResourceKind), e.g.
// "acs:smartag:cn-shanghai:<account>:smartag/sag-x"; "*" for kAll.
std::string ResourceArn(const OpSpec& op, const Params& params, const std::string& region,
                        const std::string& account_id);

// The parsed policies attached to a RAM user, from services.credentials when it holds them fresh,
// else from the store (and then cached).
Result<std::vector<auth::Policy>, ApiError> LoadCallerPolicies(OpServices& services,
                                                               const Principal& principal,
                                                               int64_t now_ms);

}  // namespace sag::ops
