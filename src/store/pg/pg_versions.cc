// PgStore's VersionStore methods: the software catalogue and device upgrades (schema version 5).
// "One non-terminal upgrade per device" is the partial unique index
// upgrades_one_active_per_device, so concurrent creators on any node meet there.
#include <algorithm>
#include <string>

#include "store/pg/pg_store.h"
#include "store/pg/pg_util.h"

namespace sag::store {
namespace {

using pg::Connection;
using pg::Rows;

constexpr char kVersionColumns[] =
    "version_type, version_code, version_name, release_type, hardware_models, sha256, size, "
    "min_device_version, create_ms, withdrawn, withdrawn_ms";
constexpr char kUpgradeColumns[] =
    "id, serial_number, account_id, instance_id, version_type, version_code, from_version, sha256, "
    "state, detail, generation, bytes_done, after_upgrade_id, create_ms, update_ms, deadline_ms";
constexpr char kActive[] = "state NOT IN ('Succeeded', 'Failed', 'Reverted', 'TimedOut')";

VersionRecord ReadVersion(const Rows& r, int i) {
  VersionRecord v;
  v.version_type = r.Text(i, 0);
  v.version_code = r.Text(i, 1);
  v.version_name = r.Text(i, 2);
  v.release_type = r.Text(i, 3);
  v.hardware_models = r.Text(i, 4);
  v.sha256 = r.Text(i, 5);
  v.size = r.Int(i, 6);
  v.min_device_version = r.Text(i, 7);
  v.create_ms = r.Int(i, 8);
  v.withdrawn = r.Bool(i, 9);
  v.withdrawn_ms = r.Int(i, 10);
  return v;
}

UpgradeRecord ReadUpgrade(const Rows& r, int i) {
  UpgradeRecord u;
  u.id = r.Text(i, 0);
  u.serial_number = r.Text(i, 1);
  u.account_id = r.Text(i, 2);
  u.instance_id = r.Text(i, 3);
  u.version_type = r.Text(i, 4);
  u.version_code = r.Text(i, 5);
  u.from_version = r.Text(i, 6);
  u.sha256 = r.Text(i, 7);
  u.state = r.Text(i, 8);
  u.detail = r.Text(i, 9);
  u.generation = r.Int(i, 10);
  u.bytes_done = r.Int(i, 11);
  u.after_upgrade_id = r.Text(i, 12);
  u.create_ms = r.Int(i, 13);
  u.update_ms = r.Int(i, 14);
  u.deadline_ms = r.Int(i, 15);
  return u;
}

template <typename T>
std::vector<T> All(const Rows& rows, T (*read)(const Rows&, int)) {
  std::vector<T> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(read(rows, i));
  return out;
}

}  // namespace

StoreResult<void> PgStore::PublishVersion(const VersionRecord& v) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "INSERT INTO versions (" + std::string(kVersionColumns) +
                                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    RETURN_IF_ERROR(
        conn.Query(kSql, {v.version_type, v.version_code, v.version_name, v.release_type,
                          v.hardware_models, v.sha256, v.size, v.min_device_version, v.create_ms,
                          pg::Param::Bool(v.withdrawn), v.withdrawn_ms}));
    return {};
  });
}

StoreResult<VersionRecord> PgStore::GetVersion(std::string_view version_type,
                                               std::string_view version_code) {
  VersionRecord out;
  auto txn_result = RunSingle([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "SELECT " + std::string(kVersionColumns) +
                                    " FROM versions WHERE version_type = $1 AND version_code = $2";
    ASSIGN_OR_RETURN(Rows rows, conn.Query(kSql, {version_type, version_code}));
    if (rows.empty()) return MakeUnexpected(StoreError{StoreErrorCode::kNotFound, "version"});
    out = ReadVersion(rows, 0);
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<std::vector<VersionRecord>> PgStore::ListVersions(std::string_view version_type) {
  std::vector<VersionRecord> out;
  auto txn_result = RunSingle([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "SELECT " + std::string(kVersionColumns) +
                                    " FROM versions WHERE version_type = $1 "
                                    "ORDER BY create_ms, version_code";
    ASSIGN_OR_RETURN(Rows rows, conn.Query(kSql, {version_type}));
    out = All(rows, &ReadVersion);
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<void> PgStore::WithdrawVersion(std::string_view version_type,
                                           std::string_view version_code, int64_t now_ms) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(
        Rows rows,
        conn.Query("UPDATE versions SET withdrawn_ms = CASE WHEN withdrawn THEN withdrawn_ms "
                   "ELSE $3::bigint END, withdrawn = TRUE "
                   "WHERE version_type = $1 AND version_code = $2",
                   {version_type, version_code, now_ms}));
    if (rows.affected() == 0) {
      return MakeUnexpected(StoreError{StoreErrorCode::kNotFound, "version"});
    }
    return {};
  });
}

StoreResult<void> PgStore::CreateUpgrades(const std::vector<UpgradeRecord>& upgrades) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    for (const UpgradeRecord& u : upgrades) {
      ASSIGN_OR_RETURN(Rows found, conn.Query("SELECT 1 FROM devices WHERE serial_number = $1",
                                              {u.serial_number}));
      if (found.empty()) return MakeUnexpected(StoreError{StoreErrorCode::kNotFound, "device"});
      static const std::string kSql =
          "INSERT INTO upgrades (" + std::string(kUpgradeColumns) +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
      RETURN_IF_ERROR(conn.Query(
          kSql, {u.id, u.serial_number, u.account_id, u.instance_id, u.version_type, u.version_code,
                 u.from_version, u.sha256, u.state, u.detail, u.generation, u.bytes_done,
                 u.after_upgrade_id, u.create_ms, u.update_ms, u.deadline_ms}));
    }
    return {};
  });
}

StoreResult<UpgradeRecord> PgStore::GetUpgrade(std::string_view id) {
  UpgradeRecord out;
  auto txn_result = RunSingle([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "SELECT " + std::string(kUpgradeColumns) + " FROM upgrades WHERE id = $1";
    ASSIGN_OR_RETURN(Rows rows, conn.Query(kSql, {id}));
    if (rows.empty()) return MakeUnexpected(StoreError{StoreErrorCode::kNotFound, "upgrade"});
    out = ReadUpgrade(rows, 0);
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<std::optional<UpgradeRecord>> PgStore::ActiveUpgrade(std::string_view serial_number) {
  std::optional<UpgradeRecord> out;
  auto txn_result = RunSingle([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "SELECT " + std::string(kUpgradeColumns) +
                                    " FROM upgrades WHERE serial_number = $1 AND " + kActive;
    ASSIGN_OR_RETURN(Rows rows, conn.Query(kSql, {serial_number}));
    if (!rows.empty()) out = ReadUpgrade(rows, 0);
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<std::vector<UpgradeRecord>> PgStore::ListUpgrades(const UpgradeFilter& filter) {
  std::vector<UpgradeRecord> out;
  auto txn_result = RunSingle([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "SELECT " + std::string(kUpgradeColumns) +
        " FROM upgrades WHERE ($1 = '' OR serial_number = $1) AND ($2 = '' OR instance_id = $2) "
        "AND (NOT $3::boolean OR " +
        kActive + ") ORDER BY create_ms DESC, id DESC LIMIT $4";
    ASSIGN_OR_RETURN(Rows rows, conn.Query(kSql, {filter.serial_number, filter.instance_id,
                                                  pg::Param::Bool(filter.active_only),
                                                  std::max<int64_t>(0, filter.limit)}));
    out = All(rows, &ReadUpgrade);
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<bool> PgStore::AdvanceUpgrade(std::string_view id, const UpgradeChange& change) {
  bool applied = false;
  auto txn_result = RunWrite([&](Connection& conn) -> StoreResult<void> {
    applied = false;
    static const std::string kSql =
        "SELECT " + std::string(kUpgradeColumns) + " FROM upgrades WHERE id = $1 FOR UPDATE";
    ASSIGN_OR_RETURN(Rows rows, conn.Query(kSql, {id}));
    if (rows.empty()) return MakeUnexpected(StoreError{StoreErrorCode::kNotFound, "upgrade"});
    UpgradeRecord u = ReadUpgrade(rows, 0);
    if (!ApplyUpgradeChange(change, u)) return {};
    RETURN_IF_ERROR(conn.Query(
        "UPDATE upgrades SET state = $2, detail = $3, generation = $4, "
        "bytes_done = $5, deadline_ms = $6, update_ms = $7 WHERE id = $1",
        {id, u.state, u.detail, u.generation, u.bytes_done, u.deadline_ms, change.now_ms}));
    applied = true;
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return applied;
}

StoreResult<std::vector<UpgradeRecord>> PgStore::ListExpiredUpgrades(int64_t now_ms,
                                                                     int64_t limit) {
  std::vector<UpgradeRecord> out;
  auto txn_result = RunSingle([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "SELECT " + std::string(kUpgradeColumns) +
                                    " FROM upgrades WHERE deadline_ms > 0 AND deadline_ms <= $1 "
                                    "AND " +
                                    kActive + " ORDER BY deadline_ms, id LIMIT $2";
    ASSIGN_OR_RETURN(Rows rows, conn.Query(kSql, {now_ms, std::max<int64_t>(0, limit)}));
    out = All(rows, &ReadUpgrade);
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

}  // namespace sag::store
