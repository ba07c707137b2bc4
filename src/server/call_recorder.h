// sagd's gateway observer: counts every answered call in the metrics (requests by API, action and
// code; latency by API and action) and, for a mutating call whose caller was authenticated,
// answers it only once its audit event is written (server/audit_log.h).
#pragma once

#include "api/call_observer.h"
#include "api/metrics.h"
#include "server/audit_log.h"

namespace sag::server {

class CallRecorder : public api::CallObserver {
 public:
  // metrics and audit (null: no audit trail) must outlive the recorder.
  CallRecorder(api::Metrics& metrics, AuditLog* audit);

  void Answered(const api::CallRecord& call, api::HttpResponse response,
                api::Respond respond) override;

 private:
  api::Counter* requests_;
  api::Histogram* latency_;
  AuditLog* audit_;
};

// The audit event of an answered call (smartag or operator API).
store::AuditEventRecord AuditEventOf(const api::CallRecord& call);

}  // namespace sag::server
