// What the ACL operations (CreateACL ... GetAclAttribute) share: their limits, the checks of rule
// fields, the wire shape of ACLs and rules, and the `acl` configuration facet.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/api_error.h"
#include "common/result.h"
#include "ops/config_facets.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "store/store.h"

namespace sag::ops {

inline constexpr int64_t kAclsPerRegion = 10;  // per account in each region
inline constexpr int64_t kRulesPerAcl = 50;
inline constexpr int64_t kAclPageDefault = 10;
inline constexpr int64_t kAclPageMax = 50;

// The `acl` facet: the rule set of the ACL associated with the device's instance, in evaluation
// order (docs/device-protocol.md "acl").
extern const ConfigFacetKind kAclFacet;

// Renders the acl facet value of an ACL's rules (already in evaluation order); acl_id "" and no
// rules for an instance without an ACL.
std::string AclFacetValue(std::string_view acl_id, const std::vector<store::AclRuleRecord>& rules);

// Recomputes the acl facet of the instances' devices and pushes it (RefreshConfigFacet).
Result<void, ApiError> DeliverAcl(OpContext& ctx, const std::vector<std::string>& instance_ids);

// Applies the rule fields present in params onto rule, checking each (every field when
// all_required: AddACLRule's required ones must be present, the gateway checked that). Errors:
// InvalidParameter (direction, policy, type, priority, CIDRs, DPI lists), NotSupportedProtocol,
// InvalidPortRange, InvalidName, InvalidDescription, all as the ACL family answers them.
Result<void, ApiError> ApplyRuleParams(const Params& params, store::AclRuleRecord& rule);

// The rule as AddACLRule, ModifyACLRule and DescribeACLAttribute return it (acl_type "" leaves
// AclType out).
boost::json::object RuleJson(const store::AclRuleRecord& rule, std::string_view acl_type = {});

// The caller's ACL (in the call's region); InvalidId.ACL when it is missing or another account's.
Result<store::AclRecord, ApiError> LoadAcl(const OpContext& ctx, std::string_view acl_id);

// For each of the caller's instances that has one, the ACL it is associated with.
Result<std::map<std::string, std::string>, ApiError> AclsOfInstances(
    const OpContext& ctx, const std::vector<std::string>& instance_ids);

// The non-empty items of a comma-separated list, spaces around them trimmed.
std::vector<std::string> SplitCommaList(std::string_view text);

// The page of an ACL list (PageNumber, PageSize 1-50, default 10); InvalidParameter otherwise.
Result<Page, ApiError> ReadAclPage(const Params& params);

}  // namespace sag::ops
