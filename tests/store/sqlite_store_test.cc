// SQLite-specific behaviour of SqliteStore that the backend-agnostic contract cannot see: pragmas,
// migrations, the newer-schema guard, error mapping, and durability against kill -9.

#include "store/sqlite/sqlite_store.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <signal.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sql/migrations.h"
#include "store/sqlite/sqlite_util.h"
#include "store/store_test_support.h"

namespace sag::store {
namespace {

using ::sag::store::testing::MakeInstance;
using ::sag::store::testing::NewDatabasePath;
using ::sag::store::testing::Outcome;
using sql::ApplyMigrations;
using sql::LatestSchemaVersion;
using sql::Migration;
using sql::ReadSchemaVersion;
using sqlite::Connection;
using sqlite::ConnectionOptions;
using sqlite::Migrations;

std::unique_ptr<Connection> OpenConnection(const std::string& path) {
  auto conn = Connection::Open(path, ConnectionOptions{});
  EXPECT_TRUE(conn.has_value()) << conn.error();
  return conn ? std::move(conn).value() : nullptr;
}

// The first row of sql run with values.
sql::Rows Query(Connection& conn, std::string_view sql, std::vector<sql::Value> values = {}) {
  auto rows = conn.RunOnce(sql, values);
  EXPECT_TRUE(rows.has_value() && !rows->empty()) << sql;
  return rows ? std::move(rows).value() : sql::Rows();
}

// The single integer result of sql.
int64_t QueryInt(Connection& conn, std::string_view sql) {
  sql::Rows rows = Query(conn, sql);
  return rows.empty() ? -1 : rows.Int(0, 0);
}

std::string QueryText(Connection& conn, std::string_view sql) {
  sql::Rows rows = Query(conn, sql);
  return rows.empty() ? std::string() : rows.Text(0, 0);
}

bool TableExists(Connection& conn, const std::string& name) {
  sql::Rows rows =
      Query(conn, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = $1", {name});
  return !rows.empty() && rows.Int(0, 0) == 1;
}

TEST(SqliteStoreTest, MigrationListIsContiguousFromOne) {
  auto migrations = Migrations();
  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int64_t>(i) + 1);
    EXPECT_FALSE(migrations[i].description.empty());
    // A reserved number (a step merged from elsewhere later) is the only step without SQL.
    EXPECT_EQ(migrations[i].sql.empty(), migrations[i].description.starts_with("reserved"))
        << migrations[i].version;
  }
  EXPECT_EQ(LatestSchemaVersion(), migrations.back().version);
}

TEST(SqliteStoreTest, OpenCreatesTheSchemaAtTheLatestVersion) {
  const std::string path = NewDatabasePath();
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.has_value()) << store.error();
  EXPECT_EQ((*store)->schema_version(), LatestSchemaVersion());
  store->reset();

  auto conn = OpenConnection(path);
  ASSERT_NE(conn, nullptr);
  for (const char* table : {"schema_version", "accounts", "users", "access_keys", "policies",
                            "policy_attachments", "instances", "settings"}) {
    EXPECT_TRUE(TableExists(*conn, table)) << table;
  }
  EXPECT_EQ(QueryInt(*conn, "SELECT count(*) FROM schema_version"),
            static_cast<int64_t>(Migrations().size()));
}

TEST(SqliteStoreTest, ReopenDoesNotRerunMigrations) {
  const std::string path = NewDatabasePath();
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.has_value()) << store.error();
    ASSERT_STORE_OK((*store)->CreateAccount({.id = "1", .name = "kept"}));
  }
  int64_t applied_ms = 0;
  {
    auto conn = OpenConnection(path);
    ASSERT_NE(conn, nullptr);
    applied_ms = QueryInt(*conn, "SELECT applied_ms FROM schema_version WHERE version = 1");
  }
  for (int i = 0; i < 3; ++i) {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.has_value()) << store.error();
    EXPECT_EQ((*store)->schema_version(), LatestSchemaVersion());
    EXPECT_EQ((*store)->GetAccount("1")->name, "kept");
  }
  auto conn = OpenConnection(path);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(QueryInt(*conn, "SELECT count(*) FROM schema_version"),
            static_cast<int64_t>(Migrations().size()));
  EXPECT_EQ(QueryInt(*conn, "SELECT applied_ms FROM schema_version WHERE version = 1"), applied_ms);
}

TEST(SqliteStoreTest, OpeningANewerSchemaVersionFailsClearly) {
  const std::string path = NewDatabasePath();
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.has_value()) << store.error();
  }
  {
    auto conn = OpenConnection(path);
    ASSERT_NE(conn, nullptr);
    const sql::Value future[] = {LatestSchemaVersion() + 1};
    ASSERT_STORE_OK(conn->RunOnce(
        "INSERT INTO schema_version (version, description, applied_ms) VALUES ($1, 'future', 0)",
        future));
  }
  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().find("newer"), std::string::npos) << store.error();
  EXPECT_NE(store.error().find(std::to_string(LatestSchemaVersion() + 1)), std::string::npos)
      << store.error();

  // The database was left as it was.
  auto conn = OpenConnection(path);
  ASSERT_NE(conn, nullptr);
  auto version = ReadSchemaVersion(*conn);
  ASSERT_TRUE(version.has_value()) << version.error();
  EXPECT_EQ(*version, LatestSchemaVersion() + 1);
}

TEST(SqliteStoreTest, FailingMigrationIsRolledBackEntirely) {
  const std::string path = NewDatabasePath();
  auto conn = OpenConnection(path);
  ASSERT_NE(conn, nullptr);
  const std::vector<Migration> broken = {
      {1, "first", "CREATE TABLE a (x INTEGER) STRICT;"},
      {2, "second", "CREATE TABLE b (x INTEGER) STRICT; INSERT INTO no_such_table VALUES (1);"},
  };
  auto result = ApplyMigrations(*conn, broken);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("version 2"), std::string::npos) << result.error();
  EXPECT_EQ(*ReadSchemaVersion(*conn), 1);
  EXPECT_TRUE(TableExists(*conn, "a"));
  EXPECT_FALSE(TableExists(*conn, "b"));  // nothing of the failed step remains

  const std::vector<Migration> fixed = {
      broken[0],
      {2, "second", "CREATE TABLE b (x INTEGER) STRICT;"},
  };
  auto again = ApplyMigrations(*conn, fixed);
  ASSERT_TRUE(again.has_value()) << again.error();
  EXPECT_EQ(*again, 2);
  EXPECT_TRUE(TableExists(*conn, "b"));
  // Applying again is a no-op.
  EXPECT_EQ(*ApplyMigrations(*conn, fixed), 2);
  EXPECT_EQ(QueryInt(*conn, "SELECT count(*) FROM schema_version"), 2);
}

TEST(SqliteStoreTest, MigrationListWithAGapIsRejected) {
  auto conn = OpenConnection(NewDatabasePath());
  ASSERT_NE(conn, nullptr);
  const std::vector<Migration> gap = {{1, "one", "SELECT 1;"}, {3, "three", "SELECT 1;"}};
  EXPECT_FALSE(ApplyMigrations(*conn, gap).has_value());
  EXPECT_EQ(*ReadSchemaVersion(*conn), 0);
}

TEST(SqliteStoreTest, ConnectionsUseWalFullSyncAndForeignKeys) {
  auto conn = OpenConnection(NewDatabasePath());
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(QueryText(*conn, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryInt(*conn, "PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(QueryInt(*conn, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(QueryInt(*conn, "PRAGMA busy_timeout"), 5000);
}

TEST(SqliteStoreTest, InMemoryStoresAreIndependent) {
  auto first = SqliteStore::Open(":memory:");
  auto second = SqliteStore::Open(":memory:");
  ASSERT_TRUE(first.has_value()) << first.error();
  ASSERT_TRUE(second.has_value()) << second.error();
  ASSERT_STORE_OK((*first)->CreateAccount({.id = "1", .name = "a"}));
  EXPECT_STORE_OK((*first)->GetAccount("1"));
  EXPECT_EQ(Outcome((*second)->GetAccount("1")), "NotFound");
}

TEST(SqliteStoreTest, PoolOfOneConnectionWorks) {
  auto store = SqliteStore::Open(NewDatabasePath(), 1);
  ASSERT_TRUE(store.has_value()) << store.error();
  ASSERT_STORE_OK((*store)->CreateInstance(MakeInstance("1", "r", "sag-1", 1)));
  InstanceFilter f;
  f.account_id = "1";
  auto page = (*store)->ListInstances(f);
  ASSERT_STORE_OK(page);
  EXPECT_EQ(page->total, 1);
}

TEST(SqliteStoreTest, OpenFailsForAPathThatCannotBeCreated) {
  const std::string path = NewDatabasePath() + "/missing-dir/db.sqlite";
  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().find(path), std::string::npos) << store.error();
}

TEST(SqliteStoreTest, OpenFailsForAFileThatIsNotADatabase) {
  const std::string path = NewDatabasePath();
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(4096, 'x');
  }
  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().find("not a database"), std::string::npos) << store.error();
}

TEST(SqliteStoreTest, SqliteErrorsMapToStoreErrorCodes) {
  using sqlite::MapSqliteError;
  EXPECT_EQ(MapSqliteError(nullptr, SQLITE_CONSTRAINT_PRIMARYKEY).code,
            StoreErrorCode::kAlreadyExists);
  EXPECT_EQ(MapSqliteError(nullptr, SQLITE_CONSTRAINT_UNIQUE).code, StoreErrorCode::kAlreadyExists);
  EXPECT_EQ(MapSqliteError(nullptr, SQLITE_CONSTRAINT_FOREIGNKEY).code, StoreErrorCode::kConflict);
  EXPECT_EQ(MapSqliteError(nullptr, SQLITE_CONSTRAINT_CHECK).code, StoreErrorCode::kConflict);
  EXPECT_EQ(MapSqliteError(nullptr, SQLITE_BUSY).code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(MapSqliteError(nullptr, SQLITE_IOERR_FSYNC).code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(MapSqliteError(nullptr, SQLITE_FULL).code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(MapSqliteError(nullptr, SQLITE_CORRUPT).code, StoreErrorCode::kCorrupt);
  EXPECT_EQ(MapSqliteError(nullptr, SQLITE_NOTADB).code, StoreErrorCode::kCorrupt);
  using sqlite::ClassifySqliteError;
  EXPECT_EQ(ClassifySqliteError(SQLITE_CONSTRAINT_PRIMARYKEY), sql::Failure::kUniqueViolation);
  EXPECT_EQ(ClassifySqliteError(SQLITE_CONSTRAINT_UNIQUE), sql::Failure::kUniqueViolation);
  EXPECT_EQ(ClassifySqliteError(SQLITE_CONSTRAINT_FOREIGNKEY), sql::Failure::kForeignKeyViolation);
  EXPECT_EQ(ClassifySqliteError(SQLITE_CONSTRAINT_CHECK), sql::Failure::kOtherConstraint);
  EXPECT_EQ(ClassifySqliteError(SQLITE_BUSY), sql::Failure::kBusy);
  EXPECT_EQ(ClassifySqliteError(SQLITE_NOTADB), sql::Failure::kCorrupt);
  EXPECT_EQ(ClassifySqliteError(SQLITE_IOERR_FSYNC), sql::Failure::kOther);
  const StoreError busy = MapSqliteError(nullptr, SQLITE_BUSY, "INSERT INTO t VALUES (?1)");
  EXPECT_NE(busy.detail.find("database is locked"), std::string::npos) << busy.detail;
  EXPECT_NE(busy.detail.find("INSERT INTO t"), std::string::npos) << busy.detail;
}

TEST(SqliteStoreTest, WriterBlockedByAnotherProcessIsUnavailableAfterTheTimeout) {
  const std::string path = NewDatabasePath();
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.has_value()) << store.error();
  // Another connection (as another process would) holds the write lock.
  auto other = Connection::Open(path, ConnectionOptions{.busy_timeout_ms = 0});
  ASSERT_TRUE(other.has_value()) << other.error();
  ASSERT_STORE_OK((*other)->Exec("BEGIN IMMEDIATE"));
  // The store waits out its 5 s busy timeout, then gives up.
  auto result = (*store)->PutSetting("k", "v");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, StoreErrorCode::kUnavailable);
  EXPECT_NE(result.error().detail.find("locked"), std::string::npos) << result.error().detail;
  ASSERT_STORE_OK((*other)->Exec("ROLLBACK"));
  EXPECT_STORE_OK((*store)->PutSetting("k", "v"));
}

TEST(SqliteStoreTest, WriterWaitsForALockReleasedWithinTheTimeout) {
  const std::string path = NewDatabasePath();
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.has_value()) << store.error();
  auto other = Connection::Open(path, ConnectionOptions{});
  ASSERT_TRUE(other.has_value()) << other.error();
  ASSERT_STORE_OK((*other)->Exec("BEGIN IMMEDIATE"));
  std::thread releaser([&other] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_STORE_OK((*other)->Exec("COMMIT"));
  });
  EXPECT_STORE_OK((*store)->PutSetting("k", "v"));
  releaser.join();
  EXPECT_EQ((*store)->GetSetting("k")->value_or(""), "v");
}

// Every write the store acknowledged before the process was killed with SIGKILL is there
// afterwards.
TEST(SqliteStoreTest, Version2AddsTheDeviceAndCcnTables) {
  const std::string path = NewDatabasePath();
  ASSERT_TRUE(SqliteStore::Open(path).has_value());
  auto conn = OpenConnection(path);
  ASSERT_NE(conn, nullptr);
  for (const char* table : {"devices", "device_bindings", "ccns"}) {
    EXPECT_TRUE(TableExists(*conn, table)) << table;
  }
  EXPECT_GE(LatestSchemaVersion(), 2);
}

TEST(SqliteStoreTest, UpgradeFromVersion1KeepsTheData) {
  const std::string path = NewDatabasePath();
  InstanceRecord r = MakeInstance("1000000000000001", "cn-shanghai", "sag-old", 10);
  {
    auto conn = OpenConnection(path);
    ASSERT_NE(conn, nullptr);
    auto version = ApplyMigrations(*conn, Migrations().first(1));
    ASSERT_TRUE(version.has_value()) << version.error();
    ASSERT_EQ(*version, 1);
    EXPECT_FALSE(TableExists(*conn, "devices"));
    ASSERT_STORE_OK(
        conn->Exec("INSERT INTO instances VALUES ('sag-old', '1000000000000001', 'cn-shanghai', "
                   "'name-sag-old', 'description of sag-old', 'Active', 'hardware', 'sag-100wm', "
                   "'warm_backup', 50, '192.168.0.0/24,10.0.0.0/16', 'static', 600, 'Hangzhou', 1, "
                   "'PREPAY', 12, 'order-sag-old', 'rg-default', 'ccn-1', 5, 7, 10, 1010)"));
  }
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.has_value()) << store.error();
  EXPECT_EQ((*store)->schema_version(), LatestSchemaVersion());
  auto got = (*store)->GetInstance("1000000000000001", "cn-shanghai", "sag-old");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(::sag::store::testing::Dump(*got), ::sag::store::testing::Dump(r));
  BindSerialNumberRequest req;
  req.account_id = "1000000000000001";
  req.instance_id = "sag-old";
  req.serial_number = "sn-1";
  req.max_devices = 2;
  req.register_unknown = true;
  auto bound = (*store)->BindSerialNumber(req);
  ASSERT_STORE_OK(bound);
  EXPECT_EQ(*bound, BindOutcome::kBound);
}

// The schema itself enforces "one device, one instance", whatever the code above it does.
TEST(SqliteStoreTest, SchemaRejectsASecondBindingOfADevice) {
  const std::string path = NewDatabasePath();
  ASSERT_TRUE(SqliteStore::Open(path).has_value());
  auto conn = OpenConnection(path);
  ASSERT_NE(conn, nullptr);
  for (const char* id : {"sag-1", "sag-2"}) {
    const sql::Value values[] = {id};
    ASSERT_STORE_OK(conn->RunOnce(
        "INSERT INTO instances VALUES ($1, 'a', 'r', '', '', 'Init', 'hardware', 'sag-100wm', "
        "'no_backup', 0, '', 'static', 0, '', 0, '', 0, '', '', '', 0, 0, 0, 0, 0, 0)",
        values));
  }
  ASSERT_STORE_OK(
      conn->Exec("INSERT INTO devices (serial_number, hardware_model, sealed_secret, retired, "
                 "create_ms) VALUES ('sn-1', 'sag-100wm', x'', 0, 0), "
                 "('sn-2', 'sag-100wm', x'', 0, 0)"));
  ASSERT_STORE_OK(conn->Exec("INSERT INTO device_bindings VALUES ('sn-1', 'sag-1', 1, 0)"));
  EXPECT_EQ(Outcome(conn->Exec("INSERT INTO device_bindings VALUES ('sn-1', 'sag-2', 1, 0)")),
            "AlreadyExists");
  EXPECT_EQ(Outcome(conn->Exec("INSERT INTO device_bindings VALUES ('sn-1', 'sag-1', 2, 0)")),
            "AlreadyExists");
  // Two devices cannot share a place in an instance's bind order.
  EXPECT_EQ(Outcome(conn->Exec("INSERT INTO device_bindings VALUES ('sn-2', 'sag-1', 1, 0)")),
            "AlreadyExists");
  // Bindings name existing devices and instances; a bound instance cannot simply be deleted.
  EXPECT_EQ(Outcome(conn->Exec("INSERT INTO device_bindings VALUES ('sn-x', 'sag-1', 3, 0)")),
            "Conflict");
  EXPECT_EQ(Outcome(conn->Exec("INSERT INTO device_bindings VALUES ('sn-2', 'sag-x', 3, 0)")),
            "Conflict");
  EXPECT_EQ(Outcome(conn->Exec("DELETE FROM instances WHERE id = 'sag-1'")), "Conflict");
}

// Two stores on one file share no in-process lock (like two processes, or two sagd nodes on one
// database): BEGIN IMMEDIATE alone must keep a device bound to one instance.
TEST(SqliteStoreTest, ConcurrentBindsThroughTwoStoresHaveExactlyOneWinner) {
  const std::string path = NewDatabasePath();
  auto first = SqliteStore::Open(path);
  ASSERT_TRUE(first.has_value()) << first.error();
  auto second = SqliteStore::Open(path);
  ASSERT_TRUE(second.has_value()) << second.error();
  Store* stores[] = {first->get(), second->get()};
  constexpr int kThreads = 32;
  constexpr int kRounds = 10;
  const std::string account = "1000000000000001";
  for (int i = 0; i < kThreads; ++i) {
    InstanceRecord r = MakeInstance(account, "cn-shanghai", "sag-" + std::to_string(i), i);
    r.ccn_id = "";
    ASSERT_STORE_OK(stores[0]->CreateInstance(r));
  }
  for (int round = 0; round < kRounds; ++round) {
    const std::string sn = "sn-" + std::to_string(round);
    std::atomic<bool> go{false};
    std::atomic<int> bound{0};
    std::atomic<int> elsewhere{0};
    std::atomic<int> other{0};
    std::atomic<int> winner{-1};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        while (!go.load()) {
          std::this_thread::yield();
        }
        BindSerialNumberRequest req;
        req.account_id = account;
        req.instance_id = "sag-" + std::to_string(t);
        req.serial_number = sn;
        req.max_devices = 1;
        req.register_unknown = true;
        auto r = stores[t % 2]->BindSerialNumber(req);
        if (r && *r == BindOutcome::kBound) {
          ++bound;
          winner = t;
        } else if (r && *r == BindOutcome::kBoundElsewhere) {
          ++elsewhere;
        } else {
          ++other;
        }
      });
    }
    go = true;
    for (std::thread& t : threads) {
      t.join();
    }
    ASSERT_EQ(bound.load(), 1) << "round " << round;
    ASSERT_EQ(elsewhere.load(), kThreads - 1) << "round " << round;
    ASSERT_EQ(other.load(), 0) << "round " << round;
    const std::string instance = "sag-" + std::to_string(winner.load());
    EXPECT_EQ(stores[1]->GetDevice(sn)->instance_id, instance);
    auto unbound = stores[0]->UnbindSerialNumber(account, "", instance, sn);
    ASSERT_STORE_OK(unbound);
    EXPECT_EQ(*unbound, UnbindOutcome::kUnbound);
  }
}

TEST(SqliteStoreTest, AcknowledgedWritesSurviveKill9) {
  const std::string path = NewDatabasePath();
  {
    auto store = SqliteStore::Open(path);  // create the schema before forking
    ASSERT_TRUE(store.has_value()) << store.error();
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    auto store = SqliteStore::Open(path);
    if (!store) {
      _exit(2);
    }
    for (int32_t i = 0;; ++i) {
      if (!(*store)->CreateInstance(MakeInstance("1", "r", "sag-" + std::to_string(i), i))) {
        _exit(3);
      }
      if (write(fds[1], &i, sizeof(i)) != static_cast<ssize_t>(sizeof(i))) {
        _exit(4);
      }
    }
  }
  close(fds[1]);
  int32_t last_acked = -1;
  int32_t value = 0;
  while (last_acked < 30 && read(fds[0], &value, sizeof(value)) == sizeof(value)) {
    last_acked = value;
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status)) << "child exited early with status " << WEXITSTATUS(status);
  // Acknowledgements already in the pipe count too.
  while (read(fds[0], &value, sizeof(value)) == sizeof(value)) {
    last_acked = value;
  }
  close(fds[0]);
  ASSERT_GE(last_acked, 30);

  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.has_value()) << store.error();
  for (int32_t i = 0; i <= last_acked; ++i) {
    EXPECT_STORE_OK((*store)->GetInstance("1", "r", "sag-" + std::to_string(i)));
  }
}

}  // namespace
}  // namespace sag::store
