// The schema as one ordered list of versioned migrations for every backend. Each version has a
// description and the SQL both dialects share (indexes), written once here; each backend adds the
// DDL that genuinely differs (column types, collations, STRICT tables) for every version
// (sqlite/sqlite_schema.cc, pg/pg_schema.cc). A migration runs in its own transaction together
// with the row that records it in `schema_version`, so a database is always at exactly one known
// version, and concurrent openers (threads, processes, nodes) apply each migration exactly once.
// A released migration is never edited; later features add migrations to the end.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/sql/connection.h"

namespace sag::store::sql {

// One step of a dialect's schema: applying `sql` to a database at version `version - 1` brings it
// to `version`. The SQL is static text (no values); it may hold several statements.
struct Migration {
  int64_t version = 0;
  std::string_view description;
  std::string_view sql;
};

// The steps every backend shares, versions 1, 2, 3, ... without gaps.
struct SchemaStep {
  int64_t version = 0;
  std::string_view description;
  std::string_view shared_sql;  // run after the dialect's DDL of the same version
};
std::span<const SchemaStep> SchemaSteps();

// The version the newest step brings a database to.
int64_t LatestSchemaVersion();

// A dialect's migrations: for each step, ddl[step] followed by the step's shared SQL. ddl holds one
// text per step (aborts otherwise: a programming error). The result owns its text; backends keep
// it for the life of the process.
class DialectMigrations {
 public:
  explicit DialectMigrations(std::initializer_list<std::string_view> ddl);
  std::span<const Migration> list() const { return list_; }

 private:
  std::vector<std::string> texts_;
  std::vector<Migration> list_;
};

// The version recorded in the database's `schema_version` table; 0 for a database that has none.
Result<int64_t, std::string> ReadSchemaVersion(Connection& conn);

// Brings the database up to the last of migrations, each pending one in its own transaction (on
// SQLite BEGIN IMMEDIATE, on PostgreSQL under a transaction-scoped advisory lock); a failing
// migration is rolled back completely and reported. Fails, changing nothing, when the database's
// version is newer than the last migration given (written by a newer build), or when migrations
// are not versions 1, 2, 3, ... in order. Returns the version it is at afterwards.
Result<int64_t, std::string> ApplyMigrations(Connection& conn,
                                             std::span<const Migration> migrations);

}  // namespace sag::store::sql
