// SqliteStore's UpgradePolicyStore methods: automatic upgrade policies (schema version 7).
#include <string>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"

namespace sag::store {
namespace {

using sqlite::Connection;
using sqlite::Statement;

constexpr char kPolicyColumns[] =
    "serial_number, version_type, instance_id, region_id, upgrade_type, cron_expression, "
    "duration_min, jitter_min, time_zone, next_window_ms, next_run_ms, last_window_ms, "
    "last_result, "
    "update_ms";

UpgradePolicyRecord ReadPolicy(const Statement& s) {
  UpgradePolicyRecord p;
  p.serial_number = s.ColumnText(0);
  p.version_type = s.ColumnText(1);
  p.instance_id = s.ColumnText(2);
  p.region_id = s.ColumnText(3);
  p.upgrade_type = s.ColumnText(4);
  p.cron_expression = s.ColumnText(5);
  p.duration_min = s.ColumnInt64(6);
  p.jitter_min = s.ColumnInt64(7);
  p.time_zone = s.ColumnText(8);
  p.next_window_ms = s.ColumnInt64(9);
  p.next_run_ms = s.ColumnInt64(10);
  p.last_window_ms = s.ColumnInt64(11);
  p.last_result = s.ColumnText(12);
  p.update_ms = s.ColumnInt64(13);
  return p;
}

}  // namespace

StoreResult<void> SqliteStore::PutUpgradePolicy(const UpgradePolicyRecord& p) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "INSERT OR REPLACE INTO upgrade_policies (" + std::string(kPolicyColumns) +
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindText(1, p.serial_number)
        .BindText(2, p.version_type)
        .BindText(3, p.instance_id)
        .BindText(4, p.region_id)
        .BindText(5, p.upgrade_type)
        .BindText(6, p.cron_expression)
        .BindInt64(7, p.duration_min)
        .BindInt64(8, p.jitter_min)
        .BindText(9, p.time_zone)
        .BindInt64(10, p.next_window_ms)
        .BindInt64(11, p.next_run_ms)
        .BindInt64(12, p.last_window_ms)
        .BindText(13, p.last_result)
        .BindInt64(14, p.update_ms);
    return stmt.Run();
  });
}

StoreResult<std::optional<UpgradePolicyRecord>> SqliteStore::GetUpgradePolicy(
    std::string_view serial_number, std::string_view version_type) {
  std::optional<UpgradePolicyRecord> out;
  auto txn_result = RunRead([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "SELECT " + std::string(kPolicyColumns) +
                                    " FROM upgrade_policies WHERE serial_number = ?1 AND "
                                    "version_type = ?2";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindText(1, serial_number).BindText(2, version_type);
    ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (row) out = ReadPolicy(stmt);
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<std::vector<UpgradePolicyRecord>> SqliteStore::ListDueUpgradePolicies(int64_t now_ms,
                                                                                  int64_t limit) {
  std::vector<UpgradePolicyRecord> out;
  auto txn_result = RunRead([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "SELECT " + std::string(kPolicyColumns) +
        " FROM upgrade_policies WHERE next_run_ms > 0 AND "
        "next_run_ms <= ?1 ORDER BY next_run_ms, serial_number, version_type LIMIT ?2";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindInt64(1, now_ms).BindInt64(2, limit);
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.Step());
      if (!row) return {};
      out.push_back(ReadPolicy(stmt));
    }
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<bool> SqliteStore::AdvanceUpgradePolicy(const UpgradePolicyRecord& moved,
                                                    int64_t expected_next_run_ms) {
  bool applied = false;
  auto txn_result = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("UPDATE upgrade_policies SET next_window_ms = ?3, "
                                  "next_run_ms = ?4, last_window_ms = ?5, last_result = ?6, "
                                  "update_ms = ?7 WHERE serial_number = ?1 AND version_type = ?2 "
                                  "AND next_run_ms = ?8"));
    stmt.BindText(1, moved.serial_number)
        .BindText(2, moved.version_type)
        .BindInt64(3, moved.next_window_ms)
        .BindInt64(4, moved.next_run_ms)
        .BindInt64(5, moved.last_window_ms)
        .BindText(6, moved.last_result)
        .BindInt64(7, moved.update_ms)
        .BindInt64(8, expected_next_run_ms);
    RETURN_IF_ERROR(stmt.Run());
    applied = conn.Changes() > 0;
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return applied;
}

}  // namespace sag::store
