// Operator API LookupEvents: the audit trail (docs/operator-api.md "Audit trail"), newest first,
// filtered by time, action, resource ARN and user, in pages of MaxResults with an opaque
// NextToken. An account sees its own events; the operator account sees every account's.
#include <limits>

#include "common/time_format.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {
namespace {

constexpr int64_t kMaxResults = 50;

Result<int64_t, ApiError> ReadTime(const Params& params, std::string_view name) {
  const std::string text = params.Get(name);
  if (text.empty()) return 0;
  auto ms = ParseIso8601Utc(text);
  if (!ms || *ms <= 0) return MakeUnexpected(ApiError::InvalidParameter(std::string(name)));
  return *ms;
}

boost::json::object EventJson(const store::AuditEventRecord& e) {
  return boost::json::object{{"EventId", std::to_string(e.seq)},
                             {"EventTime", FormatIso8601Utc(e.event_ms)},
                             {"EventSource", e.event_source},
                             {"EventName", e.action},
                             {"AccountId", e.account_id},
                             {"UserName", e.user_name},
                             {"AccessKeyId", e.access_key_id},
                             {"SourceIpAddress", e.source_address},
                             {"ResourceArn", e.resource_arn},
                             {"RequestId", e.request_id},
                             {"ResultCode", e.result_code},
                             {"HttpStatus", e.http_status},
                             {"Detail", e.detail}};
}

OpResult LookupEvents(OpContext& ctx) {
  store::AuditQuery query;
  if (!ctx.principal.is_operator) query.account_id = ctx.principal.account_id;
  ASSIGN_OR_RETURN(query.start_ms, ReadTime(ctx.params, "StartTime"));
  ASSIGN_OR_RETURN(query.end_ms, ReadTime(ctx.params, "EndTime"));
  if (query.start_ms > 0 && query.end_ms > 0 && query.end_ms < query.start_ms) {
    return MakeUnexpected(ApiError::InvalidParameter("EndTime"));
  }
  query.action = ctx.params.Get("ActionName");
  query.resource_arn = ctx.params.Get("ResourceArn");
  query.user_name = ctx.params.Get("UserName");
  ASSIGN_OR_RETURN(query.limit, ctx.params.GetInt("MaxResults", kMaxResults, 1, kMaxResults));
  ASSIGN_OR_RETURN(std::optional<int64_t> token,
                   ctx.params.GetOptionalInt("NextToken", 1, std::numeric_limits<int64_t>::max()));
  query.before_seq = token.value_or(0);
  auto page = ctx.store().LookupAuditEvents(query);
  if (!page) return MakeUnexpected(StoreFailure(page.error()));
  boost::json::array events;
  for (const auto& e : page->events) events.push_back(EventJson(e));
  boost::json::object body{{"Events", std::move(events)}};
  if (page->next_before_seq > 0) body["NextToken"] = std::to_string(page->next_before_seq);
  return body;
}

}  // namespace

extern const OpSpec kLookupEventsSpec{.action = "LookupEvents", .handler = &LookupEvents};

}  // namespace sag::ops
