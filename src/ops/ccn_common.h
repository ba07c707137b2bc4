// What the CCN operations share: limits, CIDR normalisation, loading a CCN with the documented
// not-found code, and the wire view of a CCN.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/api_error.h"
#include "common/result.h"
#include "ops/op.h"
#include "store/store.h"

namespace sag::ops {

// Region of a CCN created without RegionId (CCN lives in cn-shanghai).
inline constexpr std::string_view kDefaultCcnRegion = "cn-shanghai";
// CCNs one account may hold in one region (CcnAmountLimit past it).
inline constexpr int64_t kCcnLimitPerRegion = 20;
// CIDR blocks one CCN may list (CCN.CidrAmountLimit past it).
inline constexpr size_t kCcnCidrLimit = 5;

// Parses a comma-separated CIDR list and returns it normalised ("a/n,b/m"); a malformed list is
// `invalid`, more than kCcnCidrLimit blocks CCN.CidrAmountLimit.
Result<std::string, ApiError> NormalizedCcnCidrs(const std::string& text, ApiErrorId invalid);

// Loads the caller's CCN; missing, foreign or in another region (when region is set) is
// InvalidId.CCN.
Result<store::CcnRecord, ApiError> LoadCcn(const OpContext& ctx, std::string_view region,
                                           std::string_view id);

// One element of DescribeCloudConnectNetworks' CloudConnectNetwork[] list.
boost::json::object CcnJson(const store::CcnRecord& ccn);

}  // namespace sag::ops
