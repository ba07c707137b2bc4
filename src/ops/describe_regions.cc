// DescribeRegions: the regions this server serves, named in AcceptLanguage (zh-CN default).
#include "ops/op.h"
#include "ops/regions.h"

namespace sag::ops {

namespace {

OpResult DescribeRegions(OpContext& ctx) {
  std::string lang = ctx.params.Get("AcceptLanguage");
  if (lang.empty()) lang = "zh-CN";
  if (lang != "zh-CN" && lang != "en-US" && lang != "ja") {
    return MakeUnexpected(ApiError::InvalidParameter("AcceptLanguage"));
  }
  boost::json::array regions;
  for (const RegionInfo& r : AllRegions()) {
    std::string_view local = lang == "en-US" ? r.name_en : lang == "ja" ? r.name_ja : r.name_zh;
    regions.push_back(boost::json::object{
        {"RegionId", r.id},
        {"LocalName", local},
        {"RegionEndpoint", "smartag." + std::string(r.id) + ".aliyuncs.com"},
    });
  }
  return boost::json::object{{"Regions", boost::json::object{{"Region", std::move(regions)}}}};
}

}  // namespace

extern const OpSpec kDescribeRegionsSpec{.action = "DescribeRegions", .handler = &DescribeRegions};

}  // namespace sag::ops
