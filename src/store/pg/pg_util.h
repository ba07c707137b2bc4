// Small RAII wrappers over libpq used by the PostgreSQL store and its migrations: owned connection
// and result handles, typed query parameters (always sent out of line, never spliced into SQL), a
// connection with a per-connection prepared-statement cache that remembers the SQLSTATE of its last
// failure, and the mapping of SQLSTATEs to StoreError. None of these types is thread-safe; a
// connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "store/sql/connection.h"
#include "store/sql/migrations.h"
#include "store/store.h"

struct pg_conn;
struct pg_result;

namespace sag::store::pg {

// The PostgreSQL schema's migrations: each version's DDL (pg_schema.cc), then what both dialects
// share.
std::span<const sql::Migration> Migrations();

// Closes a connection (PQfinish).
struct ConnCloser {
  void operator()(pg_conn* conn) const noexcept;
};
using ConnHandle = std::unique_ptr<pg_conn, ConnCloser>;

// Frees a result (PQclear).
struct ResultFreer {
  void operator()(pg_result* res) const noexcept;
};
using ResultHandle = std::unique_ptr<pg_result, ResultFreer>;

// Where the last failed call of a Connection failed, for callers that react to one constraint.
struct LastError {
  std::string sqlstate;    // e.g. "23505"; empty when the connection itself failed
  std::string constraint;  // the violated constraint's name, if any
  bool connection_lost = false;
};

// True for SQLSTATEs after which the whole transaction can simply be run again: serialization
// failure (40001) and deadlock (40P01).
bool IsRetryable(std::string_view sqlstate);

// One libpq connection with a prepared-statement cache; the PostgreSQL side of sql::Connection.
// Statements run in whatever transaction the caller opened with Exec("BEGIN").
class Connection : public sql::Connection {
 public:
  // Connects with a libpq conninfo string or URI; the error is PQerrorMessage.
  static Result<std::unique_ptr<Connection>, std::string> Open(const std::string& conninfo);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() override;

  // sql::Connection. Values go in binary form with their types (text, int8, bool, bytea), so the
  // shared SQL needs no casts; results come back in binary form.
  sql::Dialect dialect() const override { return sql::Dialect::kPostgres; }
  StoreResult<sql::Rows> Run(const sql::Statement& statement,
                             std::span<const sql::Value> values) override;
  StoreResult<sql::Rows> RunOnce(std::string_view shared_sql,
                                 std::span<const sql::Value> values) override;
  sql::Failure last_failure() const override;
  using sql::Connection::Run;

  // True while the connection is usable.
  bool ok() const;
  // Reconnects a broken connection (PQreset), dropping the statement cache. OK when usable after.
  StoreResult<void> Reset();

  StoreResult<void> Exec(std::string_view sql) override;

  // Where the last failing call failed.
  const LastError& last_error() const { return last_error_; }
  // Forgets the last failure (at the start of a transaction).
  void ClearLastError() { last_error_ = LastError{}; }

  // The underlying handle, for libpq calls these wrappers do not cover.
  pg_conn* raw() const { return conn_.get(); }

 private:
  explicit Connection(ConnHandle conn);
  // OK for a successful res; otherwise records where it failed and returns the mapped error.
  StoreResult<void> Check(const ResultHandle& res, std::string_view sql);
  // Checks res and reads its rows (binary format) into sql::Rows.
  StoreResult<sql::Rows> ReadRows(ResultHandle res, std::string_view sql);

  ConnHandle conn_;
  // A statement prepared on this connection: the text it was prepared from, and its name.
  struct Prepared {
    std::string text;
    std::string name;
  };
  // Keyed by the statement; the text is compared on each use, so a statement at the address of a
  // destroyed one is prepared anew. Emptied by Reset (a new session has none).
  std::unordered_map<const sql::Statement*, Prepared> prepared_;
  int64_t statements_prepared_ = 0;
  LastError last_error_;
};

// Maps a failed result to a StoreError: unique_violation (23505) is kAlreadyExists, other integrity
// violations (23xxx, e.g. foreign keys) kConflict, everything else (lost connection, serialization
// failure, ...) kUnavailable. The detail holds the server's message, the SQLSTATE and the statement
// text (never bound values), for logs.
StoreError MapPgError(const LastError& where, std::string_view message, std::string_view sql);

// conninfo with its dbname replaced by dbname (conninfo may be keyword/value or a URI); the error
// is libpq's parse error.
Result<std::string, std::string> WithDatabase(const std::string& conninfo,
                                              const std::string& dbname);

// A conninfo value quoted for keyword/value syntax ('...' with \ and ' escaped).
std::string QuoteConninfoValue(std::string_view value);

}  // namespace sag::store::pg
