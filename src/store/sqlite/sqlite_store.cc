#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "store/connection_pool.h"
#include "store/sqlite/sqlite_util.h"

namespace sag::store {

namespace {

using sqlite::Connection;
using sqlite::Transaction;

// True for paths that name a private in-memory database, which exists once per connection and so
// must be served by exactly one connection.
bool IsInMemory(const std::string& path) {
  return path.empty() || path == ":memory:" || path.starts_with("file::memory:") ||
         path.find("mode=memory") != std::string::npos;
}

// work in one transaction on conn (BEGIN IMMEDIATE when write, else DEFERRED).
StoreResult<void> RunIn(Connection& conn, bool write,
                        const std::function<StoreResult<void>(sql::Connection&)>& work) {
  ASSIGN_OR_RETURN(
      Transaction transaction,
      Transaction::Begin(conn, write ? Transaction::Mode::kWrite : Transaction::Mode::kRead));
  RETURN_IF_ERROR(work(conn));  // on failure, transaction rolls back as it goes out of scope
  return transaction.Commit();
}

}  // namespace

struct SqliteStore::Impl {
  ConnectionPool<Connection> pool;
  std::mutex write_mu;  // one writer at a time in this process; no busy-waiting on the write lock
  int64_t schema_version = 0;
};

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>, std::string> SqliteStore::Open(const std::string& path,
                                                                    int pool_size) {
  const bool memory = IsInMemory(path);
  const int connections = memory ? 1 : std::max(1, pool_size);
  sqlite::ConnectionOptions options;
  options.require_wal = !memory;

  auto impl = std::make_unique<Impl>();
  for (int i = 0; i < connections; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(path, options));
    if (i == 0) {  // migrate before any other connection caches statements against the schema
      ASSIGN_OR_RETURN(impl->schema_version, sql::ApplyMigrations(*conn, sqlite::Migrations()));
    }
    impl->pool.Add(std::move(conn));
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

int64_t SqliteStore::schema_version() const { return impl_->schema_version; }

Store::PoolStats SqliteStore::pool_stats() const {
  return PoolStats{.waits = impl_->pool.waits(), .wait_ns = impl_->pool.wait_ns()};
}

StoreResult<void> SqliteStore::RunTransaction(sql::Txn txn, const Work& work) {
  const bool write = txn == sql::Txn::kWrite || txn == sql::Txn::kWriteUnsynced;
  std::unique_lock<std::mutex> writer;
  if (write) writer = std::unique_lock(impl_->write_mu);
  ConnectionPool<Connection>::Lease lease = impl_->pool.Borrow();
  if (txn == sql::Txn::kReadOne) return work(*lease);
  if (txn != sql::Txn::kWriteUnsynced) return RunIn(*lease, write, work);
  // synchronous=NORMAL for this transaction only: in WAL mode its commit survives a crash of the
  // process at once, and a power loss once a later commit has synced the log.
  RETURN_IF_ERROR((*lease).Exec("PRAGMA synchronous=NORMAL"));
  StoreResult<void> result = RunIn(*lease, write, work);
  if (!(*lease).Exec("PRAGMA synchronous=FULL")) {
    // The connection goes back to the pool: every later commit on it must wait for the disk.
    // Setting a pragma touches no file, so this cannot fail short of memory corruption.
    std::abort();
  }
  return result;
}

StoreResult<void> SqliteStore::WithClusterLock(int64_t /*key*/,
                                               const std::function<StoreResult<void>()>& f) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  return f();
}

}  // namespace sag::store
