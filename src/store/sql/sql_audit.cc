// SqlStore: the audit trail (store/audit_store.h). Events are appended in batches by one writer
// per node (ops/audit_log.h); seq, assigned by the database, orders them.
#include <algorithm>

#include "store/sql/queries.h"
#include "store/sql/sql_store.h"

namespace sag::store {

namespace {

using sql::Connection;
using sql::Rows;
using sql::Statement;
using sql::Txn;

constexpr std::string_view kAuditColumns =
    "seq, event_ms, account_id, user_name, access_key_id, source_address, event_source, action, "
    "resource_arn, request_id, result_code, http_status, detail";

AuditEventRecord ReadEvent(const Rows& r, int i) {
  return AuditEventRecord{.seq = r.Int(i, 0),
                          .event_ms = r.Int(i, 1),
                          .account_id = r.Text(i, 2),
                          .user_name = r.Text(i, 3),
                          .access_key_id = r.Text(i, 4),
                          .source_address = r.Text(i, 5),
                          .event_source = r.Text(i, 6),
                          .action = r.Text(i, 7),
                          .resource_arn = r.Text(i, 8),
                          .request_id = r.Text(i, 9),
                          .result_code = r.Text(i, 10),
                          .http_status = r.Int(i, 11),
                          .detail = r.Text(i, 12)};
}

}  // namespace

StoreResult<void> SqlStore::AppendAuditEvents(const std::vector<AuditEventRecord>& events) {
  if (events.empty()) return {};
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    static const Statement kInsert(
        "INSERT INTO audit_events (event_ms, account_id, user_name, access_key_id, "
        "source_address, event_source, action, resource_arn, request_id, result_code, "
        "http_status, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    for (const AuditEventRecord& e : events) {
      RETURN_IF_ERROR(sql::Exec(
          conn, kInsert,
          {e.event_ms, e.account_id, e.user_name, e.access_key_id, e.source_address, e.event_source,
           e.action, e.resource_arn, e.request_id, e.result_code, e.http_status, e.detail}));
    }
    return {};
  });
}

StoreResult<AuditPage> SqlStore::LookupAuditEvents(const AuditQuery& query) {
  const int64_t limit = std::max<int64_t>(0, query.limit);
  sql::Where where("seq > $?", int64_t{0});
  if (query.before_seq > 0) where.And("seq < $?", query.before_seq);
  if (!query.account_id.empty()) where.And("account_id = $?", query.account_id);
  if (query.start_ms > 0) where.And("event_ms >= $?", query.start_ms);
  if (query.end_ms > 0) where.And("event_ms <= $?", query.end_ms);
  if (!query.action.empty()) where.And("action = $?", query.action);
  if (!query.resource_arn.empty()) where.And("resource_arn = $?", query.resource_arn);
  if (!query.user_name.empty()) where.And("user_name = $?", query.user_name);
  const std::string limit_at = where.Next(limit + 1);  // one more tells whether a page follows
  const std::string text = "SELECT " + std::string(kAuditColumns) + " FROM audit_events" +
                           where.text() + " ORDER BY seq DESC LIMIT " + limit_at;
  return Transact(Txn::kReadOne, [&](Connection& conn) -> StoreResult<AuditPage> {
    ASSIGN_OR_RETURN(Rows rows, conn.RunOnce(text, where.values()));
    AuditPage page;
    for (int i = 0; i < rows.size() && static_cast<int64_t>(i) < limit; ++i) {
      page.events.push_back(ReadEvent(rows, i));
    }
    if (rows.size() > limit && !page.events.empty()) page.next_before_seq = page.events.back().seq;
    return page;
  });
}

StoreResult<int64_t> SqlStore::PurgeAuditEvents(int64_t before_ms, int64_t limit) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<int64_t> {
    static const Statement kPurge(
        "DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_events WHERE event_ms < $1 "
        "ORDER BY event_ms, seq LIMIT $2)");
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kPurge, {before_ms, std::max<int64_t>(0, limit)}));
    return rows.affected();
  });
}

}  // namespace sag::store
