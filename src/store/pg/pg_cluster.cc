// PgStore's ClusterStore methods (store/cluster_store.h): node leases, device presence, the shared
// nonce window and the cluster lock, over the tables of schema version 6.
#include <mutex>

#include "store/pg/pg_store.h"
#include "store/pg/pg_util.h"

namespace sag::store {
namespace {

using pg::Connection;
using pg::Rows;

constexpr std::string_view kPresenceColumns =
    "p.serial_number, p.node_id, p.session_id, p.since_ms, coalesce(n.lease_until_ms, 0)";

DevicePresence ReadPresence(const Rows& rows, int row) {
  return DevicePresence{.serial_number = rows.Text(row, 0),
                        .node_id = rows.Text(row, 1),
                        .session_id = rows.Text(row, 2),
                        .since_ms = rows.Int(row, 3),
                        .node_lease_until_ms = rows.Int(row, 4)};
}

}  // namespace

StoreResult<bool> PgStore::RenewNodeLease(std::string_view node_id, int64_t until_ms) {
  bool existed = false;
  auto done = RunWrite([&](Connection& conn) -> StoreResult<void> {
    // xmax = 0 only for a freshly inserted row.
    ASSIGN_OR_RETURN(
        Rows rows, conn.Query("INSERT INTO cluster_nodes (node_id, lease_until_ms) VALUES ($1, $2) "
                              "ON CONFLICT (node_id) DO UPDATE SET lease_until_ms = "
                              "EXCLUDED.lease_until_ms RETURNING (xmax <> 0)",
                              {node_id, until_ms}));
    existed = !rows.empty() && rows.Bool(0, 0);
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return existed;
}

StoreResult<void> PgStore::RemoveNode(std::string_view node_id) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    RETURN_IF_ERROR(conn.Query("DELETE FROM device_presence WHERE node_id = $1", {node_id}));
    RETURN_IF_ERROR(conn.Query("DELETE FROM cluster_nodes WHERE node_id = $1", {node_id}));
    return {};
  });
}

StoreResult<std::vector<std::string>> PgStore::ExpireNodes(int64_t now_ms) {
  std::vector<std::string> serials;
  auto done = RunWrite([&](Connection& conn) -> StoreResult<void> {
    serials.clear();
    // The DELETE of the nodes locks their rows, so concurrent callers delete each node (and its
    // presences) once.
    ASSIGN_OR_RETURN(
        Rows rows,
        conn.Query("WITH dead AS (DELETE FROM cluster_nodes WHERE lease_until_ms <= $1 "
                   "RETURNING node_id) "
                   "DELETE FROM device_presence WHERE node_id IN (SELECT node_id FROM dead) "
                   "RETURNING serial_number",
                   {now_ms}));
    for (int i = 0; i < rows.size(); ++i) serials.push_back(rows.Text(i, 0));
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return serials;
}

StoreResult<std::optional<DevicePresence>> PgStore::ClaimDevicePresence(
    std::string_view serial_number, std::string_view node_id, std::string_view session_id,
    int64_t now_ms) {
  std::optional<DevicePresence> previous;
  auto done = RunWrite([&](Connection& conn) -> StoreResult<void> {
    previous.reset();
    ASSIGN_OR_RETURN(Rows old,
                     conn.Query(std::string("SELECT ") + std::string(kPresenceColumns) +
                                    " FROM device_presence p LEFT JOIN cluster_nodes n ON "
                                    "n.node_id = p.node_id WHERE p.serial_number = $1 "
                                    "FOR UPDATE OF p",
                                {serial_number}));
    if (!old.empty()) {
      DevicePresence p = ReadPresence(old, 0);
      if (p.node_id != node_id || p.session_id != session_id) previous = std::move(p);
    }
    RETURN_IF_ERROR(
        conn.Query("INSERT INTO device_presence (serial_number, node_id, session_id, since_ms) "
                   "VALUES ($1, $2, $3, $4) ON CONFLICT (serial_number) DO UPDATE SET "
                   "node_id = EXCLUDED.node_id, session_id = EXCLUDED.session_id, "
                   "since_ms = EXCLUDED.since_ms",
                   {serial_number, node_id, session_id, now_ms}));
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return previous;
}

StoreResult<bool> PgStore::ReleaseDevicePresence(std::string_view serial_number,
                                                 std::string_view node_id,
                                                 std::string_view session_id) {
  bool removed = false;
  auto done = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Rows rows, conn.Query("DELETE FROM device_presence WHERE serial_number = $1 "
                                           "AND node_id = $2 AND session_id = $3",
                                           {serial_number, node_id, session_id}));
    removed = rows.affected() > 0;
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return removed;
}

StoreResult<std::optional<DevicePresence>> PgStore::GetDevicePresence(
    std::string_view serial_number, int64_t now_ms) {
  std::optional<DevicePresence> found;
  auto done = RunSingle([&](Connection& conn) -> StoreResult<void> {
    found.reset();
    ASSIGN_OR_RETURN(Rows rows, conn.Query(std::string("SELECT ") + std::string(kPresenceColumns) +
                                               " FROM device_presence p JOIN cluster_nodes n ON "
                                               "n.node_id = p.node_id WHERE p.serial_number = $1 "
                                               "AND n.lease_until_ms > $2",
                                           {serial_number, now_ms}));
    if (!rows.empty()) found = ReadPresence(rows, 0);
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return found;
}

StoreResult<bool> PgStore::RememberNonce(std::string_view access_key_id, std::string_view nonce,
                                         int64_t now_ms, int64_t expires_ms) {
  bool fresh = false;
  // One autocommit statement. It turns synchronous_commit off for its own transaction (set_config
  // with is_local): the statement's commit does not wait for the WAL flush. Only a crash of the
  // PostgreSQL server itself can lose the last fraction of a second of nonces
  // (docs/deployment.md); a node's crash loses none.
  auto done = RunSingle([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(
        Rows rows,
        conn.Query("INSERT INTO nonces (access_key_id, nonce, expires_ms) "
                   "SELECT $1::text, $2::text, $3::bigint FROM (SELECT "
                   "set_config('synchronous_commit', 'off', true)) s "
                   "ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_ms = "
                   "EXCLUDED.expires_ms WHERE nonces.expires_ms <= $4::bigint RETURNING 1",
                   {access_key_id, nonce, expires_ms, now_ms}));
    fresh = !rows.empty();
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return fresh;
}

StoreResult<int64_t> PgStore::PurgeNonces(int64_t now_ms, int64_t limit) {
  int64_t deleted = 0;
  auto done = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Rows rows,
                     conn.Query("DELETE FROM nonces WHERE ctid IN (SELECT ctid FROM nonces WHERE "
                                "expires_ms <= $1 LIMIT $2)",
                                {now_ms, limit}));
    deleted = rows.affected();
    return {};
  });
  if (!done) return MakeUnexpected(std::move(done).error());
  return deleted;
}

StoreResult<void> PgStore::RecordNonces(const std::vector<NonceRecord>& nonces) {
  if (nonces.empty()) return {};
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    // As RememberNonce: this transaction's commit does not wait for the WAL flush.
    RETURN_IF_ERROR(conn.Query("SELECT set_config('synchronous_commit', 'off', true)", {}));
    for (const NonceRecord& n : nonces) {
      RETURN_IF_ERROR(
          conn.Query("INSERT INTO nonces (access_key_id, nonce, expires_ms) VALUES ($1, $2, $3) "
                     "ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_ms = "
                     "GREATEST(nonces.expires_ms, EXCLUDED.expires_ms)",
                     {n.access_key_id, n.nonce, n.expires_ms}));
    }
    return {};
  });
}

StoreResult<void> PgStore::ForEachNonce(int64_t now_ms,
                                        const std::function<void(const NonceRecord&)>& f) {
  std::vector<NonceRecord> found;  // read first: a rerun transaction must not call f twice
  auto done = RunRead([&](Connection& conn) -> StoreResult<void> {
    found.clear();
    ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT access_key_id, nonce, expires_ms FROM nonces "
                                           "WHERE expires_ms > $1",
                                           {now_ms}));
    for (int i = 0; i < rows.size(); ++i) {
      found.push_back(NonceRecord{rows.Text(i, 0), rows.Text(i, 1), rows.Int(i, 2)});
    }
    return {};
  });
  if (!done) return done;
  for (const NonceRecord& record : found) f(record);
  return {};
}

StoreResult<void> PgStore::WithClusterLock(int64_t key,
                                           const std::function<StoreResult<void>()>& f) {
  // A session lock on a connection of its own: f's store calls use the pool meanwhile, and a node
  // that dies holding it releases it with its connection.
  return RunSession([&](Connection& conn) -> StoreResult<void> {
    RETURN_IF_ERROR(conn.Query("SELECT pg_advisory_lock($1)", {key}));
    StoreResult<void> result = f();
    (void)conn.Query("SELECT pg_advisory_unlock($1)", {key});
    return result;
  });
}

}  // namespace sag::store
