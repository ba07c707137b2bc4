#include "ops/auto_upgrade_policy_common.h"

#include <algorithm>

#include "ops/instance_common.h"
#include "ops/store_errors.h"
#include "ops/upgrade_policy.h"
#include "ops/version_common.h"

namespace sag::ops {

Result<store::UpgradePolicyRecord, ApiError> LoadDevicePolicy(const OpContext& ctx) {
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kSagInstanceNoFound));
  const std::string sn = ctx.params.Get("SerialNumber");
  if (std::find(in.serial_numbers.begin(), in.serial_numbers.end(), sn) ==
      in.serial_numbers.end()) {
    return MakeUnexpected(ApiError(ApiErrorId::kSagInvalidSerialNumber));
  }
  const std::string type = NormalizeVersionType(ctx.params.Get("VersionType"));
  if (type.empty()) return MakeUnexpected(ApiError::InvalidParameter("VersionType"));
  auto policy = EffectiveUpgradePolicy(ctx.store(), sn, type, in.id);
  if (!policy) return MakeUnexpected(StoreFailure(policy.error()));
  policy->region_id = in.region_id;
  return std::move(*policy);
}

}  // namespace sag::ops
