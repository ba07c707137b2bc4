// Small helpers the shared store methods are written with: one-row and many-row reads through a
// row reader, "change exactly one row", existence checks, and errors by name.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql/connection.h"

namespace sag::store::sql {

inline StoreError NotFound(std::string_view what) {
  return StoreError{StoreErrorCode::kNotFound, std::string(what) + " not found"};
}

inline StoreError Conflict(std::string detail) {
  return StoreError{StoreErrorCode::kConflict, std::move(detail)};
}

// True when result failed with code.
template <typename T>
bool IsError(const StoreResult<T>& result, StoreErrorCode code) {
  return !result.has_value() && result.error().code == code;
}

// Every row of statement, each read by read(rows, row).
template <typename T>
StoreResult<std::vector<T>> ListAll(Connection& conn, const Statement& statement,
                                    std::initializer_list<Value> values,
                                    T (*read)(const Rows&, int)) {
  ASSIGN_OR_RETURN(Rows rows, conn.Run(statement, values));
  std::vector<T> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(read(rows, i));
  return out;
}

// The first row of statement, read by read; kNotFound ("<what> not found") when there is none.
template <typename T>
StoreResult<T> GetOne(Connection& conn, const Statement& statement,
                      std::initializer_list<Value> values, T (*read)(const Rows&, int),
                      std::string_view what) {
  ASSIGN_OR_RETURN(Rows rows, conn.Run(statement, values));
  if (rows.empty()) return MakeUnexpected(NotFound(what));
  return read(rows, 0);
}

// The first row of statement read by read, or nullopt when there is none.
template <typename T>
StoreResult<std::optional<T>> FindOne(Connection& conn, const Statement& statement,
                                      std::initializer_list<Value> values,
                                      T (*read)(const Rows&, int)) {
  ASSIGN_OR_RETURN(Rows rows, conn.Run(statement, values));
  if (rows.empty()) return std::optional<T>();
  return std::optional<T>(read(rows, 0));
}

// Whether statement returned a row.
inline StoreResult<bool> RowExists(Connection& conn, const Statement& statement,
                                   std::initializer_list<Value> values) {
  ASSIGN_OR_RETURN(Rows rows, conn.Run(statement, values));
  return !rows.empty();
}

// Runs an UPDATE/DELETE; kNotFound ("<what> not found") when it changed no row.
inline StoreResult<void> ChangeOne(Connection& conn, const Statement& statement,
                                   std::initializer_list<Value> values, std::string_view what) {
  ASSIGN_OR_RETURN(Rows rows, conn.Run(statement, values));
  if (rows.affected() == 0) return MakeUnexpected(NotFound(what));
  return {};
}

// Runs a statement whose rows are not needed.
inline StoreResult<void> Exec(Connection& conn, const Statement& statement,
                              std::initializer_list<Value> values = {}) {
  RETURN_IF_ERROR(conn.Run(statement, values));
  return {};
}

// result, with its code replaced by code when the connection's last failure was failure (e.g. a
// foreign key that names a row deleted meanwhile: kNotFound).
template <typename T>
StoreResult<T> Recode(StoreResult<T> result, const Connection& conn, Failure failure,
                      StoreErrorCode code) {
  if (!result.has_value() && conn.last_failure() == failure) result.error().code = code;
  return result;
}

// A WHERE clause assembled at run time from fixed fragments and placeholders; every value is bound.
class Where {
 public:
  // Starts with condition, whose "$?" stands for value's placeholder.
  Where(std::string_view condition, Value value) { And(condition, value); }

  // Adds " AND condition" (its "$?" replaced by the next placeholder, bound to value).
  void And(std::string_view condition, Value value);
  // Adds " AND condition" without a value.
  void And(std::string_view condition);
  // Adds " AND column IN ($n, ...)" for values; nothing when values is empty.
  void AndIn(std::string_view column, const std::vector<std::string>& values);
  // The next placeholder, "$n", bound to value (for LIMIT/OFFSET after the clause).
  std::string Next(Value value);

  const std::string& text() const { return text_; }
  const std::vector<Value>& values() const { return values_; }

 private:
  std::string text_;
  std::vector<Value> values_;
};

}  // namespace sag::store::sql
