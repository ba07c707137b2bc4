#include "server/call_recorder.h"

#include <array>
#include <memory>
#include <utility>

#include "store/audit_store.h"

namespace sag::server {

namespace {

// The bounds of the latency histogram, in seconds.
constexpr std::array kLatencyBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                       0.25,  0.5,    1.0,   2.5,  5.0,   10.0, 30.0};

// An action label the caller cannot choose freely: unknown actions share one series.
std::string ActionLabel(const api::CallRecord& call) {
  return call.action.empty() ? std::string("(unknown)") : call.action;
}

}  // namespace

CallRecorder::CallRecorder(api::Metrics& metrics, AuditLog* audit)
    : requests_(metrics.AddCounter("sag_api_requests_total",
                                   "API calls answered, by API, action and result code.",
                                   {"api", "action", "code"})),
      latency_(metrics.AddHistogram(
          "sag_api_request_duration_seconds",
          "Time from a call's arrival to its answer, by API and action.", {"api", "action"},
          std::vector<double>(kLatencyBounds.begin(), kLatencyBounds.end()))),
      audit_(audit) {}

store::AuditEventRecord AuditEventOf(const api::CallRecord& call) {
  return store::AuditEventRecord{
      .event_ms = call.end_ms,
      .account_id = call.account_id,
      .user_name = call.user_name,
      .access_key_id = call.access_key_id,
      .source_address = call.source_address,
      .event_source = std::string(call.api == "opensag" ? store::kAuditSourceOperator
                                                        : store::kAuditSourceSmartag),
      .action = call.action,
      .resource_arn = call.resource_arn,
      .request_id = call.request_id,
      .result_code = call.code,
      .http_status = call.http_status,
      .detail = ""};
}

void CallRecorder::Answered(const api::CallRecord& call, api::HttpResponse response,
                            api::Respond respond) {
  const std::string api = call.api.empty() ? std::string("(unknown)") : call.api;
  const std::string action = ActionLabel(call);
  requests_->Add({api, action, call.code});
  latency_->Observe({api, action}, call.seconds);
  if (audit_ == nullptr || !call.changes_state || call.account_id.empty()) {
    return respond(std::move(response));
  }
  auto held = std::make_shared<api::HttpResponse>(std::move(response));
  audit_->Record(AuditEventOf(call),
                 [held, respond = std::move(respond)] { respond(std::move(*held)); });
}

}  // namespace sag::server
