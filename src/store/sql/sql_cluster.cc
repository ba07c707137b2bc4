// SqlStore: node leases, device presence and the shared nonce window (store/cluster_store.h). A
// single SQLite node uses only WithClusterLock and the nonce journal (RecordNonces, ForEachNonce,
// PurgeNonces) and keeps presence in memory; the rest runs on SQLite too, so that one contract
// suite covers every backend.
#include <algorithm>
#include <functional>
#include <vector>

#include "store/sql/queries.h"
#include "store/sql/sql_store.h"

namespace sag::store {

namespace {

using sql::Connection;
using sql::Rows;
using sql::Statement;
using sql::Txn;

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

StoreResult<bool> SqlStore::RenewNodeLease(std::string_view node_id, int64_t until_ms) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<bool> {
    // The UPDATE locks the node's row: an ExpireNodes that deleted it first makes this find none
    // (and the node then claims its presences again); one that comes later sees the new lease.
    static const Statement kRenew(
        "UPDATE cluster_nodes SET lease_until_ms = $2 WHERE node_id = $1");
    ASSIGN_OR_RETURN(Rows renewed, conn.Run(kRenew, {node_id, until_ms}));
    if (renewed.affected() > 0) return true;
    static const Statement kCreate(
        "INSERT INTO cluster_nodes (node_id, lease_until_ms) VALUES ($1, $2) "
        "ON CONFLICT (node_id) DO UPDATE SET lease_until_ms = excluded.lease_until_ms");
    RETURN_IF_ERROR(sql::Exec(conn, kCreate, {node_id, until_ms}));
    return false;
  });
}

StoreResult<void> SqlStore::RemoveNode(std::string_view node_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    static const Statement kPresences("DELETE FROM device_presence WHERE node_id = $1");
    static const Statement kNode("DELETE FROM cluster_nodes WHERE node_id = $1");
    RETURN_IF_ERROR(sql::Exec(conn, kPresences, {node_id}));
    return sql::Exec(conn, kNode, {node_id});
  });
}

StoreResult<std::vector<std::string>> SqlStore::ExpireNodes(int64_t now_ms) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<std::vector<std::string>> {
    // Deleting the nodes first locks their rows: of concurrent callers, one deletes each node and
    // then its presences; the others find neither.
    static const Statement kDead(
        "DELETE FROM cluster_nodes WHERE lease_until_ms <= $1 RETURNING node_id");
    static const Statement kPresences(
        "DELETE FROM device_presence WHERE node_id = $1 RETURNING serial_number");
    ASSIGN_OR_RETURN(Rows dead, conn.Run(kDead, {now_ms}));
    std::vector<std::string> serials;
    for (int i = 0; i < dead.size(); ++i) {
      ASSIGN_OR_RETURN(Rows presences, conn.Run(kPresences, {dead.View(i, 0)}));
      for (int p = 0; p < presences.size(); ++p) serials.push_back(presences.Text(p, 0));
    }
    std::sort(serials.begin(), serials.end());
    return serials;
  });
}

StoreResult<std::optional<DevicePresence>> SqlStore::ClaimDevicePresence(
    std::string_view serial_number, std::string_view node_id, std::string_view session_id,
    int64_t now_ms) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<std::optional<DevicePresence>> {
    static const Statement kOld("SELECT " + std::string(kPresenceColumns) +
                                " FROM device_presence p LEFT JOIN cluster_nodes n ON "
                                "n.node_id = p.node_id WHERE p.serial_number = $1 FOR UPDATE OF p");
    ASSIGN_OR_RETURN(std::optional<DevicePresence> old,
                     sql::FindOne(conn, kOld, {serial_number}, &ReadPresence));
    if (old && old->node_id == node_id && old->session_id == session_id) old.reset();
    static const Statement kClaim(
        "INSERT INTO device_presence (serial_number, node_id, session_id, since_ms) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (serial_number) DO UPDATE SET "
        "node_id = excluded.node_id, session_id = excluded.session_id, "
        "since_ms = excluded.since_ms");
    RETURN_IF_ERROR(sql::Exec(conn, kClaim, {serial_number, node_id, session_id, now_ms}));
    return old;
  });
}

StoreResult<bool> SqlStore::ReleaseDevicePresence(std::string_view serial_number,
                                                  std::string_view node_id,
                                                  std::string_view session_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<bool> {
    static const Statement kRelease(
        "DELETE FROM device_presence WHERE serial_number = $1 AND node_id = $2 AND "
        "session_id = $3");
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kRelease, {serial_number, node_id, session_id}));
    return rows.affected() > 0;
  });
}

StoreResult<std::optional<DevicePresence>> SqlStore::GetDevicePresence(
    std::string_view serial_number, int64_t now_ms) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kGet("SELECT " + std::string(kPresenceColumns) +
                                " FROM device_presence p JOIN cluster_nodes n ON "
                                "n.node_id = p.node_id WHERE p.serial_number = $1 "
                                "AND n.lease_until_ms > $2");
    return sql::FindOne(conn, kGet, {serial_number, now_ms}, &ReadPresence);
  });
}

StoreResult<bool> SqlStore::RememberNonce(std::string_view access_key_id, std::string_view nonce,
                                          int64_t now_ms, int64_t expires_ms) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<bool> {
    static const Statement kRemember(
        "INSERT INTO nonces (access_key_id, nonce, expires_ms) VALUES ($1, $2, $3) "
        "ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_ms = excluded.expires_ms "
        "WHERE nonces.expires_ms <= $4");
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kRemember, {access_key_id, nonce, expires_ms, now_ms}));
    return rows.affected() > 0;
  });
}

StoreResult<void> SqlStore::RecordNonces(const std::vector<NonceRecord>& nonces) {
  if (nonces.empty()) return {};
  return Transact(Txn::kWriteUnsynced, [&](Connection& conn) -> StoreResult<void> {
    static const Statement kRecord(
        "INSERT INTO nonces (access_key_id, nonce, expires_ms) VALUES ($1, $2, $3) "
        "ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_ms = "
        "GREATEST(nonces.expires_ms, excluded.expires_ms)");
    for (const NonceRecord& n : nonces) {
      RETURN_IF_ERROR(sql::Exec(conn, kRecord, {n.access_key_id, n.nonce, n.expires_ms}));
    }
    return {};
  });
}

StoreResult<void> SqlStore::ForEachNonce(int64_t now_ms,
                                         const std::function<void(const NonceRecord&)>& f) {
  // Page by page in key order, each page read before f sees it (a rerun read must not call f
  // twice), so memory stays bounded whatever the size of the journal.
  static const Statement kPage(
      "SELECT access_key_id, nonce, expires_ms FROM nonces WHERE expires_ms > $1 "
      "AND (access_key_id, nonce) > ($2, $3) ORDER BY access_key_id, nonce LIMIT $4");
  constexpr int64_t kPageSize = 1000;
  NonceRecord last;
  while (true) {
    auto page = Transact(Txn::kReadOne, [&](Connection& conn) {
      return conn.Run(kPage, {now_ms, last.access_key_id, last.nonce, kPageSize});
    });
    if (!page) return MakeUnexpected(std::move(page).error());
    for (int i = 0; i < page->size(); ++i) {
      last = NonceRecord{page->Text(i, 0), page->Text(i, 1), page->Int(i, 2)};
      f(last);
    }
    if (page->size() < kPageSize) return {};
  }
}

StoreResult<int64_t> SqlStore::PurgeNonces(int64_t now_ms, int64_t limit) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<int64_t> {
    static const Statement kPurge(
        "DELETE FROM nonces WHERE (access_key_id, nonce) IN (SELECT access_key_id, nonce "
        "FROM nonces WHERE expires_ms <= $1 LIMIT $2)");
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kPurge, {now_ms, limit}));
    return rows.affected();
  });
}

}  // namespace sag::store
