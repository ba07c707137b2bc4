// PostgreSQL-specific store tests (the shared behaviour is in store_contract_test.cc): migrations
// with several nodes, the schema version guard, invariants across two stores (two "nodes") on one
// database. They exist only when SAG_TEST_PG_DSN names a server (scripts/pg-test-server.sh).

#include "store/pg/pg_store.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/pg/pg_util.h"
#include "store/pg_test_support.h"
#include "store/sql/migrations.h"
#include "store/store_test_support.h"

namespace sag::store {
namespace {

using ::sag::store::testing::MakeInstance;
using ::sag::store::testing::OutcomeName;
using ::sag::store::testing::PgTestDatabases;
using ::sag::store::testing::PgTestDsn;

constexpr char kAccount[] = "1000000000000001";
constexpr char kRegion[] = "cn-shanghai";

// One element ("Postgres") when the server is configured, none otherwise.
std::vector<std::string> PgServers() {
  if (PgTestDsn()) {
    return {"Postgres"};
  }
  return {};
}

class PgStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    conninfo_ = databases().Fresh();
    ASSERT_FALSE(conninfo_.empty());
  }

  static PgTestDatabases& databases() {
    static PgTestDatabases dbs(*PgTestDsn());
    return dbs;
  }

  std::unique_ptr<PgStore> Open(int pool_size = 4) {
    auto store = PgStore::Open(conninfo_, pool_size);
    EXPECT_TRUE(store.has_value()) << (store ? "" : store.error());
    return store ? std::move(store).value() : nullptr;
  }

  std::unique_ptr<pg::Connection> Connect() {
    auto conn = pg::Connection::Open(conninfo_);
    EXPECT_TRUE(conn.has_value()) << (conn ? "" : conn.error());
    return conn ? std::move(conn).value() : nullptr;
  }

  std::string conninfo_;
};

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PgStoreTest);

TEST_P(PgStoreTest, OpenMigratesToTheLatestVersionAndReopenKeepsIt) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), sql::LatestSchemaVersion());
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), sql::LatestSchemaVersion());
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  auto rows = conn->RunOnce("SELECT count(*) FROM schema_version", {});
  ASSERT_TRUE(rows.has_value()) << rows.error().detail;
  EXPECT_EQ(rows->Int(0, 0), sql::LatestSchemaVersion());
}

TEST_P(PgStoreTest, NodesStartingTogetherMigrateOnce) {
  constexpr int kNodes = 6;
  std::vector<std::unique_ptr<PgStore>> stores(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] { stores[static_cast<size_t>(i)] = Open(1); });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  for (const auto& s : stores) {
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->schema_version(), sql::LatestSchemaVersion());
  }
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  auto rows = conn->RunOnce("SELECT version FROM schema_version ORDER BY version", {});
  ASSERT_TRUE(rows.has_value()) << rows.error().detail;
  ASSERT_EQ(rows->size(), sql::LatestSchemaVersion());
  for (int i = 0; i < rows->size(); ++i) {
    EXPECT_EQ(rows->Int(i, 0), i + 1);
  }
}

TEST_P(PgStoreTest, NewerSchemaVersionIsRefusedWithAClearMessage) {
  ASSERT_NE(Open(), nullptr);
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  const sql::Value future[] = {sql::LatestSchemaVersion() + 1};
  ASSERT_TRUE(conn->RunOnce("INSERT INTO schema_version (version, description, applied_ms) "
                            "VALUES ($1, 'from the future', 0)",
                            future)
                  .has_value());
  auto store = PgStore::Open(conninfo_);
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().find("newer than this build"), std::string::npos) << store.error();
}

TEST_P(PgStoreTest, UnreachableServerFailsToOpenWithAReadableMessage) {
  auto store = PgStore::Open("host=127.0.0.1 port=1 dbname=x user=x connect_timeout=2");
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().find("cannot connect"), std::string::npos) << store.error();
}

TEST_P(PgStoreTest, TextOrdersBytewiseAndBinarySecretsRoundTrip) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CreateAccount({.id = kAccount, .name = "a", .create_ms = 1}).has_value());
  // Bytewise: uppercase before lowercase, '_' between them; a locale collation would interleave.
  for (const char* name : {"b", "_x", "B", "a", "A"}) {
    ASSERT_TRUE(store->CreateUser(
        {.account_id = kAccount, .name = name, .display_name = name, .create_ms = 1}));
  }
  auto users = store->ListUsers(kAccount);
  ASSERT_TRUE(users.has_value());
  std::vector<std::string> names;
  for (const UserRecord& u : *users) {
    names.push_back(u.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"A", "B", "_x", "a", "b"}));

  const std::string secret("\0\x01\xff'\\x\"", 7);
  ASSERT_TRUE(store->CreateAccessKey(
      {.id = "LTAI1", .account_id = kAccount, .user_name = "a", .sealed_secret = secret}));
  auto key = store->GetAccessKey("LTAI1");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->sealed_secret, secret);
}

// Two stores on one database stand for two sagd nodes: a serial number raced from both is bound
// once, and an instance raced from both never exceeds max_devices.
TEST_P(PgStoreTest, BindingInvariantsHoldAcrossNodes) {
  auto node1 = Open();
  auto node2 = Open();
  ASSERT_NE(node1, nullptr);
  ASSERT_NE(node2, nullptr);
  constexpr int kInstances = 8;
  for (int i = 0; i < kInstances; ++i) {
    ASSERT_TRUE(
        node1->CreateInstance(MakeInstance(kAccount, kRegion, "sag-" + std::to_string(i), i)));
  }
  for (int round = 0; round < 10; ++round) {
    const std::string sn = "sn-" + std::to_string(round);
    std::vector<std::string> outcomes(kInstances);
    std::vector<std::thread> threads;
    for (int i = 0; i < kInstances; ++i) {
      threads.emplace_back([&, i] {
        Store& node = i % 2 == 0 ? static_cast<Store&>(*node1) : *node2;
        outcomes[static_cast<size_t>(i)] =
            OutcomeName(node.BindSerialNumber({.account_id = kAccount,
                                               .region_id = kRegion,
                                               .instance_id = "sag-" + std::to_string(i),
                                               .serial_number = sn,
                                               .max_devices = 2,
                                               .register_unknown = true,
                                               .now_ms = round}));
      });
    }
    for (std::thread& t : threads) {
      t.join();
    }
    int bound = 0;
    for (const std::string& o : outcomes) {
      if (o == "Bound") {
        ++bound;
      } else {
        EXPECT_TRUE(o == "BoundElsewhere" || o == "InstanceFull") << o;
      }
    }
    EXPECT_EQ(bound, 1) << "round " << round;  // 8 instances x 2 seats: room for every round
  }
  // Every instance holds at most two devices, and each device is on exactly one instance.
  int total = 0;
  for (int i = 0; i < kInstances; ++i) {
    auto instance = node2->GetInstance(kAccount, kRegion, "sag-" + std::to_string(i));
    ASSERT_TRUE(instance.has_value());
    EXPECT_LE(instance->serial_numbers.size(), 2u);
    total += static_cast<int>(instance->serial_numbers.size());
  }
  EXPECT_EQ(total, 10);
  EXPECT_EQ(*node1->CountDevices(), 10);
}

INSTANTIATE_TEST_SUITE_P(Backends, PgStoreTest, ::testing::ValuesIn(PgServers()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace sag::store
