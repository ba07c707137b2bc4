// SqlStore: flow logs and their instances (store/flow_log_store.h).
//
// Creation counts the account's flow logs and inserts in one write transaction: on SQLite writers
// run one at a time, so the quota holds exactly; on PostgreSQL (READ COMMITTED) two nodes creating
// at the same moment may each see the other's row missing and pass the quota by one each, which a
// quota of our own choosing tolerates (docs/semantics.md). A link locks the instance row and
// share-locks the flow log, and DeleteFlowLog locks the flow log exclusively before counting its
// instances, so a flow log is never deleted with an instance associated.
#include <algorithm>

#include "store/grant_decisions.h"
#include "store/sql/queries.h"
#include "store/sql/records.h"
#include "store/sql/sql_store.h"

namespace sag::store {

namespace {

using sql::Connection;
using sql::Rows;
using sql::Statement;
using sql::Txn;
using sql::Value;

constexpr std::string_view kFlowLogColumns =
    "f.id, f.account_id, f.region_id, f.name, f.description, f.active_aging, f.inactive_aging, "
    "f.output_type, f.sls_region_id, f.project_name, f.logstore_name, f.netflow_server_ip, "
    "f.netflow_server_port, f.netflow_version, f.status, f.resource_group_id, f.create_ms, "
    "(SELECT count(*) FROM flow_log_instances m WHERE m.flow_log_id = f.id)";

FlowLogRecord ReadFlowLog(const Rows& s, int row) {
  FlowLogRecord f;
  int i = 0;
  f.id = s.Text(row, i++);
  f.account_id = s.Text(row, i++);
  f.region_id = s.Text(row, i++);
  f.name = s.Text(row, i++);
  f.description = s.Text(row, i++);
  f.active_aging = s.Int(row, i++);
  f.inactive_aging = s.Int(row, i++);
  f.output_type = s.Text(row, i++);
  f.sls_region_id = s.Text(row, i++);
  f.project_name = s.Text(row, i++);
  f.logstore_name = s.Text(row, i++);
  f.netflow_server_ip = s.Text(row, i++);
  f.netflow_server_port = s.Int(row, i++);
  f.netflow_version = s.Text(row, i++);
  f.status = s.Text(row, i++);
  f.resource_group_id = s.Text(row, i++);
  f.create_ms = s.Int(row, i++);
  f.total_sag_num = s.Int(row, i++);
  return f;
}

FlowLogInstance ReadFlowLogInstance(const Rows& s, int row) {
  return FlowLogInstance{
      .instance_id = s.Text(row, 0), .name = s.Text(row, 1), .description = s.Text(row, 2)};
}

StoreResult<FlowLogRecord> FindFlowLog(Connection& conn, std::string_view account_id,
                                       std::string_view region_id, std::string_view id) {
  static const Statement kFind("SELECT " + std::string(kFlowLogColumns) +
                               " FROM flow_logs f WHERE f.id = $1 AND f.account_id = $2 "
                               "AND ($3 = '' OR f.region_id = $3)");
  return sql::GetOne(conn, kFind, {id, account_id, region_id}, &ReadFlowLog, "flow log");
}

// Locks the flow log until the transaction ends; false when there is none.
StoreResult<bool> LockFlowLog(Connection& conn, std::string_view account_id,
                              std::string_view region_id, std::string_view id, bool exclusive) {
  static const std::string kWhere =
      "SELECT 1 FROM flow_logs WHERE id = $1 AND account_id = $2 AND ($3 = '' OR region_id = $3)";
  static const Statement kUpdate(kWhere + " FOR UPDATE");
  static const Statement kShare(kWhere + " FOR SHARE");
  return sql::RowExists(conn, exclusive ? kUpdate : kShare, {id, account_id, region_id});
}

}  // namespace

StoreResult<bool> SqlStore::CreateFlowLog(const FlowLogRecord& f, int64_t max_per_region) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<bool> {
    static const Statement kCount(
        "SELECT count(*) FROM flow_logs WHERE account_id = $1 AND region_id = $2");
    ASSIGN_OR_RETURN(Rows count, conn.Run(kCount, {f.account_id, f.region_id}));
    if (!count.empty() && count.Int(0, 0) >= max_per_region) return false;
    static const Statement kInsert(
        "INSERT INTO flow_logs (id, account_id, region_id, name, description, active_aging, "
        "inactive_aging, output_type, sls_region_id, project_name, logstore_name, "
        "netflow_server_ip, netflow_server_port, netflow_version, status, resource_group_id, "
        "create_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
        "$17)");
    RETURN_IF_ERROR(sql::Exec(
        conn, kInsert,
        {f.id, f.account_id, f.region_id, f.name, f.description, f.active_aging, f.inactive_aging,
         f.output_type, f.sls_region_id, f.project_name, f.logstore_name, f.netflow_server_ip,
         f.netflow_server_port, f.netflow_version, f.status, f.resource_group_id, f.create_ms}));
    return true;
  });
}

StoreResult<FlowLogRecord> SqlStore::GetFlowLog(std::string_view account_id,
                                                std::string_view region_id, std::string_view id) {
  return Transact(Txn::kReadOne,
                  [&](Connection& conn) { return FindFlowLog(conn, account_id, region_id, id); });
}

StoreResult<FlowLogPage> SqlStore::ListFlowLogs(const FlowLogFilter& filter) {
  sql::Where where("f.account_id = $?", filter.account_id);
  if (!filter.region_id.empty()) where.And("f.region_id = $?", filter.region_id);
  if (!filter.id.empty()) where.And("f.id = $?", filter.id);
  if (!filter.name.empty()) where.And("f.name = $?", filter.name);
  if (!filter.description.empty()) where.And("f.description = $?", filter.description);
  if (!filter.output_type.empty()) where.And("f.output_type = $?", filter.output_type);
  if (!filter.status.empty()) where.And("f.status = $?", filter.status);
  const int64_t offset = std::max<int64_t>(0, filter.offset);
  const int64_t limit = std::max<int64_t>(0, filter.limit);
  return Transact(Txn::kRead, [&](Connection& conn) -> StoreResult<FlowLogPage> {
    FlowLogPage page;
    ASSIGN_OR_RETURN(Rows count, conn.RunOnce("SELECT count(*) FROM flow_logs f" + where.text(),
                                              where.values()));
    page.total = count.empty() ? 0 : count.Int(0, 0);
    if (limit == 0 || offset >= page.total) return page;
    sql::Where paged = where;
    const std::string limit_at = paged.Next(limit);
    const std::string offset_at = paged.Next(offset);
    ASSIGN_OR_RETURN(
        Rows rows,
        conn.RunOnce("SELECT " + std::string(kFlowLogColumns) + " FROM flow_logs f" + paged.text() +
                         " ORDER BY f.create_ms, f.id LIMIT " + limit_at + " OFFSET " + offset_at,
                     paged.values()));
    for (int i = 0; i < rows.size(); ++i) page.items.push_back(ReadFlowLog(rows, i));
    return page;
  });
}

StoreResult<FlowLogRecord> SqlStore::UpdateFlowLog(const FlowLogRecord& f) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<FlowLogRecord> {
    ASSIGN_OR_RETURN(const bool found, LockFlowLog(conn, f.account_id, f.region_id, f.id, true));
    if (!found) return MakeUnexpected(sql::NotFound("flow log"));
    static const Statement kUpdate(
        "UPDATE flow_logs SET name = $2, description = $3, active_aging = $4, inactive_aging = $5, "
        "output_type = $6, sls_region_id = $7, project_name = $8, logstore_name = $9, "
        "netflow_server_ip = $10, netflow_server_port = $11, netflow_version = $12, status = $13, "
        "resource_group_id = $14 WHERE id = $1");
    RETURN_IF_ERROR(
        sql::Exec(conn, kUpdate,
                  {f.id, f.name, f.description, f.active_aging, f.inactive_aging, f.output_type,
                   f.sls_region_id, f.project_name, f.logstore_name, f.netflow_server_ip,
                   f.netflow_server_port, f.netflow_version, f.status, f.resource_group_id}));
    return FindFlowLog(conn, f.account_id, f.region_id, f.id);
  });
}

StoreResult<void> SqlStore::DeleteFlowLog(std::string_view account_id, std::string_view region_id,
                                          std::string_view id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool found, LockFlowLog(conn, account_id, region_id, id, true));
    if (!found) return MakeUnexpected(sql::NotFound("flow log"));
    static const Statement kUsed("SELECT 1 FROM flow_log_instances WHERE flow_log_id = $1");
    ASSIGN_OR_RETURN(const bool used, sql::RowExists(conn, kUsed, {id}));
    if (used) return MakeUnexpected(sql::Conflict("instances are associated with the flow log"));
    static const Statement kDelete("DELETE FROM flow_logs WHERE id = $1");
    return sql::ChangeOne(conn, kDelete, {id}, "flow log");
  });
}

StoreResult<FlowLogLinkOutcome> SqlStore::LinkFlowLog(std::string_view account_id,
                                                      std::string_view region_id,
                                                      std::string_view flow_log_id,
                                                      std::string_view instance_id,
                                                      bool associate) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<FlowLogLinkOutcome> {
    ASSIGN_OR_RETURN(const bool fl_found,
                     LockFlowLog(conn, account_id, region_id, flow_log_id, false));
    if (!fl_found) return FlowLogLinkOutcome::kFlowLogNotFound;
    ASSIGN_OR_RETURN(const FlowLogRecord fl, FindFlowLog(conn, account_id, region_id, flow_log_id));
    ASSIGN_OR_RETURN(const bool found,
                     sql::LockInstance(conn, account_id, fl.region_id, instance_id));
    if (!found) return FlowLogLinkOutcome::kInstanceNotFound;
    static const Statement kCurrent(
        "SELECT flow_log_id FROM flow_log_instances WHERE instance_id = $1");
    ASSIGN_OR_RETURN(Rows current, conn.Run(kCurrent, {instance_id}));
    std::optional<std::string> now;
    if (!current.empty()) now = current.Text(0, 0);
    const FlowLogLinkOutcome outcome = DecideFlowLogLink(now, flow_log_id, associate);
    if (outcome != FlowLogLinkOutcome::kDone) return outcome;
    if (associate && !now) {
      static const Statement kInsert(
          "INSERT INTO flow_log_instances (instance_id, flow_log_id, create_ms) "
          "VALUES ($1, $2, $3)");
      RETURN_IF_ERROR(sql::Exec(conn, kInsert, {instance_id, flow_log_id, fl.create_ms}));
    } else if (!associate) {
      static const Statement kDelete("DELETE FROM flow_log_instances WHERE instance_id = $1");
      RETURN_IF_ERROR(sql::Exec(conn, kDelete, {instance_id}));
    }
    return outcome;
  });
}

StoreResult<std::pair<std::vector<FlowLogInstance>, int64_t>> SqlStore::ListFlowLogInstances(
    std::string_view account_id, std::string_view region_id, std::string_view flow_log_id,
    int64_t offset, int64_t limit) {
  using R = std::pair<std::vector<FlowLogInstance>, int64_t>;
  return Transact(Txn::kRead, [&](Connection& conn) -> StoreResult<R> {
    static const std::string kFrom =
        " FROM flow_log_instances m JOIN instances i ON i.id = m.instance_id "
        "WHERE m.flow_log_id = $1 AND i.account_id = $2 AND ($3 = '' OR i.region_id = $3)";
    static const Statement kCount("SELECT count(*)" + kFrom);
    ASSIGN_OR_RETURN(Rows count, conn.Run(kCount, {flow_log_id, account_id, region_id}));
    R out{{}, count.empty() ? 0 : count.Int(0, 0)};
    static const Statement kPage("SELECT i.id, i.name, i.description" + kFrom +
                                 " ORDER BY i.id LIMIT $4 OFFSET $5");
    ASSIGN_OR_RETURN(out.first,
                     sql::ListAll(conn, kPage,
                                  {flow_log_id, account_id, region_id, std::max<int64_t>(0, limit),
                                   std::max<int64_t>(0, offset)},
                                  &ReadFlowLogInstance));
    return out;
  });
}

StoreResult<std::vector<FlowLogInstance>> SqlStore::ListInstancesWithoutFlowLog(
    std::string_view account_id, std::string_view region_id) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList(
        "SELECT i.id, i.name, i.description FROM instances i WHERE i.account_id = $1 "
        "AND ($2 = '' OR i.region_id = $2) "
        "AND NOT EXISTS (SELECT 1 FROM flow_log_instances m WHERE m.instance_id = i.id) "
        "ORDER BY i.create_ms, i.id");
    return sql::ListAll(conn, kList, {account_id, region_id}, &ReadFlowLogInstance);
  });
}

StoreResult<std::optional<std::string>> SqlStore::FlowLogOfInstance(std::string_view instance_id) {
  return Transact(Txn::kReadOne, [&](Connection& conn) -> StoreResult<std::optional<std::string>> {
    static const Statement kGet(
        "SELECT flow_log_id FROM flow_log_instances WHERE instance_id = $1");
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kGet, {instance_id}));
    if (rows.empty()) return std::optional<std::string>();
    return std::optional<std::string>(rows.Text(0, 0));
  });
}

}  // namespace sag::store
