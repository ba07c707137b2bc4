#include "store/sqlite/sqlite_util.h"

#include <utility>

#include <sqlite3.h>

namespace sag::store::sqlite {

namespace {

// How much of a statement's SQL text goes into an error detail.
constexpr size_t kSqlExcerptChars = 120;

}  // namespace

StoreError MapSqliteError(sqlite3* db, int rc, std::string_view sql) {
  StoreError error;
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      error.code = (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
                       ? StoreErrorCode::kAlreadyExists
                       : StoreErrorCode::kConflict;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      error.code = StoreErrorCode::kCorrupt;
      break;
    default:
      error.code = StoreErrorCode::kUnavailable;
      break;
  }
  error.detail = "sqlite: ";
  // errmsg describes the connection's most recent failure; fall back to the code's generic text.
  const char* message =
      db != nullptr && sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  error.detail += message != nullptr ? message : "unknown error";
  error.detail += " (code " + std::to_string(rc) + ")";
  if (!sql.empty()) {
    error.detail += " in: ";
    error.detail += sql.substr(0, kSqlExcerptChars);
  }
  return error;
}

sql::Failure ClassifySqliteError(int rc) {
  switch (rc) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return sql::Failure::kUniqueViolation;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return sql::Failure::kForeignKeyViolation;
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return sql::Failure::kNone;
    case SQLITE_CONSTRAINT:
      return sql::Failure::kOtherConstraint;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return sql::Failure::kBusy;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return sql::Failure::kCorrupt;
    default:
      return sql::Failure::kOther;
  }
}

// Connection --------------------------------------------------------------------------------------

void Connection::DbCloser::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }

void Connection::StmtFinalizer::operator()(sqlite3_stmt* stmt) const noexcept {
  sqlite3_finalize(stmt);
}

Connection::Connection(sqlite3* db) : db_(db) {}

Connection::~Connection() {
  cache_.clear();  // statements must be finalized before the handle closes
}

Result<std::unique_ptr<Connection>, std::string> Connection::Open(
    const std::string& path, const ConnectionOptions& options) {
  if (sqlite3_threadsafe() == 0) {
    return MakeUnexpected(std::string("sqlite: library was built without thread support"));
  }
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
                    SQLITE_OPEN_NOMUTEX;  // one thread at a time per connection (the pool's lease)
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Connection> conn(new Connection(raw));  // closes even a handle whose open failed
  if (rc != SQLITE_OK) {
    return MakeUnexpected("sqlite: cannot open database '" + path +
                          "': " + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);

  // The single text result of a pragma ("" on failure).
  auto pragma = [&conn](std::string_view sql) -> std::string {
    auto rows = conn->RunOnce(sql, {});
    return rows && !rows->empty() ? rows->Text(0, 0) : std::string();
  };
  auto wal = conn->RunOnce("PRAGMA journal_mode=WAL", {});
  if (!wal) {
    return MakeUnexpected("sqlite: PRAGMA journal_mode=WAL on '" + path +
                          "' failed: " + wal.error().detail);
  }
  const std::string mode = wal->empty() ? std::string() : wal->Text(0, 0);
  if (options.require_wal && mode != "wal") {
    return MakeUnexpected("sqlite: cannot enable WAL on '" + path + "' (journal_mode is '" + mode +
                          "')");
  }
  for (std::string_view sql :
       {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA trusted_schema=OFF"}) {
    if (auto r = conn->Exec(sql); !r) {
      return MakeUnexpected("sqlite: " + std::string(sql) + " on '" + path +
                            "' failed: " + r.error().detail);
    }
  }
  if (pragma("PRAGMA synchronous") != "2") {  // 2 = FULL
    return MakeUnexpected("sqlite: cannot set synchronous=FULL on '" + path + "'");
  }
  if (pragma("PRAGMA foreign_keys") != "1") {
    return MakeUnexpected("sqlite: cannot enable foreign keys on '" + path + "'");
  }
  return conn;
}

StoreError Connection::Fail(int rc, std::string_view sql) {
  last_failure_ = ClassifySqliteError(rc);
  return MapSqliteError(db_.get(), rc, sql);
}

Result<Connection::StmtHandle, StoreError> Connection::Prepare(std::string_view text,
                                                               bool persistent) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), text.data(), static_cast<int>(text.size()),
                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  StmtHandle handle(raw);
  if (rc != SQLITE_OK) return MakeUnexpected(Fail(rc, text));
  return handle;
}

StoreResult<sql::Rows> Connection::Run(const sql::Statement& statement,
                                       std::span<const sql::Value> values) {
  const std::string& text = statement.text(sql::Dialect::kSqlite);
  Cached& cached = cache_[&statement];
  if (cached.stmt == nullptr || cached.text != text) {  // new, or another statement at that address
    ASSIGN_OR_RETURN(cached.stmt, Prepare(text, /*persistent=*/true));
    cached.text = text;
  }
  return Execute(cached.stmt.get(), values);
}

StoreResult<sql::Rows> Connection::RunOnce(std::string_view shared_sql,
                                           std::span<const sql::Value> values) {
  ASSIGN_OR_RETURN(StmtHandle handle,
                   Prepare(sql::Render(sql::Dialect::kSqlite, shared_sql), /*persistent=*/false));
  return Execute(handle.get(), values);
}

StoreResult<void> Connection::Exec(std::string_view script) {
  const std::string text(script);  // sqlite3_exec needs a terminated string
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return MakeUnexpected(Fail(rc, script));
  return {};
}

StoreResult<sql::Rows> Connection::Execute(sqlite3_stmt* stmt, std::span<const sql::Value> values) {
  // Reset and unbound whatever happens, so a cached statement holds no read lock afterwards.
  struct Reset {
    sqlite3_stmt* stmt;
    ~Reset() {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
    }
  } reset{stmt};
  auto fail = [&](int rc) { return MakeUnexpected(Fail(rc, sqlite3_sql(stmt))); };
  int index = 0;
  for (const sql::Value& v : values) {
    ++index;
    int rc = SQLITE_OK;
    switch (v.kind()) {
      case sql::Value::Kind::kText:
        rc = sqlite3_bind_text64(stmt, index, v.text().empty() ? "" : v.text().data(),
                                 static_cast<sqlite3_uint64>(v.text().size()), SQLITE_STATIC,
                                 SQLITE_UTF8);
        break;
      case sql::Value::Kind::kBytes:
        rc = v.text().empty()
                 ? sqlite3_bind_zeroblob(stmt, index, 0)
                 : sqlite3_bind_blob64(stmt, index, v.text().data(),
                                       static_cast<sqlite3_uint64>(v.text().size()), SQLITE_STATIC);
        break;
      case sql::Value::Kind::kInt:
      case sql::Value::Kind::kBool:
        rc = sqlite3_bind_int64(stmt, index, static_cast<sqlite3_int64>(v.number()));
        break;
    }
    if (rc != SQLITE_OK) return fail(rc);
  }
  sql::Rows rows;
  const int columns = sqlite3_column_count(stmt);
  rows.set_columns(columns);
  while (true) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return fail(rc);
    if (rows.empty()) {
      rows.Reserve(static_cast<size_t>(columns), static_cast<size_t>(columns) * 24);
    }
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          rows.AddInt(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
          break;
        case SQLITE_FLOAT:
          rows.AddInt(static_cast<int64_t>(sqlite3_column_double(stmt, c)));
          break;
        case SQLITE_NULL:
          rows.AddNull();
          break;
        case SQLITE_BLOB: {
          const void* data = sqlite3_column_blob(stmt, c);
          rows.AddBytes(data == nullptr
                            ? std::string_view()
                            : std::string_view(static_cast<const char*>(data),
                                               static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
          break;
        }
        default: {
          const unsigned char* text = sqlite3_column_text(stmt, c);
          rows.AddBytes(text == nullptr
                            ? std::string_view()
                            : std::string_view(reinterpret_cast<const char*>(text),
                                               static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
          break;
        }
      }
    }
  }
  if (sqlite3_stmt_readonly(stmt) == 0) rows.set_affected(sqlite3_changes64(db_.get()));
  last_failure_ = sql::Failure::kNone;
  return rows;
}

// Transaction -------------------------------------------------------------------------------------

StoreResult<Transaction> Transaction::Begin(Connection& conn, Mode mode) {
  RETURN_IF_ERROR(conn.Exec(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  return Transaction(&conn);
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)) {}

Transaction::~Transaction() {
  // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL); only roll back if a
  // transaction is still open.
  if (conn_ != nullptr && sqlite3_get_autocommit(conn_->db()) == 0) {
    sqlite3_exec(conn_->db(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

StoreResult<void> Transaction::Commit() {
  if (conn_ == nullptr) {
    return MakeUnexpected(StoreError{StoreErrorCode::kUnavailable, "commit without transaction"});
  }
  RETURN_IF_ERROR(conn_->Exec("COMMIT"));  // on failure the destructor rolls back
  conn_ = nullptr;
  return {};
}

}  // namespace sag::store::sqlite
