// The audit trail (docs/operator-api.md "Audit trail"): one record per mutating API call and per
// change a device reported applied, kept durably for the retention sagd is given and read back
// with LookupEvents. Part of store::Store. Records carry no parameter values, so no secret or
// password can reach them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sag::store {

struct StoreError;  // store.h

// Where an event came from.
inline constexpr std::string_view kAuditSourceSmartag = "smartag";   // the smartag API
inline constexpr std::string_view kAuditSourceOperator = "opensag";  // the operator API
inline constexpr std::string_view kAuditSourceDevice = "device";     // the device channel

// One event. seq is assigned by the store when the event is appended: it grows with every append
// (across nodes too: the database assigns it), so it orders events as they were recorded.
struct AuditEventRecord {
  int64_t seq = 0;
  int64_t event_ms = 0;        // when the call ended (or the device's report arrived), real time
  std::string account_id;      // whose event: the caller's account, or the device's account
  std::string user_name;       // "root", a RAM user's name, or "" for a device
  std::string access_key_id;   // the caller's AccessKeyId; "" for a device
  std::string source_address;  // the peer's IP address
  std::string event_source;    // one of the kAuditSource* values
  std::string action;          // e.g. ModifySmartAccessGateway; DeviceApplied for a device report
  std::string resource_arn;    // acs:smartag:{region}:{account}:smartag/{id}, ... or "*"
  std::string request_id;      // the call's RequestId; a device's session id
  std::string result_code;     // "Success" or the error Code; for a device ok | failed | reverted
  int64_t http_status = 0;     // 0 for a device report
  std::string detail;          // a device report: facet, generation, its detail text (short)
};

// What LookupAuditEvents selects. Empty strings and zero times do not filter.
struct AuditQuery {
  std::string account_id;  // only this account's events ("" = every account: the operator)
  int64_t start_ms = 0;    // event_ms >= start_ms
  int64_t end_ms = 0;      // event_ms <= end_ms
  std::string action;
  std::string resource_arn;
  std::string user_name;
  int64_t before_seq = 0;  // only events with seq < before_seq (0 = from the newest): paging
  int64_t limit = 50;
};

// A page of events, newest first (seq descending). next_before_seq is the before_seq of the next
// page, 0 when this page is the last.
struct AuditPage {
  std::vector<AuditEventRecord> events;
  int64_t next_before_seq = 0;
};

// The audit methods of the store (each one atomic transaction, like every Store method).
class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Appends events in one durable transaction, in the order given (their seq grows in that
  // order). Empty: nothing.
  virtual Result<void, StoreError> AppendAuditEvents(
      const std::vector<AuditEventRecord>& events) = 0;
  // The events query selects, newest first, at most query.limit (negative counts as 0).
  virtual Result<AuditPage, StoreError> LookupAuditEvents(const AuditQuery& query) = 0;
  // Deletes the events older than before_ms (event_ms < before_ms), oldest first, at most limit;
  // returns how many it deleted.
  virtual Result<int64_t, StoreError> PurgeAuditEvents(int64_t before_ms, int64_t limit) = 0;
};

}  // namespace sag::store
