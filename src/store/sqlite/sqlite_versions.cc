// SqliteStore's VersionStore methods: the software catalogue and device upgrades (schema version
// 5).
#include <algorithm>
#include <string>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"

namespace sag::store {
namespace {

using sqlite::Connection;
using sqlite::Statement;

constexpr char kVersionColumns[] =
    "version_type, version_code, version_name, release_type, hardware_models, sha256, size, "
    "min_device_version, create_ms, withdrawn, withdrawn_ms";
constexpr char kUpgradeColumns[] =
    "id, serial_number, account_id, instance_id, version_type, version_code, from_version, sha256, "
    "state, detail, generation, bytes_done, after_upgrade_id, create_ms, update_ms, deadline_ms";

VersionRecord ReadVersion(const Statement& s) {
  VersionRecord v;
  v.version_type = s.ColumnText(0);
  v.version_code = s.ColumnText(1);
  v.version_name = s.ColumnText(2);
  v.release_type = s.ColumnText(3);
  v.hardware_models = s.ColumnText(4);
  v.sha256 = s.ColumnText(5);
  v.size = s.ColumnInt64(6);
  v.min_device_version = s.ColumnText(7);
  v.create_ms = s.ColumnInt64(8);
  v.withdrawn = s.ColumnBool(9);
  v.withdrawn_ms = s.ColumnInt64(10);
  return v;
}

UpgradeRecord ReadUpgrade(const Statement& s) {
  UpgradeRecord u;
  u.id = s.ColumnText(0);
  u.serial_number = s.ColumnText(1);
  u.account_id = s.ColumnText(2);
  u.instance_id = s.ColumnText(3);
  u.version_type = s.ColumnText(4);
  u.version_code = s.ColumnText(5);
  u.from_version = s.ColumnText(6);
  u.sha256 = s.ColumnText(7);
  u.state = s.ColumnText(8);
  u.detail = s.ColumnText(9);
  u.generation = s.ColumnInt64(10);
  u.bytes_done = s.ColumnInt64(11);
  u.after_upgrade_id = s.ColumnText(12);
  u.create_ms = s.ColumnInt64(13);
  u.update_ms = s.ColumnInt64(14);
  u.deadline_ms = s.ColumnInt64(15);
  return u;
}

template <typename T, typename Read>
StoreResult<std::vector<T>> Collect(Statement& stmt, Read read) {
  std::vector<T> out;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) return out;
    out.push_back(read(stmt));
  }
}

constexpr char kActive[] = "state NOT IN ('Succeeded', 'Failed', 'Reverted', 'TimedOut')";

}  // namespace

StoreResult<void> SqliteStore::PublishVersion(const VersionRecord& v) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "INSERT INTO versions (" + std::string(kVersionColumns) +
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindText(1, v.version_type)
        .BindText(2, v.version_code)
        .BindText(3, v.version_name)
        .BindText(4, v.release_type)
        .BindText(5, v.hardware_models)
        .BindText(6, v.sha256)
        .BindInt64(7, v.size)
        .BindText(8, v.min_device_version)
        .BindInt64(9, v.create_ms)
        .BindBool(10, v.withdrawn)
        .BindInt64(11, v.withdrawn_ms);
    return stmt.Run();
  });
}

StoreResult<VersionRecord> SqliteStore::GetVersion(std::string_view version_type,
                                                   std::string_view version_code) {
  VersionRecord out;
  auto txn_result = RunRead([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "SELECT " + std::string(kVersionColumns) +
                                    " FROM versions WHERE version_type = ?1 AND version_code = ?2";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindText(1, version_type).BindText(2, version_code);
    ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) return MakeUnexpected(StoreError{StoreErrorCode::kNotFound, "version"});
    out = ReadVersion(stmt);
    ASSIGN_OR_RETURN(const bool more, stmt.Step());
    (void)more;
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<std::vector<VersionRecord>> SqliteStore::ListVersions(std::string_view version_type) {
  std::vector<VersionRecord> out;
  auto txn_result = RunRead([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "SELECT " + std::string(kVersionColumns) +
                                    " FROM versions WHERE version_type = ?1 "
                                    "ORDER BY create_ms, version_code";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindText(1, version_type);
    ASSIGN_OR_RETURN(out, Collect<VersionRecord>(stmt, &ReadVersion));
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<void> SqliteStore::WithdrawVersion(std::string_view version_type,
                                               std::string_view version_code, int64_t now_ms) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("UPDATE versions SET withdrawn_ms = CASE WHEN withdrawn = 1 THEN "
                                  "withdrawn_ms ELSE ?3 END, withdrawn = 1 "
                                  "WHERE version_type = ?1 AND version_code = ?2"));
    stmt.BindText(1, version_type).BindText(2, version_code).BindInt64(3, now_ms);
    RETURN_IF_ERROR(stmt.Run());
    if (conn.Changes() == 0) {
      return MakeUnexpected(StoreError{StoreErrorCode::kNotFound, "version"});
    }
    return {};
  });
}

StoreResult<void> SqliteStore::CreateUpgrades(const std::vector<UpgradeRecord>& upgrades) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    for (const UpgradeRecord& u : upgrades) {
      ASSIGN_OR_RETURN(Statement exists,
                       conn.Prepare("SELECT 1 FROM devices WHERE serial_number = ?1"));
      exists.BindText(1, u.serial_number);
      ASSIGN_OR_RETURN(const bool found, exists.Step());
      if (found) {
        ASSIGN_OR_RETURN(const bool more, exists.Step());
        (void)more;
      }
      if (!found) return MakeUnexpected(StoreError{StoreErrorCode::kNotFound, "device"});
      static const std::string kSql =
          "INSERT INTO upgrades (" + std::string(kUpgradeColumns) +
          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
      ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
      stmt.BindText(1, u.id)
          .BindText(2, u.serial_number)
          .BindText(3, u.account_id)
          .BindText(4, u.instance_id)
          .BindText(5, u.version_type)
          .BindText(6, u.version_code)
          .BindText(7, u.from_version)
          .BindText(8, u.sha256)
          .BindText(9, u.state)
          .BindText(10, u.detail)
          .BindInt64(11, u.generation)
          .BindInt64(12, u.bytes_done)
          .BindText(13, u.after_upgrade_id)
          .BindInt64(14, u.create_ms)
          .BindInt64(15, u.update_ms)
          .BindInt64(16, u.deadline_ms);
      RETURN_IF_ERROR(stmt.Run());
    }
    return {};
  });
}

StoreResult<UpgradeRecord> SqliteStore::GetUpgrade(std::string_view id) {
  UpgradeRecord out;
  auto txn_result = RunRead([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "SELECT " + std::string(kUpgradeColumns) + " FROM upgrades WHERE id = ?1";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindText(1, id);
    ASSIGN_OR_RETURN(auto rows, Collect<UpgradeRecord>(stmt, &ReadUpgrade));
    if (rows.empty()) return MakeUnexpected(StoreError{StoreErrorCode::kNotFound, "upgrade"});
    out = std::move(rows.front());
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<std::optional<UpgradeRecord>> SqliteStore::ActiveUpgrade(
    std::string_view serial_number) {
  std::optional<UpgradeRecord> out;
  auto txn_result = RunRead([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "SELECT " + std::string(kUpgradeColumns) +
                                    " FROM upgrades WHERE serial_number = ?1 AND " + kActive;
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindText(1, serial_number);
    ASSIGN_OR_RETURN(auto rows, Collect<UpgradeRecord>(stmt, &ReadUpgrade));
    if (!rows.empty()) out = std::move(rows.front());
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<std::vector<UpgradeRecord>> SqliteStore::ListUpgrades(const UpgradeFilter& filter) {
  std::vector<UpgradeRecord> out;
  auto txn_result = RunRead([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "SELECT " + std::string(kUpgradeColumns) +
        " FROM upgrades WHERE (?1 = '' OR serial_number = ?1) AND (?2 = '' OR instance_id = ?2) "
        "AND (?3 = 0 OR " +
        kActive + ") ORDER BY create_ms DESC, id DESC LIMIT ?4";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindText(1, filter.serial_number)
        .BindText(2, filter.instance_id)
        .BindBool(3, filter.active_only)
        .BindInt64(4, std::max<int64_t>(0, filter.limit));
    ASSIGN_OR_RETURN(out, Collect<UpgradeRecord>(stmt, &ReadUpgrade));
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

StoreResult<bool> SqliteStore::AdvanceUpgrade(std::string_view id, const UpgradeChange& change) {
  bool applied = false;
  auto txn_result = RunWrite([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "SELECT " + std::string(kUpgradeColumns) + " FROM upgrades WHERE id = ?1";
    ASSIGN_OR_RETURN(Statement get, conn.Prepare(kSql));
    get.BindText(1, id);
    ASSIGN_OR_RETURN(auto rows, Collect<UpgradeRecord>(get, &ReadUpgrade));
    if (rows.empty()) return MakeUnexpected(StoreError{StoreErrorCode::kNotFound, "upgrade"});
    UpgradeRecord u = std::move(rows.front());
    if (!ApplyUpgradeChange(change, u)) return {};
    ASSIGN_OR_RETURN(
        Statement upd,
        conn.Prepare("UPDATE upgrades SET state = ?2, detail = ?3, generation = ?4, "
                     "bytes_done = ?5, deadline_ms = ?6, update_ms = ?7 WHERE id = ?1"));
    upd.BindText(1, id)
        .BindText(2, u.state)
        .BindText(3, u.detail)
        .BindInt64(4, u.generation)
        .BindInt64(5, u.bytes_done)
        .BindInt64(6, u.deadline_ms)
        .BindInt64(7, change.now_ms);
    RETURN_IF_ERROR(upd.Run());
    applied = true;
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return applied;
}

StoreResult<std::vector<UpgradeRecord>> SqliteStore::ListExpiredUpgrades(int64_t now_ms,
                                                                         int64_t limit) {
  std::vector<UpgradeRecord> out;
  auto txn_result = RunRead([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql = "SELECT " + std::string(kUpgradeColumns) +
                                    " FROM upgrades WHERE deadline_ms > 0 AND deadline_ms <= ?1 "
                                    "AND " +
                                    kActive + " ORDER BY deadline_ms, id LIMIT ?2";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindInt64(1, now_ms).BindInt64(2, std::max<int64_t>(0, limit));
    ASSIGN_OR_RETURN(out, Collect<UpgradeRecord>(stmt, &ReadUpgrade));
    return {};
  });
  if (!txn_result) return MakeUnexpected(std::move(txn_result).error());
  return out;
}

}  // namespace sag::store
