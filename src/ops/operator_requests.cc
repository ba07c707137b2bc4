// Operator API: the request journal (ListRequests, GetRequest; operator only, not test-only): what
// this node received and answered, with the parameters no part of the server read.
#include "common/time_format.h"
#include "ops/op.h"

namespace sag::ops {
namespace {

boost::json::object RequestJson(const JournalEntry& e) {
  boost::json::array parameters;
  for (const auto& [name, value] : e.parameters) {
    parameters.push_back(boost::json::object{{"Name", name}, {"Value", value}});
  }
  boost::json::array unread;
  for (const std::string& name : e.unread_parameters) unread.push_back(boost::json::value(name));
  return boost::json::object{
      {"RequestId", e.request_id},
      {"Time", FormatIso8601Utc(e.time_ms)},
      {"TimeMs", e.time_ms},
      {"Action", e.action},
      {"Version", e.version},
      {"AccountId", e.account_id},
      {"UserName", e.user_name},
      {"AccessKeyId", e.access_key_id},
      {"HttpStatus", e.http_status},
      {"Code", e.code},
      {"Message", e.message},
      {"LatencyUs", e.latency_us},
      {"FaultRuleId", e.fault_rule_id},
      {"Parameters", boost::json::object{{"Parameter", std::move(parameters)}}},
      {"ParametersTruncated", e.parameters_truncated},
      {"UnreadParameters", boost::json::object{{"UnreadParameter", std::move(unread)}}}};
}

OpResult ListRequests(OpContext& ctx) {
  const Params& p = ctx.params;
  JournalFilter filter;
  filter.target_action = p.Get("TargetAction");
  filter.account_id = p.Get("AccountId");
  filter.code = p.Get("Code");
  ASSIGN_OR_RETURN(int64_t max_results, p.GetInt("MaxResults", 100, 1, 1000));
  filter.max_results = static_cast<size_t>(max_results);
  boost::json::array items;
  if (ctx.services.journal != nullptr) {
    for (const JournalEntry& e : ctx.services.journal->List(filter)) {
      items.push_back(RequestJson(e));
    }
  }
  boost::json::object body{{"Requests", boost::json::object{{"Request", std::move(items)}}}};
  body["JournalSize"] =
      ctx.services.journal == nullptr ? 0 : static_cast<int64_t>(ctx.services.journal->capacity());
  return body;
}

OpResult GetRequest(OpContext& ctx) {
  std::optional<JournalEntry> entry;
  if (ctx.services.journal != nullptr) {
    entry = ctx.services.journal->Get(ctx.params.Get("RequestId"));
  }
  if (!entry) return MakeUnexpected(ApiError(ApiErrorId::kEntityNotExist, {"request"}));
  return boost::json::object{{"Request", RequestJson(*entry)}};
}

}  // namespace

extern const OpSpec kListRequestsSpec{
    .action = "ListRequests", .handler = &ListRequests, .operator_only = true};

extern const OpSpec kGetRequestSpec{.action = "GetRequest",
                                    .handler = &GetRequest,
                                    .required = {{"RequestId"}},
                                    .operator_only = true};

}  // namespace sag::ops
