// Small RAII wrappers over the SQLite C API used by the SQLite store and its migrations: owned
// database and statement handles, a statement-in-use that binds, steps, reads and resets itself, a
// connection with a per-connection prepared-statement cache, and a transaction guard that rolls
// back unless committed. None of these types is thread-safe; a connection is used by one thread at
// a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "store/sql/connection.h"
#include "store/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sag::store::sqlite {

// Closes a database handle (sqlite3_close_v2).
struct DbCloser {
  void operator()(sqlite3* db) const noexcept;
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

// Finalizes a prepared statement.
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const noexcept;
};
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Maps an SQLite result code to a StoreError: PRIMARY KEY/UNIQUE violations are kAlreadyExists,
// other constraint violations (foreign keys, CHECK, NOT NULL) kConflict, CORRUPT/NOTADB kCorrupt
// and everything else (BUSY, IOERR, FULL, ...) kUnavailable. The detail holds sqlite3_errmsg and,
// when given, the statement's SQL text (never bound values), for logs.
StoreError MapSqliteError(sqlite3* db, int rc, std::string_view sql = {});
// How the store reacts to an SQLite result code (extended codes distinguish the constraints).
sql::Failure ClassifySqliteError(int rc);

// A prepared statement being used once: bind parameters (1-based), step through rows, read columns.
// A bind failure is remembered and reported by the next Step. On destruction the statement is reset
// and its bindings cleared, so a cached statement is ready for the next use and holds no read lock.
class Statement {
 public:
  // Uses `stmt`, which `owned` owns when the statement is not cached (else owned is null).
  Statement(sqlite3_stmt* stmt, StmtHandle owned);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds text (never NULL: an empty view binds '').
  Statement& BindText(int index, std::string_view value);
  // Binds a BLOB (never NULL: an empty value binds a zero-length BLOB).
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindInt64(int index, int64_t value);
  Statement& BindBool(int index, bool value);

  // Advances to the next row: true when a row is available, false when done; an error otherwise.
  StoreResult<bool> Step();
  // Steps a statement that returns no rows (INSERT/UPDATE/DELETE) to completion.
  StoreResult<void> Run();

  // Column accessors for the current row (0-based). NULL reads as "" / 0 / false.
  std::string ColumnText(int index) const;
  std::string ColumnBlob(int index) const;
  int64_t ColumnInt64(int index) const;
  bool ColumnBool(int index) const;

 private:
  sqlite3_stmt* stmt_;
  StmtHandle owned_;
  int bind_error_ = 0;  // first failing sqlite3_bind_* result, 0 when all succeeded
};

// The pragmas and options a connection is opened with.
struct ConnectionOptions {
  bool require_wal = true;  // fail unless journal_mode=WAL took effect (false for in-memory)
  int busy_timeout_ms = 5000;
};

// One open database connection with its prepared-statement cache; the SQLite side of
// sql::Connection.
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

  // sql::Connection.
  sql::Dialect dialect() const override { return sql::Dialect::kSqlite; }
  StoreResult<sql::Rows> Run(const sql::Statement& statement,
                             std::span<const sql::Value> values) override;
  StoreResult<sql::Rows> RunOnce(std::string_view shared_sql,
                                 std::span<const sql::Value> values) override;
  sql::Failure last_failure() const override { return last_failure_; }
  using sql::Connection::Run;

  sqlite3* db() const { return db_.get(); }

  // The statement for sql, prepared once per connection and reused. sql must be static text with
  // ? parameters; the same text must not be in use twice at once on this connection.
  StoreResult<Statement> Prepare(std::string_view sql);
  // Prepares sql for one use only (for SQL whose shape varies, e.g. a list filter).
  StoreResult<Statement> PrepareUncached(std::string_view sql);
  // Executes static SQL text without parameters or results (BEGIN, COMMIT, DDL, ...).
  StoreResult<void> Exec(std::string_view sql) override;
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;

 private:
  explicit Connection(DbHandle db);

  // Lets the cache be searched with a string_view, without building a string per call.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };

  // Binds values to stmt, steps it to completion and reads every row.
  StoreResult<sql::Rows> Execute(sqlite3_stmt* stmt, std::span<const sql::Value> values);

  DbHandle db_;
  std::unordered_map<std::string, StmtHandle, SqlHash, std::equal_to<>> cache_;
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
  void Rollback() noexcept;

  Connection* conn_;  // null once committed or moved from
};

}  // namespace sag::store::sqlite
