// The SQLite schema as an ordered list of versioned migrations. Each migration runs in its own
// transaction together with the row that records it in `schema_version`, so a database is always at
// exactly one known version. Later features (serial numbers, CCNs, devices, versions, client users)
// add migrations to the end of the list; a released migration is never edited.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sag::store::sqlite {

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

// The version recorded in the database's `schema_version` table; 0 for a database that has none
// yet.
Result<int64_t, std::string> ReadSchemaVersion(Connection& conn);

// Brings the database up to the last of `migrations` (default: Migrations()), applying each pending
// one in its own BEGIN IMMEDIATE transaction; a failing migration is rolled back completely and
// reported. Already applied migrations are never re-run. Fails, changing nothing, when its version
// is newer than the last migration given (a database written by a newer build). Returns the version
// it is at afterwards.
Result<int64_t, std::string> ApplyMigrations(Connection& conn);
Result<int64_t, std::string> ApplyMigrations(Connection& conn,
                                             std::span<const Migration> migrations);

}  // namespace sag::store::sqlite
