#include "ops/flow_log_common.h"

#include <charconv>
#include <optional>
#include <string>
#include <system_error>

#include "ops/regions.h"
#include "ops/store_errors.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

// A decimal integer in [min, max], or nullopt.
std::optional<int64_t> IntIn(std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v < min || v > max) return std::nullopt;
  return v;
}

// Sets *out from the parameter when it is present and non-empty; `invalid` when it fails `parse`.
template <typename T, typename Parse>
Result<bool, ApiError> ReadSetting(const Params& p, std::string_view name, ApiErrorId invalid,
                                   Parse parse, T* out) {
  const std::string text = p.Get(name);
  if (text.empty()) return false;
  std::optional<T> v = parse(text);
  if (!v) return MakeUnexpected(ApiError(invalid));
  *out = std::move(*v);
  return true;
}

}  // namespace

Result<store::FlowLogRecord, ApiError> ApplyFlowLogSettings(const Params& p,
                                                            store::FlowLogRecord f) {
  if (p.Has("Name")) f.name = p.Get("Name");
  if (p.Has("Description")) f.description = p.Get("Description");
  RETURN_IF_ERROR(ReadSetting(
      p, "ActiveAging", ApiErrorId::kIllegalParamActiveAging,
      [](const std::string& t) { return IntIn(t, 60, 6000); }, &f.active_aging));
  RETURN_IF_ERROR(ReadSetting(
      p, "InactiveAging", ApiErrorId::kIllegalParamInactiveAging,
      [](const std::string& t) { return IntIn(t, 10, 600); }, &f.inactive_aging));
  RETURN_IF_ERROR(ReadSetting(
      p, "OutputType", ApiErrorId::kIllegalParamOutputType,
      [](const std::string& t) -> std::optional<std::string> {
        if (t == "sls" || t == "netflow" || t == "all") return t;
        return std::nullopt;
      },
      &f.output_type));
  RETURN_IF_ERROR(ReadSetting(
      p, "SlsRegionId", ApiErrorId::kIllegalParamSlsRegionId,
      [](const std::string& t) -> std::optional<std::string> {
        if (IsKnownRegion(t)) return t;
        return std::nullopt;
      },
      &f.sls_region_id));
  if (p.Has("ProjectName")) f.project_name = p.Get("ProjectName");
  if (p.Has("LogstoreName")) f.logstore_name = p.Get("LogstoreName");
  RETURN_IF_ERROR(ReadSetting(
      p, "NetflowServerIp", ApiErrorId::kIllegalParamNetflowServerIp,
      [](const std::string& t) -> std::optional<std::string> {
        if (ParseIpv4(t)) return t;
        return std::nullopt;
      },
      &f.netflow_server_ip));
  RETURN_IF_ERROR(ReadSetting(
      p, "NetflowServerPort", ApiErrorId::kIllegalParamNetflowServerPort,
      [](const std::string& t) { return IntIn(t, 1, 65535); }, &f.netflow_server_port));
  RETURN_IF_ERROR(ReadSetting(
      p, "NetflowVersion", ApiErrorId::kIllegalParamNetflowVersion,
      [](const std::string& t) -> std::optional<std::string> {
        if (t == "V5" || t == "V9" || t == "V10") return t;
        return std::nullopt;
      },
      &f.netflow_version));

  if (f.output_type.empty()) return MakeUnexpected(ApiError(ApiErrorId::kIllegalParamOutputType));
  if (f.output_type == "sls" || f.output_type == "all") {
    if (f.sls_region_id.empty())
      return MakeUnexpected(ApiError(ApiErrorId::kMissingParamSlsRegionId));
    if (f.project_name.empty())
      return MakeUnexpected(ApiError(ApiErrorId::kMissingParamProjectName));
    if (f.logstore_name.empty()) {
      return MakeUnexpected(ApiError(ApiErrorId::kMissingParamLogstoreName));
    }
  }
  if ((f.output_type == "netflow" || f.output_type == "all") && f.netflow_server_ip.empty()) {
    return MakeUnexpected(ApiError(ApiErrorId::kMissingParamNetflowServerIp));
  }
  return f;
}

Result<store::FlowLogRecord, ApiError> LoadFlowLog(const OpContext& ctx, std::string_view id) {
  auto r = ctx.store().GetFlowLog(ctx.principal.account_id, ctx.region_id, id);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kInvalidFlowLogIdNotFound));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return std::move(r).value();
}

boost::json::object FlowLogJson(const store::FlowLogRecord& f) {
  return boost::json::object{{"FlowLogId", f.id},
                             {"Name", f.name},
                             {"Description", f.description},
                             {"ActiveAging", f.active_aging},
                             {"InactiveAging", f.inactive_aging},
                             {"OutputType", f.output_type},
                             {"SlsRegionId", f.sls_region_id},
                             {"ProjectName", f.project_name},
                             {"LogstoreName", f.logstore_name},
                             {"NetflowServerIp", f.netflow_server_ip},
                             {"NetflowServerPort", std::to_string(f.netflow_server_port)},
                             {"NetflowVersion", f.netflow_version},
                             {"Status", f.status},
                             {"TotalSagNum", f.total_sag_num},
                             {"ResourceGroupId", f.resource_group_id}};
}

}  // namespace sag::ops
