#include "store/sqlite/sqlite_util.h"

#include <utility>

#include <sqlite3.h>

namespace sag::store::sqlite {

namespace {

// How much of a statement's SQL text goes into an error detail.
constexpr size_t kSqlExcerptChars = 120;

std::string ColumnBytes(sqlite3_stmt* stmt, int index, const void* data) {
  if (data == nullptr) {
    return {};
  }
  const int n = sqlite3_column_bytes(stmt, index);
  return std::string(static_cast<const char*>(data), static_cast<size_t>(n));
}

}  // namespace

void DbCloser::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }

void StmtFinalizer::operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }

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

// Statement ---------------------------------------------------------------------------------------

Statement::Statement(sqlite3_stmt* stmt, StmtHandle owned)
    : stmt_(stmt), owned_(std::move(owned)) {}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      owned_(std::move(other.owned_)),
      bind_error_(other.bind_error_) {}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::BindText(int index, std::string_view value) {
  const char* data = value.empty() ? "" : value.data();
  const int rc = sqlite3_bind_text64(stmt_, index, data, static_cast<sqlite3_uint64>(value.size()),
                                     SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) {
    bind_error_ = rc;
  }
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  const int rc = bytes.empty() ? sqlite3_bind_zeroblob(stmt_, index, 0)
                               : sqlite3_bind_blob64(stmt_, index, bytes.data(),
                                                     static_cast<sqlite3_uint64>(bytes.size()),
                                                     SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_error_ == 0) {
    bind_error_ = rc;
  }
  return *this;
}

Statement& Statement::BindInt64(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, static_cast<sqlite3_int64>(value));
  if (rc != SQLITE_OK && bind_error_ == 0) {
    bind_error_ = rc;
  }
  return *this;
}

Statement& Statement::BindBool(int index, bool value) { return BindInt64(index, value ? 1 : 0); }

StoreResult<bool> Statement::Step() {
  sqlite3* db = sqlite3_db_handle(stmt_);
  if (bind_error_ != 0) {
    return MakeUnexpected(MapSqliteError(db, bind_error_, sqlite3_sql(stmt_)));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return MakeUnexpected(MapSqliteError(db, rc, sqlite3_sql(stmt_)));
}

StoreResult<void> Statement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) {
      return {};
    }
  }
}

std::string Statement::ColumnText(int index) const {
  return ColumnBytes(stmt_, index, sqlite3_column_text(stmt_, index));
}

std::string Statement::ColumnBlob(int index) const {
  return ColumnBytes(stmt_, index, sqlite3_column_blob(stmt_, index));
}

int64_t Statement::ColumnInt64(int index) const {
  return static_cast<int64_t>(sqlite3_column_int64(stmt_, index));
}

bool Statement::ColumnBool(int index) const { return sqlite3_column_int64(stmt_, index) != 0; }

// Connection --------------------------------------------------------------------------------------

Connection::Connection(DbHandle db) : db_(std::move(db)) {}

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
  DbHandle db(raw);  // closes even a handle whose open failed
  if (rc != SQLITE_OK) {
    return MakeUnexpected("sqlite: cannot open database '" + path +
                          "': " + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
  std::unique_ptr<Connection> conn(new Connection(std::move(db)));

  auto fail = [&path](std::string_view what, const StoreError& e) {
    return MakeUnexpected("sqlite: " + std::string(what) + " on '" + path +
                          "' failed: " + e.detail);
  };
  // Reads the single text result of a pragma.
  auto pragma = [&conn](std::string_view sql) -> StoreResult<std::string> {
    ASSIGN_OR_RETURN(Statement stmt, conn->PrepareUncached(sql));
    ASSIGN_OR_RETURN(const bool row, stmt.Step());
    return row ? stmt.ColumnText(0) : std::string();
  };

  auto mode = pragma("PRAGMA journal_mode=WAL");
  if (!mode) {
    return fail("PRAGMA journal_mode=WAL", mode.error());
  }
  if (options.require_wal && *mode != "wal") {
    return MakeUnexpected("sqlite: cannot enable WAL on '" + path + "' (journal_mode is '" + *mode +
                          "')");
  }
  for (std::string_view sql :
       {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA trusted_schema=OFF"}) {
    if (auto r = conn->Exec(sql); !r) {
      return fail(sql, r.error());
    }
  }
  auto sync = pragma("PRAGMA synchronous");
  if (!sync || *sync != "2") {  // 2 = FULL
    return MakeUnexpected("sqlite: cannot set synchronous=FULL on '" + path + "'");
  }
  auto fk = pragma("PRAGMA foreign_keys");
  if (!fk || *fk != "1") {
    return MakeUnexpected("sqlite: cannot enable foreign keys on '" + path + "'");
  }
  return conn;
}

StoreResult<Statement> Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StmtHandle handle(raw);
    if (rc != SQLITE_OK) {
      return MakeUnexpected(MapSqliteError(db_.get(), rc, sql));
    }
    it = cache_.emplace(std::string(sql), std::move(handle)).first;
  }
  return Statement(it->second.get(), nullptr);
}

StoreResult<Statement> Connection::PrepareUncached(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), 0, &raw, nullptr);
  StmtHandle handle(raw);
  if (rc != SQLITE_OK) {
    return MakeUnexpected(MapSqliteError(db_.get(), rc, sql));
  }
  sqlite3_stmt* stmt = handle.get();
  return Statement(stmt, std::move(handle));
}

StoreResult<void> Connection::Exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec needs a terminated string
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return MakeUnexpected(MapSqliteError(db_.get(), rc, sql));
  }
  return {};
}

StoreResult<sql::Rows> Connection::Run(const sql::Statement& statement,
                                       std::span<const sql::Value> values) {
  const std::string& text = statement.text(sql::Dialect::kSqlite);
  auto it = cache_.find(text);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), text.data(), static_cast<int>(text.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StmtHandle handle(raw);
    if (rc != SQLITE_OK) {
      last_failure_ = ClassifySqliteError(rc);
      return MakeUnexpected(MapSqliteError(db_.get(), rc, text));
    }
    it = cache_.emplace(text, std::move(handle)).first;
  }
  return Execute(it->second.get(), values);
}

StoreResult<sql::Rows> Connection::RunOnce(std::string_view shared_sql,
                                           std::span<const sql::Value> values) {
  const std::string text = sql::Render(sql::Dialect::kSqlite, shared_sql);
  sqlite3_stmt* raw = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_.get(), text.data(), static_cast<int>(text.size()), 0, &raw, nullptr);
  StmtHandle handle(raw);
  if (rc != SQLITE_OK) {
    last_failure_ = ClassifySqliteError(rc);
    return MakeUnexpected(MapSqliteError(db_.get(), rc, text));
  }
  return Execute(handle.get(), values);
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
  auto fail = [&](int rc) {
    last_failure_ = ClassifySqliteError(rc);
    return MakeUnexpected(MapSqliteError(db_.get(), rc, sqlite3_sql(stmt)));
  };
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
  if (sqlite3_stmt_readonly(stmt) == 0) rows.set_affected(Changes());
  last_failure_ = sql::Failure::kNone;
  return rows;
}

int64_t Connection::Changes() const { return static_cast<int64_t>(sqlite3_changes64(db_.get())); }

// Transaction -------------------------------------------------------------------------------------

StoreResult<Transaction> Transaction::Begin(Connection& conn, Mode mode) {
  RETURN_IF_ERROR(conn.Exec(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  return Transaction(&conn);
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)) {}

Transaction::~Transaction() { Rollback(); }

StoreResult<void> Transaction::Commit() {
  if (conn_ == nullptr) {
    return MakeUnexpected(StoreError{StoreErrorCode::kUnavailable, "commit without transaction"});
  }
  RETURN_IF_ERROR(conn_->Exec("COMMIT"));  // on failure the destructor rolls back
  conn_ = nullptr;
  return {};
}

void Transaction::Rollback() noexcept {
  if (conn_ == nullptr) {
    return;
  }
  // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL); only roll back if a
  // transaction is still open.
  if (sqlite3_get_autocommit(conn_->db()) == 0) {
    sqlite3_exec(conn_->db(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  conn_ = nullptr;
}

}  // namespace sag::store::sqlite
