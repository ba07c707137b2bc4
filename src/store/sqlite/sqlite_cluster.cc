// SqliteStore's ClusterStore methods (store/cluster_store.h), with the outcomes of PgStore's. A
// single SQLite node keeps presence and nonces in memory and uses only WithClusterLock; these
// exist so that one contract suite covers both backends.
#include <mutex>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"

namespace sag::store {
namespace {

using sqlite::Connection;
using sqlite::Statement;

constexpr std::string_view kPresenceColumns =
    "p.serial_number, p.node_id, p.session_id, p.since_ms, coalesce(n.lease_until_ms, 0)";

DevicePresence ReadPresence(const Statement& s) {
  return DevicePresence{.serial_number = s.ColumnText(0),
                        .node_id = s.ColumnText(1),
                        .session_id = s.ColumnText(2),
                        .since_ms = s.ColumnInt64(3),
                        .node_lease_until_ms = s.ColumnInt64(4)};
}

}  // namespace

StoreResult<bool> SqliteStore::RenewNodeLease(std::string_view node_id, int64_t until_ms) {
  bool existed = false;
  auto done = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(
        Statement update,
        conn.Prepare("UPDATE cluster_nodes SET lease_until_ms = ?2 WHERE node_id = ?1"));
    update.BindText(1, node_id).BindInt64(2, until_ms);
    RETURN_IF_ERROR(update.Run());
    existed = conn.Changes() > 0;
    if (existed) return {};
    ASSIGN_OR_RETURN(Statement insert, conn.Prepare("INSERT INTO cluster_nodes (node_id, "
                                                    "lease_until_ms) VALUES (?1, ?2)"));
    insert.BindText(1, node_id).BindInt64(2, until_ms);
    return insert.Run();
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return existed;
}

StoreResult<void> SqliteStore::RemoveNode(std::string_view node_id) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    for (const char* sql : {"DELETE FROM device_presence WHERE node_id = ?1",
                            "DELETE FROM cluster_nodes WHERE node_id = ?1"}) {
      ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
      stmt.BindText(1, node_id);
      RETURN_IF_ERROR(stmt.Run());
    }
    return {};
  });
}

StoreResult<std::vector<std::string>> SqliteStore::ExpireNodes(int64_t now_ms) {
  std::vector<std::string> serials;
  auto done = RunWrite([&](Connection& conn) -> StoreResult<void> {
    serials.clear();
    ASSIGN_OR_RETURN(
        Statement select,
        conn.Prepare("SELECT p.serial_number FROM device_presence p JOIN cluster_nodes "
                     "n ON n.node_id = p.node_id WHERE n.lease_until_ms <= ?1 "
                     "ORDER BY p.serial_number"));
    select.BindInt64(1, now_ms);
    while (true) {
      ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) break;
      serials.push_back(select.ColumnText(0));
    }
    for (const char* sql :
         {"DELETE FROM device_presence WHERE node_id IN (SELECT node_id FROM cluster_nodes WHERE "
          "lease_until_ms <= ?1)",
          "DELETE FROM cluster_nodes WHERE lease_until_ms <= ?1"}) {
      ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
      stmt.BindInt64(1, now_ms);
      RETURN_IF_ERROR(stmt.Run());
    }
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return serials;
}

StoreResult<std::optional<DevicePresence>> SqliteStore::ClaimDevicePresence(
    std::string_view serial_number, std::string_view node_id, std::string_view session_id,
    int64_t now_ms) {
  std::optional<DevicePresence> previous;
  auto done = RunWrite([&](Connection& conn) -> StoreResult<void> {
    previous.reset();
    ASSIGN_OR_RETURN(Statement old,
                     conn.Prepare(std::string("SELECT ") + std::string(kPresenceColumns) +
                                  " FROM device_presence p LEFT JOIN cluster_nodes n ON n.node_id "
                                  "= p.node_id WHERE p.serial_number = ?1"));
    old.BindText(1, serial_number);
    ASSIGN_OR_RETURN(const bool row, old.Step());
    if (row) {
      DevicePresence p = ReadPresence(old);
      if (p.node_id != node_id || p.session_id != session_id) previous = std::move(p);
    }
    ASSIGN_OR_RETURN(
        Statement upsert,
        conn.Prepare("INSERT INTO device_presence (serial_number, node_id, "
                     "session_id, since_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
                     "(serial_number) DO UPDATE SET node_id = excluded.node_id, "
                     "session_id = excluded.session_id, since_ms = excluded.since_ms"));
    upsert.BindText(1, serial_number).BindText(2, node_id).BindText(3, session_id);
    upsert.BindInt64(4, now_ms);
    return upsert.Run();
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return previous;
}

StoreResult<bool> SqliteStore::ReleaseDevicePresence(std::string_view serial_number,
                                                     std::string_view node_id,
                                                     std::string_view session_id) {
  bool removed = false;
  auto done = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("DELETE FROM device_presence WHERE serial_number = ?1 AND "
                                  "node_id = ?2 AND session_id = ?3"));
    stmt.BindText(1, serial_number).BindText(2, node_id).BindText(3, session_id);
    RETURN_IF_ERROR(stmt.Run());
    removed = conn.Changes() > 0;
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return removed;
}

StoreResult<std::optional<DevicePresence>> SqliteStore::GetDevicePresence(
    std::string_view serial_number, int64_t now_ms) {
  std::optional<DevicePresence> found;
  auto done = RunRead([&](Connection& conn) -> StoreResult<void> {
    found.reset();
    ASSIGN_OR_RETURN(
        Statement stmt,
        conn.Prepare(std::string("SELECT ") + std::string(kPresenceColumns) +
                     " FROM device_presence p JOIN cluster_nodes n ON n.node_id = "
                     "p.node_id WHERE p.serial_number = ?1 AND n.lease_until_ms > ?2"));
    stmt.BindText(1, serial_number).BindInt64(2, now_ms);
    ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (row) found = ReadPresence(stmt);
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return found;
}

StoreResult<bool> SqliteStore::RememberNonce(std::string_view access_key_id, std::string_view nonce,
                                             int64_t now_ms, int64_t expires_ms) {
  bool fresh = false;
  auto done = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(
        Statement stmt,
        conn.Prepare("INSERT INTO nonces (access_key_id, nonce, expires_ms) VALUES "
                     "(?1, ?2, ?3) ON CONFLICT (access_key_id, nonce) DO UPDATE SET "
                     "expires_ms = excluded.expires_ms WHERE nonces.expires_ms <= ?4"));
    stmt.BindText(1, access_key_id).BindText(2, nonce).BindInt64(3, expires_ms);
    stmt.BindInt64(4, now_ms);
    RETURN_IF_ERROR(stmt.Run());
    fresh = conn.Changes() > 0;
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return fresh;
}

StoreResult<int64_t> SqliteStore::PurgeNonces(int64_t now_ms, int64_t limit) {
  int64_t deleted = 0;
  auto done = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("DELETE FROM nonces WHERE rowid IN (SELECT rowid FROM nonces "
                                  "WHERE expires_ms <= ?1 LIMIT ?2)"));
    stmt.BindInt64(1, now_ms).BindInt64(2, limit);
    RETURN_IF_ERROR(stmt.Run());
    deleted = conn.Changes();
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return deleted;
}

StoreResult<void> SqliteStore::RecordNonces(const std::vector<NonceRecord>& nonces) {
  if (nonces.empty()) return {};
  return RunWriteWithoutSync([&](Connection& conn) -> StoreResult<void> {
    for (const NonceRecord& n : nonces) {
      // Cached: preparing again only looks the statement up (and each use resets it).
      ASSIGN_OR_RETURN(
          Statement stmt,
          conn.Prepare("INSERT INTO nonces (access_key_id, nonce, expires_ms) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_ms = "
                       "max(nonces.expires_ms, excluded.expires_ms)"));
      stmt.BindText(1, n.access_key_id).BindText(2, n.nonce).BindInt64(3, n.expires_ms);
      RETURN_IF_ERROR(stmt.Run());
    }
    return {};
  });
}

StoreResult<void> SqliteStore::ForEachNonce(int64_t now_ms,
                                            const std::function<void(const NonceRecord&)>& f) {
  return RunRead([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("SELECT access_key_id, nonce, expires_ms FROM nonces "
                                  "WHERE expires_ms > ?1"));
    stmt.BindInt64(1, now_ms);
    NonceRecord record;
    while (true) {
      ASSIGN_OR_RETURN(const bool row, stmt.Step());
      if (!row) return {};
      record.access_key_id = stmt.ColumnText(0);
      record.nonce = stmt.ColumnText(1);
      record.expires_ms = stmt.ColumnInt64(2);
      f(record);
    }
  });
}

StoreResult<void> SqliteStore::WithClusterLock(int64_t /*key*/,
                                               const std::function<StoreResult<void>()>& f) {
  // One SQLite node per database file: a process-wide mutex is the whole cluster.
  static std::mutex mu;
  std::lock_guard lock(mu);
  return f();
}

}  // namespace sag::store
