// The PostgreSQL schema as an ordered list of versioned migrations, the counterpart of
// store/sqlite/migrations.h: the same tables, keys and constraints, in PostgreSQL's types. Each
// migration runs in its own transaction together with the row that records it in `schema_version`,
// under a transaction-scoped advisory lock, so that several sagd nodes starting at once against one
// database apply each migration exactly once. A released migration is never edited.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sag::store::pg {

class Connection;

// One step of the schema: applying `sql` to a database at version `version - 1` brings it to
// `version`. The SQL is static text (no values); it may hold several statements.
struct Migration {
  int64_t version = 0;
  std::string_view description;
  std::string_view sql;
};

// All migrations this build knows, ordered by version, versions 1, 2, 3, ... without gaps.
std::span<const Migration> Migrations();

// The version the newest migration brings a database to.
int64_t LatestSchemaVersion();

// The key of the advisory lock migrations hold (pg_advisory_xact_lock).
inline constexpr int64_t kMigrationLockKey = 0x5341470001;  // "SAG", 1

// The version recorded in the database's `schema_version` table; 0 when it has none yet.
Result<int64_t, std::string> ReadSchemaVersion(Connection& conn);

// Brings the database up to the last of `migrations` (default: Migrations()), each pending one in
// its own transaction under the advisory lock; a failing migration is rolled back completely and
// reported. Fails, changing nothing, when the database's version is newer than the last migration
// given (written by a newer build). Returns the version it is at afterwards.
Result<int64_t, std::string> ApplyMigrations(Connection& conn);
Result<int64_t, std::string> ApplyMigrations(Connection& conn,
                                             std::span<const Migration> migrations);

}  // namespace sag::store::pg
