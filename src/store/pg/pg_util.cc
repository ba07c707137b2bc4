#include "store/pg/pg_util.h"

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

int Rows::size() const { return res_ == nullptr ? 0 : PQntuples(res_.get()); }

int64_t Rows::affected() const {
  if (res_ == nullptr) {
    return 0;
  }
  const char* tuples = PQcmdTuples(res_.get());
  int64_t n = 0;
  std::from_chars(tuples, tuples + std::strlen(tuples), n);
  return n;
}

std::string Rows::Text(int row, int col) const {
  if (PQgetisnull(res_.get(), row, col) != 0) {
    return {};
  }
  return std::string(PQgetvalue(res_.get(), row, col),
                     static_cast<size_t>(PQgetlength(res_.get(), row, col)));
}

int64_t Rows::Int(int row, int col) const {
  const char* v = PQgetvalue(res_.get(), row, col);
  int64_t n = 0;
  std::from_chars(v, v + PQgetlength(res_.get(), row, col), n);
  return n;
}

bool Rows::Bool(int row, int col) const {
  const char* v = PQgetvalue(res_.get(), row, col);
  return v[0] == 't';
}

std::string Rows::Bytea(int row, int col) const {
  if (PQgetisnull(res_.get(), row, col) != 0) {
    return {};
  }
  size_t length = 0;
  unsigned char* bytes = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(res_.get(), row, col)), &length);
  if (bytes == nullptr) {
    return {};
  }
  std::string out(reinterpret_cast<const char*>(bytes), length);
  PQfreemem(bytes);
  return out;
}

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

StoreResult<Rows> Connection::Check(ResultHandle res, std::string_view sql) {
  const ExecStatusType status = res == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(res.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return Rows(std::move(res));
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
  RETURN_IF_ERROR(Check(ResultHandle(PQexec(conn_.get(), text.c_str())), sql));
  return {};
}

namespace {

// The arrays PQexecParams/PQexecPrepared take, pointing into params.
struct ParamArrays {
  explicit ParamArrays(const Params& params) {
    values.reserve(params.size());
    lengths.reserve(params.size());
    formats.reserve(params.size());
    for (const Param& p : params) {
      values.push_back(p.value().c_str());
      lengths.push_back(static_cast<int>(p.value().size()));
      formats.push_back(p.binary() ? 1 : 0);
    }
  }
  int count() const { return static_cast<int>(values.size()); }

  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
};

}  // namespace

StoreResult<Rows> Connection::Query(const std::string& sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "sag_" + std::to_string(prepared_.size() + 1);
    ASSIGN_OR_RETURN(Rows prepared,
                     Check(ResultHandle(PQprepare(conn_.get(), name.c_str(), sql.c_str(),
                                                  static_cast<int>(params.size()), nullptr)),
                           sql));
    (void)prepared;
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  const ParamArrays a(params);
  return Check(ResultHandle(PQexecPrepared(conn_.get(), it->second.c_str(), a.count(),
                                           a.values.data(), a.lengths.data(), a.formats.data(),
                                           /*resultFormat=*/0)),
               sql);
}

StoreResult<Rows> Connection::QueryUncached(const std::string& sql, const Params& params) {
  const ParamArrays a(params);
  return Check(ResultHandle(PQexecParams(conn_.get(), sql.c_str(), a.count(), nullptr,
                                         a.values.data(), a.lengths.data(), a.formats.data(),
                                         /*resultFormat=*/0)),
               sql);
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
