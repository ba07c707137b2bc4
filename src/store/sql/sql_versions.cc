// SqlStore: the software catalogue and device upgrades (store/version_store.h). "One non-terminal
// upgrade per device" is the partial unique index upgrades_one_active_per_device, so concurrent
// creators on any node meet there.
#include <algorithm>

#include "store/sql/queries.h"
#include "store/sql/sql_store.h"

namespace sag::store {

namespace {

using sql::Connection;
using sql::Rows;
using sql::Statement;
using sql::Txn;
using sql::Value;

constexpr std::string_view kVersionColumns =
    "version_type, version_code, version_name, release_type, hardware_models, sha256, size, "
    "min_device_version, create_ms, withdrawn, withdrawn_ms";
constexpr std::string_view kUpgradeColumns =
    "id, serial_number, account_id, instance_id, version_type, version_code, from_version, sha256, "
    "state, detail, generation, bytes_done, after_upgrade_id, create_ms, update_ms, deadline_ms";
constexpr std::string_view kActive = "state NOT IN ('Succeeded', 'Failed', 'Reverted', 'TimedOut')";

VersionRecord ReadVersion(const Rows& r, int i) {
  return VersionRecord{.version_type = r.Text(i, 0),
                       .version_code = r.Text(i, 1),
                       .version_name = r.Text(i, 2),
                       .release_type = r.Text(i, 3),
                       .hardware_models = r.Text(i, 4),
                       .sha256 = r.Text(i, 5),
                       .size = r.Int(i, 6),
                       .min_device_version = r.Text(i, 7),
                       .create_ms = r.Int(i, 8),
                       .withdrawn = r.Bool(i, 9),
                       .withdrawn_ms = r.Int(i, 10)};
}

UpgradeRecord ReadUpgrade(const Rows& r, int i) {
  return UpgradeRecord{.id = r.Text(i, 0),
                       .serial_number = r.Text(i, 1),
                       .account_id = r.Text(i, 2),
                       .instance_id = r.Text(i, 3),
                       .version_type = r.Text(i, 4),
                       .version_code = r.Text(i, 5),
                       .from_version = r.Text(i, 6),
                       .sha256 = r.Text(i, 7),
                       .state = UpgradeStateFromColumn(r.View(i, 8)),
                       .detail = r.Text(i, 9),
                       .generation = r.Int(i, 10),
                       .bytes_done = r.Int(i, 11),
                       .after_upgrade_id = r.Text(i, 12),
                       .create_ms = r.Int(i, 13),
                       .update_ms = r.Int(i, 14),
                       .deadline_ms = r.Int(i, 15)};
}

std::string SelectUpgrades(std::string_view rest) {
  return "SELECT " + std::string(kUpgradeColumns) + " FROM upgrades " + std::string(rest);
}

}  // namespace

StoreResult<void> SqlStore::PublishVersion(const VersionRecord& v) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kInsert("INSERT INTO versions (" + std::string(kVersionColumns) +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
    return sql::Exec(conn, kInsert,
                     {v.version_type, v.version_code, v.version_name, v.release_type,
                      v.hardware_models, v.sha256, v.size, v.min_device_version, v.create_ms,
                      Value::Bool(v.withdrawn), v.withdrawn_ms});
  });
}

StoreResult<VersionRecord> SqlStore::GetVersion(std::string_view version_type,
                                                std::string_view version_code) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kGet("SELECT " + std::string(kVersionColumns) +
                                " FROM versions WHERE version_type = $1 AND version_code = $2");
    return sql::GetOne(conn, kGet, {version_type, version_code}, &ReadVersion, "version");
  });
}

StoreResult<std::vector<VersionRecord>> SqlStore::ListVersions(std::string_view version_type) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList("SELECT " + std::string(kVersionColumns) +
                                 " FROM versions WHERE version_type = $1 "
                                 "ORDER BY create_ms, version_code");
    return sql::ListAll(conn, kList, {version_type}, &ReadVersion);
  });
}

StoreResult<void> SqlStore::WithdrawVersion(std::string_view version_type,
                                            std::string_view version_code, int64_t now_ms) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kWithdraw(
        "UPDATE versions SET withdrawn_ms = CASE WHEN withdrawn THEN withdrawn_ms ELSE $3 END, "
        "withdrawn = TRUE WHERE version_type = $1 AND version_code = $2");
    return sql::ChangeOne(conn, kWithdraw, {version_type, version_code, now_ms}, "version");
  });
}

StoreResult<void> SqlStore::CreateUpgrades(const std::vector<UpgradeRecord>& upgrades) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    static const Statement kDevice("SELECT 1 FROM devices WHERE serial_number = $1");
    static const Statement kInsert(
        "INSERT INTO upgrades (" + std::string(kUpgradeColumns) +
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)");
    for (const UpgradeRecord& u : upgrades) {
      ASSIGN_OR_RETURN(const bool found, sql::RowExists(conn, kDevice, {u.serial_number}));
      if (!found) return MakeUnexpected(sql::NotFound("device"));
      RETURN_IF_ERROR(sql::Exec(
          conn, kInsert,
          {u.id, u.serial_number, u.account_id, u.instance_id, u.version_type, u.version_code,
           u.from_version, u.sha256, WireName(u.state), u.detail, u.generation, u.bytes_done,
           u.after_upgrade_id, u.create_ms, u.update_ms, u.deadline_ms}));
    }
    return {};
  });
}

StoreResult<UpgradeRecord> SqlStore::GetUpgrade(std::string_view id) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kGet(SelectUpgrades("WHERE id = $1"));
    return sql::GetOne(conn, kGet, {id}, &ReadUpgrade, "upgrade");
  });
}

StoreResult<std::optional<UpgradeRecord>> SqlStore::ActiveUpgrade(std::string_view serial_number) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kActiveOne(
        SelectUpgrades("WHERE serial_number = $1 AND " + std::string(kActive)));
    return sql::FindOne(conn, kActiveOne, {serial_number}, &ReadUpgrade);
  });
}

StoreResult<std::vector<UpgradeRecord>> SqlStore::ListUpgrades(const UpgradeFilter& filter) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList(
        SelectUpgrades("WHERE ($1 = '' OR serial_number = $1) AND ($2 = '' OR instance_id = $2) "
                       "AND (NOT $3 OR " +
                       std::string(kActive) + ") ORDER BY create_ms DESC, id DESC LIMIT $4"));
    return sql::ListAll(conn, kList,
                        {filter.serial_number, filter.instance_id, Value::Bool(filter.active_only),
                         std::max<int64_t>(0, filter.limit)},
                        &ReadUpgrade);
  });
}

StoreResult<bool> SqlStore::AdvanceUpgrade(std::string_view id, const UpgradeChange& change) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<bool> {
    static const Statement kLock(SelectUpgrades("WHERE id = $1 FOR UPDATE"));
    ASSIGN_OR_RETURN(UpgradeRecord u, sql::GetOne(conn, kLock, {id}, &ReadUpgrade, "upgrade"));
    if (!ApplyUpgradeChange(change, u)) return false;
    static const Statement kUpdate(
        "UPDATE upgrades SET state = $2, detail = $3, generation = $4, bytes_done = $5, "
        "deadline_ms = $6, update_ms = $7 WHERE id = $1");
    RETURN_IF_ERROR(sql::Exec(conn, kUpdate,
                              {id, WireName(u.state), u.detail, u.generation, u.bytes_done,
                               u.deadline_ms, change.now_ms}));
    return true;
  });
}

StoreResult<std::vector<UpgradeRecord>> SqlStore::ListExpiredUpgrades(int64_t now_ms,
                                                                      int64_t limit) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList(SelectUpgrades("WHERE deadline_ms > 0 AND deadline_ms <= $1 AND " +
                                                std::string(kActive) +
                                                " ORDER BY deadline_ms, id LIMIT $2"));
    return sql::ListAll(conn, kList, {now_ms, std::max<int64_t>(0, limit)}, &ReadUpgrade);
  });
}

// Automatic upgrade policies ----------------------------------------------------------------------

namespace {

constexpr std::string_view kPolicyColumns =
    "serial_number, version_type, instance_id, region_id, upgrade_type, cron_expression, "
    "duration_min, jitter_min, time_zone, next_window_ms, next_run_ms, last_window_ms, "
    "last_result, update_ms";

UpgradePolicyRecord ReadPolicy(const Rows& r, int i) {
  return UpgradePolicyRecord{.serial_number = r.Text(i, 0),
                             .version_type = r.Text(i, 1),
                             .instance_id = r.Text(i, 2),
                             .region_id = r.Text(i, 3),
                             .upgrade_type = r.Text(i, 4),
                             .cron_expression = r.Text(i, 5),
                             .duration_min = r.Int(i, 6),
                             .jitter_min = r.Int(i, 7),
                             .time_zone = r.Text(i, 8),
                             .next_window_ms = r.Int(i, 9),
                             .next_run_ms = r.Int(i, 10),
                             .last_window_ms = r.Int(i, 11),
                             .last_result = r.Text(i, 12),
                             .update_ms = r.Int(i, 13)};
}

}  // namespace

StoreResult<void> SqlStore::PutUpgradePolicy(const UpgradePolicyRecord& p) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kPut(
        "INSERT INTO upgrade_policies (" + std::string(kPolicyColumns) +
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) "
        "ON CONFLICT (serial_number, version_type) DO UPDATE SET instance_id = $3, "
        "region_id = $4, upgrade_type = $5, cron_expression = $6, duration_min = $7, "
        "jitter_min = $8, time_zone = $9, next_window_ms = $10, next_run_ms = $11, "
        "last_window_ms = $12, last_result = $13, update_ms = $14");
    return sql::Exec(
        conn, kPut,
        {p.serial_number, p.version_type, p.instance_id, p.region_id, p.upgrade_type,
         p.cron_expression, p.duration_min, p.jitter_min, p.time_zone, p.next_window_ms,
         p.next_run_ms, p.last_window_ms, p.last_result, p.update_ms});
  });
}

StoreResult<std::optional<UpgradePolicyRecord>> SqlStore::GetUpgradePolicy(
    std::string_view serial_number, std::string_view version_type) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kGet("SELECT " + std::string(kPolicyColumns) +
                                " FROM upgrade_policies WHERE serial_number = $1 AND "
                                "version_type = $2");
    return sql::FindOne(conn, kGet, {serial_number, version_type}, &ReadPolicy);
  });
}

StoreResult<std::vector<UpgradePolicyRecord>> SqlStore::ListDueUpgradePolicies(int64_t now_ms,
                                                                               int64_t limit) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kDue(
        "SELECT " + std::string(kPolicyColumns) +
        " FROM upgrade_policies WHERE next_run_ms > 0 AND next_run_ms <= $1 "
        "ORDER BY next_run_ms, serial_number, version_type LIMIT $2");
    return sql::ListAll(conn, kDue, {now_ms, limit}, &ReadPolicy);
  });
}

StoreResult<bool> SqlStore::AdvanceUpgradePolicy(const UpgradePolicyRecord& moved,
                                                 int64_t expected_next_run_ms) {
  // Of several nodes that find a policy due, the conditional UPDATE lets exactly one act.
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<bool> {
    static const Statement kAdvance(
        "UPDATE upgrade_policies SET next_window_ms = $3, next_run_ms = $4, last_window_ms = $5, "
        "last_result = $6, update_ms = $7 WHERE serial_number = $1 AND version_type = $2 AND "
        "next_run_ms = $8");
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kAdvance, {moved.serial_number, moved.version_type,
                                                    moved.next_window_ms, moved.next_run_ms,
                                                    moved.last_window_ms, moved.last_result,
                                                    moved.update_ms, expected_next_run_ms}));
    return rows.affected() > 0;
  });
}

}  // namespace sag::store
