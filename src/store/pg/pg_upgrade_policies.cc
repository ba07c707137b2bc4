// PgStore's UpgradePolicyStore methods: automatic upgrade policies (schema version 7). Of several
// nodes that find a policy due, the conditional UPDATE of AdvanceUpgradePolicy lets exactly one
// act on the window.
#include <string>

#include "store/pg/pg_store.h"
#include "store/pg/pg_util.h"

namespace sag::store {
namespace {

using pg::Connection;
using pg::Rows;

constexpr char kPolicyColumns[] =
    "serial_number, version_type, instance_id, region_id, upgrade_type, cron_expression, "
    "duration_min, jitter_min, time_zone, next_window_ms, next_run_ms, last_window_ms, "
    "last_result, "
    "update_ms";

UpgradePolicyRecord ReadPolicy(const Rows& r, int i) {
  UpgradePolicyRecord p;
  p.serial_number = r.Text(i, 0);
  p.version_type = r.Text(i, 1);
  p.instance_id = r.Text(i, 2);
  p.region_id = r.Text(i, 3);
  p.upgrade_type = r.Text(i, 4);
  p.cron_expression = r.Text(i, 5);
  p.duration_min = r.Int(i, 6);
  p.jitter_min = r.Int(i, 7);
  p.time_zone = r.Text(i, 8);
  p.next_window_ms = r.Int(i, 9);
  p.next_run_ms = r.Int(i, 10);
  p.last_window_ms = r.Int(i, 11);
  p.last_result = r.Text(i, 12);
  p.update_ms = r.Int(i, 13);
  return p;
}

}  // namespace

StoreResult<void> PgStore::PutUpgradePolicy(const UpgradePolicyRecord& p) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "INSERT INTO upgrade_policies (" + std::string(kPolicyColumns) +
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) "
        "ON CONFLICT (serial_number, version_type) DO UPDATE SET instance_id = $3, "
        "region_id = $4, upgrade_type = $5, cron_expression = $6, duration_min = $7, "
        "jitter_min = $8, time_zone = $9, next_window_ms = $10, next_run_ms = $11, "
        "last_window_ms = $12, last_result = $13, update_ms = $14";
    RETURN_IF_ERROR(conn.Query(
        kSql, {p.serial_number, p.version_type, p.instance_id, p.region_id, p.upgrade_type,
               p.cron_expression, p.duration_min, p.jitter_min, p.time_zone, p.next_window_ms,
               p.next_run_ms, p.last_window_ms, p.last_result, p.update_ms}));
    return {};
  });
}

StoreResult<std::optional<UpgradePolicyRecord>> PgStore::GetUpgradePolicy(
    std::string_view serial_number, std::string_view version_type) {
  std::optional<UpgradePolicyRecord> out;
  auto txn_result = RunSingle([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "SELECT " + std::string(kPolicyColumns) +
                                    " FROM upgrade_policies WHERE serial_number = $1 AND "
                                    "version_type = $2";
    ASSIGN_OR_RETURN(Rows rows, conn.Query(kSql, {serial_number, version_type}));
    if (!rows.empty()) out = ReadPolicy(rows, 0);
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<std::vector<UpgradePolicyRecord>> PgStore::ListDueUpgradePolicies(int64_t now_ms,
                                                                              int64_t limit) {
  std::vector<UpgradePolicyRecord> out;
  auto txn_result = RunSingle([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "SELECT " + std::string(kPolicyColumns) +
        " FROM upgrade_policies WHERE next_run_ms > 0 AND "
        "next_run_ms <= $1 ORDER BY next_run_ms, serial_number, version_type LIMIT $2";
    ASSIGN_OR_RETURN(Rows rows, conn.Query(kSql, {now_ms, limit}));
    for (int i = 0; i < rows.size(); ++i) out.push_back(ReadPolicy(rows, i));
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<bool> PgStore::AdvanceUpgradePolicy(const UpgradePolicyRecord& moved,
                                                int64_t expected_next_run_ms) {
  bool applied = false;
  auto txn_result = RunWrite([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "UPDATE upgrade_policies SET next_window_ms = $3, next_run_ms = $4, last_window_ms = $5, "
        "last_result = $6, update_ms = $7 WHERE serial_number = $1 AND version_type = $2 AND "
        "next_run_ms = $8";
    ASSIGN_OR_RETURN(
        Rows rows, conn.Query(kSql, {moved.serial_number, moved.version_type, moved.next_window_ms,
                                     moved.next_run_ms, moved.last_window_ms, moved.last_result,
                                     moved.update_ms, expected_next_run_ms}));
    applied = rows.affected() > 0;
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return applied;
}

}  // namespace sag::store
