// The backends every store contract suite runs on, built once for all of them: SQLite on a file,
// SQLite in memory, and PostgreSQL when SAG_TEST_PG_DSN names a server (scripts/pg-test-server.sh;
// each fresh() makes a new scratch database on it). Header-only: the build compiles *_test.cc only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/pg/pg_store.h"
#include "store/pg_test_support.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace sag::store::testing {

// A backend under test.
struct BackendFactory {
  std::string name;
  // Makes the next open() use a new, empty database.
  std::function<void()> fresh;
  // Opens the current database; null (with a test failure) when it cannot.
  std::function<std::unique_ptr<Store>()> open;
  // Opening again after closing the previous store reaches the same data.
  bool durable = false;
  // Serves concurrent callers from several connections, and two open() calls reach the same
  // database (races between them are meaningful).
  bool multi_connection = false;

  // fresh(), then open().
  std::unique_ptr<Store> OpenFresh() const {
    fresh();
    return open();
  }
};

inline std::unique_ptr<Store> OpenSqliteForTest(const std::string& path) {
  auto store = SqliteStore::Open(path);
  if (!store) {
    ADD_FAILURE() << "SqliteStore::Open(" << path << "): " << store.error();
    return nullptr;
  }
  return std::move(store).value();
}

inline std::unique_ptr<Store> OpenPostgresForTest(const std::string& conninfo, int pool_size) {
  if (conninfo.empty()) {
    ADD_FAILURE() << "no scratch PostgreSQL database (see the message above)";
    return nullptr;
  }
  auto store = PgStore::Open(conninfo, pool_size);
  if (!store) {
    ADD_FAILURE() << "PgStore::Open: " << store.error();
    return nullptr;
  }
  return std::move(store).value();
}

// Every backend; PostgreSQL stores get pg_pool_size connections.
inline std::vector<BackendFactory> Backends(int pg_pool_size = 4) {
  std::vector<BackendFactory> backends;
  {
    auto path = std::make_shared<std::string>();
    backends.push_back(BackendFactory{
        .name = "SqliteFile",
        .fresh = [path] { *path = NewDatabasePath(); },
        .open = [path] { return OpenSqliteForTest(*path); },
        .durable = true,
        .multi_connection = true,
    });
  }
  backends.push_back(BackendFactory{
      .name = "SqliteMemory",
      .fresh = [] {},
      .open = [] { return OpenSqliteForTest(":memory:"); },
      .durable = false,
      .multi_connection = false,
  });
  if (auto dsn = PgTestDsn()) {
    // Static: the last scratch database is dropped at exit.
    static PgTestDatabases databases(*dsn);
    auto conninfo = std::make_shared<std::string>();
    backends.push_back(BackendFactory{
        .name = "Postgres",
        .fresh = [conninfo] { *conninfo = databases.Fresh(); },
        .open = [conninfo, pg_pool_size] { return OpenPostgresForTest(*conninfo, pg_pool_size); },
        .durable = true,
        .multi_connection = true,
    });
  }
  return backends;
}

// The backends with several connections (for tests of races).
inline std::vector<BackendFactory> MultiConnectionBackends() {
  std::vector<BackendFactory> out;
  for (BackendFactory& b : Backends()) {
    if (b.multi_connection) out.push_back(std::move(b));
  }
  return out;
}

// The test name suffix: the backend's name.
inline std::string BackendName(const ::testing::TestParamInfo<BackendFactory>& info) {
  return info.param.name;
}

}  // namespace sag::store::testing
