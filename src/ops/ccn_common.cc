#include "ops/ccn_common.h"

#include "ops/instance_common.h"
#include "ops/store_errors.h"
#include "ops/validation.h"

namespace sag::ops {

Result<std::string, ApiError> NormalizedCcnCidrs(const std::string& text, ApiErrorId invalid) {
  auto cidrs = ParseCidrList(text);
  if (!cidrs) return MakeUnexpected(ApiError(invalid));
  if (cidrs->size() > kCcnCidrLimit) {
    return MakeUnexpected(ApiError(ApiErrorId::kCcnCidrAmountLimit));
  }
  std::string out;
  for (const auto& c : *cidrs) out += (out.empty() ? "" : ",") + c.ToString();
  return out;
}

Result<store::CcnRecord, ApiError> LoadCcn(const OpContext& ctx, std::string_view region,
                                           std::string_view id) {
  auto r = ctx.store().GetCcn(ctx.principal.account_id, region, id);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidIdCcn));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return std::move(r).value();
}

boost::json::object CcnJson(const store::CcnRecord& c) {
  return boost::json::object{
      {"CcnId", c.id},
      {"Name", c.name},
      {"Description", c.description},
      {"CidrBlock", c.cidr_block},
      {"SnatCidrBlock", ""},
      {"InterworkingStatus", c.interworking_status},
      {"IsDefault", c.is_default},
      {"CreateTime", c.create_ms},
      {"ResourceGroupId", DefaultResourceGroup(c.account_id)},
      {"AssociatedCloudBoxCount", std::to_string(c.instance_count)},
      {"AvailableCloudBoxCount", std::to_string(c.instance_count)},
      {"AssociatedCenId", ""},
      {"AssociatedCenOwnerId", ""},
      {"AssociatedCenStatus", ""},
      {"CenStatusErrorCode", ""},
      {"CenStatusErrorMessage", ""},
      {"ProcessingCenId", ""},
      {"NewAgw", false},
      {"Subnet", ""},
      {"Tags", boost::json::object{{"Tag", boost::json::array()}}},
  };
}

}  // namespace sag::ops
