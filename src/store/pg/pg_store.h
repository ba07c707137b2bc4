// The shared store: store::SqlStore over one PostgreSQL database, for several sagd nodes serving
// the same data (docs/deployment.md). An OK return means the transaction committed (durable per
// the server's settings).
//
// Concurrency: calls borrow a connection from a fixed pool; every method is one transaction, rolled
// back on any failure. Writes run at READ COMMITTED and take row locks (SELECT ... FOR UPDATE /
// FOR SHARE) on the rows their checks depend on, so the invariants hold across processes and nodes,
// not just threads; reads that need several statements run in one REPEATABLE READ READ ONLY
// snapshot. Serialization failures and deadlocks (SQLSTATE 40001, 40P01) rerun the transaction a
// few times; a lost connection is reconnected on the next call and the call reports kUnavailable
// (its transaction was rolled back by the server) unless it failed before any work, when it is
// rerun. Text keys compare bytewise (COLLATE "C"), as on SQLite.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "store/sql/sql_store.h"

namespace sag::store {

// Store on PostgreSQL. Thread-safe.
class PgStore : public SqlStore {
 public:
  // Connects pool_size connections (at least 1) with the libpq conninfo (keyword/value or a
  // postgresql:// URI) and brings the schema up to date. Fails with a readable message when the
  // server cannot be reached or the schema cannot be migrated, e.g. when its version is newer than
  // this build knows.
  static Result<std::unique_ptr<PgStore>, std::string> Open(const std::string& conninfo,
                                                            int pool_size = 4);

  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;
  ~PgStore() override;

  // The schema version the database was at after Open (see store/sql/migrations.h).
  int64_t schema_version() const;
  // The connection pool's waits.
  PoolStats pool_stats() const override;

  // A session advisory lock on a connection of its own: f's store calls use the pool meanwhile,
  // and a node that dies holding it releases it with its connection.
  StoreResult<void> WithClusterLock(int64_t key,
                                    const std::function<StoreResult<void>()>& f) override;
  // One autocommit statement whose commit does not wait for the WAL flush (synchronous_commit off
  // for its own transaction): only a crash of the PostgreSQL server itself can lose the last
  // fraction of a second of nonces (docs/deployment.md); a node's crash loses none.
  StoreResult<bool> RememberNonce(std::string_view access_key_id, std::string_view nonce,
                                  int64_t now_ms, int64_t expires_ms) override;

 protected:
  StoreResult<void> RunTransaction(sql::Txn txn, const Work& work) override;
  // Notifies every node ({"t":"setting","key":...} on pg::kClusterChannel) when PutSetting
  // commits.
  StoreResult<void> AnnounceSettingChanged(sql::Connection& conn, std::string_view key) override;

 private:
  struct Impl;
  explicit PgStore(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace sag::store
