// The embedded store: store::SqlStore over one SQLite database file, in WAL mode with
// synchronous=FULL, so an OK return means the change is on disk (it survives kill -9 and power
// loss).
//
// Concurrency: calls borrow a connection from a small pool, so reads run in parallel; writes are
// serialized in-process and each runs in one BEGIN IMMEDIATE transaction (the database's write
// lock, held from the start: checks and changes are atomic across threads and processes) that is
// rolled back on any failure. Other processes may open the same file (busy timeout 5 s).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "store/sql/sql_store.h"

namespace sag::store {

// Store on SQLite. Thread-safe.
class SqliteStore : public SqlStore {
 public:
  // Opens (creating if needed) the database at path and brings its schema up to date. path is a
  // file name, or ":memory:" for a private in-memory database (one connection, gone when closed).
  // Uses pool_size connections (at least 1). Fails with a readable message when the file cannot be
  // opened or migrated, e.g. when its schema version is newer than this build knows.
  static Result<std::unique_ptr<SqliteStore>, std::string> Open(const std::string& path,
                                                                int pool_size = 4);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  // The schema version the database was at after Open (see store/sql/migrations.h).
  int64_t schema_version() const;
  // The connection pool's waits.
  PoolStats pool_stats() const override;

  // One SQLite node per database file: a process-wide mutex is the whole cluster.
  StoreResult<void> WithClusterLock(int64_t key,
                                    const std::function<StoreResult<void>()>& f) override;

 protected:
  // kReadOne: autocommit on a borrowed connection; kRead: BEGIN DEFERRED; kWrite: BEGIN IMMEDIATE
  // under the in-process write lock (kWriteUnsynced: with synchronous=NORMAL). Never reruns work
  // (the busy timeout already waited).
  StoreResult<void> RunTransaction(sql::Txn txn, const Work& work) override;

 private:
  struct Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace sag::store
