// SQL written once for every backend, and the small dialect that turns it into each database's
// text. A Statement is written in the shared form:
//   - placeholders are $1, $2, ... (each bound to a sql::Value of its own type, so no casts);
//   - GREATEST(a, b) is the larger of two values;
//   - a row-lock clause (FOR UPDATE, FOR SHARE, FOR KEY SHARE, optionally OF alias) may end a
//     SELECT: PostgreSQL takes the lock; SQLite drops the clause, as its write transactions
//     (BEGIN IMMEDIATE) already run one at a time;
//   - everything else (TRUE/FALSE, ON CONFLICT ... DO UPDATE, RETURNING, row values) is standard
//     SQL both databases read alike.
// Statements meant to be prepared once and reused are static (function-local or namespace scope).
#pragma once

#include <string>
#include <string_view>

namespace sag::store::sql {

enum class Dialect { kSqlite, kPostgres };

// The text of shared SQL for dialect (see above).
std::string Render(Dialect dialect, std::string_view shared_sql);

class Statement {
 public:
  explicit Statement(std::string shared_sql)
      : sqlite_(Render(Dialect::kSqlite, shared_sql)),
        postgres_(Render(Dialect::kPostgres, shared_sql)) {}

  const std::string& text(Dialect dialect) const {
    return dialect == Dialect::kSqlite ? sqlite_ : postgres_;
  }

 private:
  std::string sqlite_;
  std::string postgres_;
};

}  // namespace sag::store::sql
