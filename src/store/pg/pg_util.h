// Small RAII wrappers over libpq used by the PostgreSQL store and its migrations: owned connection
// and result handles, typed query parameters (always sent out of line, never spliced into SQL), a
// connection with a per-connection prepared-statement cache that remembers the SQLSTATE of its last
// failure, and the mapping of SQLSTATEs to StoreError. None of these types is thread-safe; a
// connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "store/sql/connection.h"
#include "store/store.h"

struct pg_conn;
struct pg_result;

namespace sag::store::pg {

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

// A value for a $n placeholder. Text and integers go as text; bytea goes in binary format, so any
// bytes round-trip.
class Param {
 public:
  Param(std::string_view text) : value_(text) {}             // NOLINT: implicit by design
  Param(const std::string& text) : value_(text) {}           // NOLINT: implicit by design
  Param(const char* text) : value_(text) {}                  // NOLINT: implicit by design
  Param(int64_t number) : value_(std::to_string(number)) {}  // NOLINT: implicit by design
  Param(bool) = delete;  // say Param::Bool(b): a bool would otherwise pass as 0/1
  // A boolean ('t' / 'f').
  static Param Bool(bool value) { return Param(std::string_view(value ? "t" : "f")); }
  // Raw bytes for a bytea column.
  static Param Bytea(std::string_view bytes) {
    Param p{bytes};
    p.binary_ = true;
    return p;
  }

  const std::string& value() const { return value_; }
  bool binary() const { return binary_; }

 private:
  std::string value_;
  bool binary_ = false;
};

using Params = std::vector<Param>;

// The rows a query returned, read as text. Columns are 0-based.
class Rows {
 public:
  explicit Rows(ResultHandle res) : res_(std::move(res)) {}

  int size() const;
  bool empty() const { return size() == 0; }
  // Rows changed by an INSERT/UPDATE/DELETE.
  int64_t affected() const;
  // The column's text ('' for NULL).
  std::string Text(int row, int col) const;
  // The column as an integer (0 for NULL).
  int64_t Int(int row, int col) const;
  // The column as a boolean (false for NULL).
  bool Bool(int row, int col) const;
  // The bytes of a bytea column ('' for NULL).
  std::string Bytea(int row, int col) const;

 private:
  ResultHandle res_;
};

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

  // Runs static SQL without parameters (may hold several statements).
  StoreResult<void> Exec(std::string_view sql) override;
  // Runs sql with params through a statement prepared once per connection. sql must be static text
  // (its text keys the cache).
  StoreResult<Rows> Query(const std::string& sql, const Params& params = {});
  // Runs sql with params without caching a prepared statement (for SQL assembled at run time from
  // fixed fragments and placeholders).
  StoreResult<Rows> QueryUncached(const std::string& sql, const Params& params);

  // Where the last failing call failed.
  const LastError& last_error() const { return last_error_; }
  // Forgets the last failure (at the start of a transaction).
  void ClearLastError() { last_error_ = LastError{}; }

  // The underlying handle, for libpq calls these wrappers do not cover.
  pg_conn* raw() const { return conn_.get(); }

 private:
  explicit Connection(ConnHandle conn);
  StoreResult<Rows> Check(ResultHandle res, std::string_view sql);

  // Checks res like Check and reads its rows (binary format) into sql::Rows.
  StoreResult<sql::Rows> ReadRows(ResultHandle res, std::string_view sql);

  ConnHandle conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::unordered_map<std::string, std::string> typed_;     // shared SQL text -> statement name
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
