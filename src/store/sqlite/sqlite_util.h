// The SQLite side of sql::Connection: one open database with its prepared-statement cache, the
// mapping of SQLite result codes to StoreError and sql::Failure, a transaction guard that rolls
// back unless committed, and the SQLite schema. None of these types is thread-safe; a connection is
// used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "store/sql/connection.h"
#include "store/sql/migrations.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sag::store::sqlite {

// The SQLite schema's migrations: each version's DDL (sqlite_schema.cc), then what both dialects
// share.
std::span<const sql::Migration> Migrations();

// Maps an SQLite result code to a StoreError: PRIMARY KEY/UNIQUE violations are kAlreadyExists,
// other constraint violations (foreign keys, CHECK, NOT NULL) kConflict, CORRUPT/NOTADB kCorrupt
// and everything else (BUSY, IOERR, FULL, ...) kUnavailable. The detail holds sqlite3_errmsg and,
// when given, the statement's SQL text (never bound values), for logs.
StoreError MapSqliteError(sqlite3* db, int rc, std::string_view sql = {});
// How the store reacts to an SQLite result code (extended codes distinguish the constraints).
sql::Failure ClassifySqliteError(int rc);

// The pragmas and options a connection is opened with.
struct ConnectionOptions {
  bool require_wal = true;  // fail unless journal_mode=WAL took effect (false for in-memory)
  int busy_timeout_ms = 5000;
};

class Connection : public sql::Connection {
 public:
  // Opens (creating if needed) the database at path (a file name, ":memory:" or a file: URI) and
  // sets journal_mode=WAL, synchronous=FULL, foreign_keys=ON and the busy timeout. Errors are
  // human-readable messages naming the path.
  static Result<std::unique_ptr<Connection>, std::string> Open(const std::string& path,
                                                               const ConnectionOptions& options);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() override;

  // sql::Connection. Statements are prepared once per connection and reset
  // after each use, so a cached statement holds no read lock.
  sql::Dialect dialect() const override { return sql::Dialect::kSqlite; }
  StoreResult<sql::Rows> Run(const sql::Statement& statement,
                             std::span<const sql::Value> values) override;
  StoreResult<sql::Rows> RunOnce(std::string_view shared_sql,
                                 std::span<const sql::Value> values) override;
  StoreResult<void> Exec(std::string_view script) override;
  sql::Failure last_failure() const override { return last_failure_; }
  using sql::Connection::Run;

  sqlite3* db() const { return db_.get(); }

 private:
  struct DbCloser {
    void operator()(sqlite3* db) const noexcept;
  };
  struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };
  using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;
  // A prepared statement of the cache, with the text it was prepared from.
  struct Cached {
    std::string text;
    StmtHandle stmt;
  };

  explicit Connection(sqlite3* db);
  // Prepares text (SQLite's own form); persistent: for the cache.
  Result<StmtHandle, StoreError> Prepare(std::string_view text, bool persistent);
  // Binds values to stmt, steps it to completion and reads every row.
  StoreResult<sql::Rows> Execute(sqlite3_stmt* stmt, std::span<const sql::Value> values);
  StoreError Fail(int rc, std::string_view sql);

  std::unique_ptr<sqlite3, DbCloser> db_;
  // Keyed by the statement (static ones live as long as the process); the text is compared on each
  // use, so a statement at the address of a destroyed one is prepared anew.
  std::unordered_map<const sql::Statement*, Cached> cache_;
  sql::Failure last_failure_ = sql::Failure::kNone;
};

// A transaction on one connection: Begin starts it, Commit ends it; a transaction destroyed without
// a successful Commit is rolled back, so a failed operation leaves nothing half-written.
class Transaction {
 public:
  enum class Mode {
    kRead,   // BEGIN DEFERRED: a consistent snapshot for several reads
    kWrite,  // BEGIN IMMEDIATE: takes the write lock up front (no deadlock on lock upgrade)
  };

  static StoreResult<Transaction> Begin(Connection& conn, Mode mode);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Commits; on failure the transaction is rolled back (by the destructor) and the error returned.
  StoreResult<void> Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}

  Connection* conn_;  // null once committed or moved from
};

}  // namespace sag::store::sqlite
