#include "store/pg/pg_util.h"

#include <array>
#include <charconv>
#include <cstring>

#include <libpq-fe.h>

#include "common/log.h"

namespace sag::store::pg {

namespace {

// Server notices: WARNING and worse go to the log; NOTICE/INFO (e.g. "relation already exists,
// skipping") are dropped instead of libpq's default of printing them to stderr.
void OnNotice(void* /*arg*/, const PGresult* res) {
  const char* severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity != nullptr && std::strcmp(severity, "NOTICE") != 0 &&
      std::strcmp(severity, "INFO") != 0 && std::strcmp(severity, "DEBUG") != 0 &&
      std::strcmp(severity, "LOG") != 0) {
    std::string message = PQresultErrorMessage(res);
    while (!message.empty() && message.back() == '\n') {
      message.pop_back();
    }
    LogWarn("postgresql: " + message);
  }
}

}  // namespace

void ConnCloser::operator()(pg_conn* conn) const noexcept { PQfinish(conn); }

void ResultFreer::operator()(pg_result* res) const noexcept { PQclear(res); }

bool IsRetryable(std::string_view sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

StoreError MapPgError(const LastError& where, std::string_view message, std::string_view sql) {
  StoreError error;
  const std::string_view state = where.sqlstate;
  if (state == "23505") {
    error.code = StoreErrorCode::kAlreadyExists;
  } else if (state.starts_with("23")) {
    error.code = StoreErrorCode::kConflict;
  } else {
    error.code = StoreErrorCode::kUnavailable;
  }
  error.detail = "postgresql: " + std::string(message);
  while (!error.detail.empty() && error.detail.back() == '\n') {
    error.detail.pop_back();
  }
  if (!state.empty()) {
    error.detail += " [SQLSTATE " + std::string(state) + "]";
  }
  if (!where.constraint.empty()) {
    error.detail += " [constraint " + where.constraint + "]";
  }
  if (!sql.empty()) {
    error.detail += " in: " + std::string(sql.substr(0, 200));
  }
  return error;
}

Result<std::unique_ptr<Connection>, std::string> Connection::Open(const std::string& conninfo) {
  ConnHandle conn(PQconnectdb(conninfo.c_str()));
  if (conn == nullptr) {
    return MakeUnexpected(std::string("postgresql: out of memory"));
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn.get());
    while (!message.empty() && message.back() == '\n') {
      message.pop_back();
    }
    return MakeUnexpected("postgresql: cannot connect: " + message);
  }
  PQsetNoticeReceiver(conn.get(), &OnNotice, nullptr);
  return std::unique_ptr<Connection>(new Connection(std::move(conn)));
}

Connection::Connection(ConnHandle conn) : conn_(std::move(conn)) {}

Connection::~Connection() = default;

bool Connection::ok() const { return PQstatus(conn_.get()) == CONNECTION_OK; }

StoreResult<void> Connection::Reset() {
  prepared_.clear();
  PQreset(conn_.get());
  if (!ok()) {
    last_error_ = LastError{};
    last_error_.connection_lost = true;
    return MakeUnexpected(MapPgError(last_error_, PQerrorMessage(conn_.get()), "reconnect"));
  }
  return {};
}

StoreResult<void> Connection::Check(const ResultHandle& res, std::string_view sql) {
  const ExecStatusType status = res == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(res.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return {};
  }
  last_error_ = LastError{};
  std::string message;
  if (res != nullptr) {
    if (const char* s = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE); s != nullptr) {
      last_error_.sqlstate = s;
    }
    if (const char* c = PQresultErrorField(res.get(), PG_DIAG_CONSTRAINT_NAME); c != nullptr) {
      last_error_.constraint = c;
    }
    message = PQresultErrorMessage(res.get());
  }
  if (message.empty()) {
    message = PQerrorMessage(conn_.get());
  }
  last_error_.connection_lost =
      !ok() || last_error_.sqlstate.starts_with("08") || last_error_.sqlstate.starts_with("57P");
  return MakeUnexpected(MapPgError(last_error_, message, sql));
}

StoreResult<void> Connection::Exec(std::string_view sql) {
  const std::string text(sql);
  return Check(ResultHandle(PQexec(conn_.get(), text.c_str())), sql);
}

namespace {

// Type OIDs of the parameter kinds (pg_type.oid).
constexpr unsigned kTextOid = 25, kInt8Oid = 20, kBoolOid = 16, kByteaOid = 17;
constexpr unsigned kInt2Oid = 21, kInt4Oid = 23;

unsigned TypeOf(const sql::Value& v) {
  switch (v.kind()) {
    case sql::Value::Kind::kText:
      return kTextOid;
    case sql::Value::Kind::kInt:
      return kInt8Oid;
    case sql::Value::Kind::kBool:
      return kBoolOid;
    case sql::Value::Kind::kBytes:
      return kByteaOid;
  }
  return kTextOid;
}

// n elements of T, without an allocation for up to 32 (every fixed statement of the store binds
// fewer values).
template <typename T>
class SmallArray {
 public:
  explicit SmallArray(size_t n) : data_(n > fixed_.size() ? nullptr : fixed_.data()) {
    if (data_ == nullptr) {
      heap_.resize(n);
      data_ = heap_.data();
    }
  }
  SmallArray(const SmallArray&) = delete;
  SmallArray& operator=(const SmallArray&) = delete;
  T* data() { return data_; }
  T& operator[](size_t i) { return data_[i]; }

 private:
  std::array<T, 32> fixed_{};
  std::vector<T> heap_;
  T* data_;
};

// The values in binary form, pointing into values (text and bytes) or into own storage.
struct BinaryValues {
  explicit BinaryValues(std::span<const sql::Value> values)
      : n(values.size()), numbers(n), types(n), pointers(n), lengths(n), formats(n) {
    for (size_t i = 0; i < n; ++i) {
      const sql::Value& v = values[i];
      types[i] = TypeOf(v);
      formats[i] = 1;
      if (v.kind() == sql::Value::Kind::kText || v.kind() == sql::Value::Kind::kBytes) {
        pointers[i] = v.text().data() == nullptr ? "" : v.text().data();
        lengths[i] = static_cast<int>(v.text().size());
        continue;
      }
      auto number = static_cast<uint64_t>(v.number());
      char* bytes = numbers[i].data();
      if (v.kind() == sql::Value::Kind::kBool) {
        bytes[0] = number != 0 ? 1 : 0;
        lengths[i] = 1;
      } else {
        for (int b = 7; b >= 0; --b, number >>= 8) bytes[b] = static_cast<char>(number & 0xff);
        lengths[i] = 8;
      }
      pointers[i] = bytes;
    }
  }
  int count() const { return static_cast<int>(n); }

  size_t n;
  SmallArray<std::array<char, 8>> numbers;
  SmallArray<unsigned> types;
  SmallArray<const char*> pointers;
  SmallArray<int> lengths;
  SmallArray<int> formats;
};

// A big-endian integer of size bytes.
int64_t BigEndian(const char* bytes, int size) {
  uint64_t n = 0;
  for (int i = 0; i < size; ++i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  if (size < 8 && size > 0 && (static_cast<unsigned char>(bytes[0]) & 0x80) != 0) {
    n |= ~uint64_t{0} << (8 * size);  // sign-extend int2/int4
  }
  return static_cast<int64_t>(n);
}

}  // namespace

StoreResult<sql::Rows> Connection::ReadRows(ResultHandle res, std::string_view sql) {
  RETURN_IF_ERROR(Check(res, sql));
  pg_result* r = res.get();
  sql::Rows rows;
  const int columns = PQnfields(r);
  rows.set_columns(columns);
  const int n = PQntuples(r);
  size_t bytes = 0;
  for (int row = 0; row < n; ++row) {
    for (int c = 0; c < columns; ++c) bytes += static_cast<size_t>(PQgetlength(r, row, c));
  }
  rows.Reserve(static_cast<size_t>(n) * static_cast<size_t>(columns), bytes);
  for (int row = 0; row < n; ++row) {
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(r, row, c) != 0) {
        rows.AddNull();
        continue;
      }
      const char* v = PQgetvalue(r, row, c);
      const int length = PQgetlength(r, row, c);
      switch (PQftype(r, c)) {
        case kInt8Oid:
        case kInt4Oid:
        case kInt2Oid:
          rows.AddInt(BigEndian(v, length));
          break;
        case kBoolOid:
          rows.AddInt(length > 0 && v[0] != 0 ? 1 : 0);
          break;
        default:  // text and bytea: the bytes themselves
          rows.AddBytes(std::string_view(v, static_cast<size_t>(length)));
          break;
      }
    }
  }
  const char* tuples = PQcmdTuples(r);
  int64_t affected = 0;
  std::from_chars(tuples, tuples + std::strlen(tuples), affected);
  rows.set_affected(affected);
  return rows;
}

StoreResult<sql::Rows> Connection::Run(const sql::Statement& statement,
                                       std::span<const sql::Value> values) {
  const std::string& text = statement.text(sql::Dialect::kPostgres);
  BinaryValues a(values);
  Prepared& prepared = prepared_[&statement];
  if (prepared.name.empty() ||
      prepared.text != text) {  // new, or another statement at that address
    std::string name = "sag_" + std::to_string(++statements_prepared_);
    RETURN_IF_ERROR(Check(
        ResultHandle(PQprepare(conn_.get(), name.c_str(), text.c_str(), a.count(), a.types.data())),
        text));
    prepared = Prepared{.text = text, .name = std::move(name)};
  }
  return ReadRows(
      ResultHandle(PQexecPrepared(conn_.get(), prepared.name.c_str(), a.count(), a.pointers.data(),
                                  a.lengths.data(), a.formats.data(), /*resultFormat=*/1)),
      text);
}

StoreResult<sql::Rows> Connection::RunOnce(std::string_view shared_sql,
                                           std::span<const sql::Value> values) {
  const std::string text(shared_sql);
  BinaryValues a(values);
  return ReadRows(ResultHandle(PQexecParams(conn_.get(), text.c_str(), a.count(), a.types.data(),
                                            a.pointers.data(), a.lengths.data(), a.formats.data(),
                                            /*resultFormat=*/1)),
                  text);
}

sql::Failure Connection::last_failure() const {
  const std::string& state = last_error_.sqlstate;
  if (last_error_.connection_lost) return sql::Failure::kConnectionLost;
  if (state.empty()) return sql::Failure::kNone;
  if (state == "23505") return sql::Failure::kUniqueViolation;
  if (state == "23503") return sql::Failure::kForeignKeyViolation;
  if (state.starts_with("23")) return sql::Failure::kOtherConstraint;
  if (IsRetryable(state)) return sql::Failure::kRetryable;
  return sql::Failure::kOther;
}

std::string QuoteConninfoValue(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') {
      out += '\\';
    }
    out += c;
  }
  out += '\'';
  return out;
}

Result<std::string, std::string> WithDatabase(const std::string& conninfo,
                                              const std::string& dbname) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string message = error == nullptr ? "cannot parse conninfo" : error;
    PQfreemem(error);
    return MakeUnexpected("postgresql: " + message);
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "dbname") == 0 || o->val == nullptr) {
      continue;
    }
    out += std::string(o->keyword) + "=" + QuoteConninfoValue(o->val) + " ";
  }
  PQconninfoFree(options);
  out += "dbname=" + QuoteConninfoValue(dbname);
  return out;
}

}  // namespace sag::store::pg
