// The SQLite schema: the DDL of each version of the one list of migrations
// (store/sql/migrations.h), in SQLite's types; the SQL both dialects share is added there.
#pragma once

#include <span>

#include "store/sql/migrations.h"

namespace sag::store::sqlite {

using sql::ApplyMigrations;
using sql::LatestSchemaVersion;
using sql::Migration;
using sql::ReadSchemaVersion;

// This dialect's migrations, versions 1, 2, 3, ... in order.
std::span<const Migration> Migrations();

// Brings the database up to date (sql::ApplyMigrations with Migrations()).
inline Result<int64_t, std::string> ApplyMigrations(sql::Connection& conn) {
  return sql::ApplyMigrations(conn, Migrations());
}

}  // namespace sag::store::sqlite
