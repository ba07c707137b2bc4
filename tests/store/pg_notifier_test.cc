// PgNotifier (store/pg/pg_notifier.h): messages between nodes over LISTEN/NOTIFY, the channel
// routing, recovery after the listening connection is killed, and PgStore::PutSetting's
// notification. They exist only when SAG_TEST_PG_DSN names a server (scripts/pg-test-server.sh).

#include "store/pg/pg_notifier.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "store/pg/pg_store.h"
#include "store/pg/pg_util.h"
#include "store/pg_test_support.h"

namespace sag::store {
namespace {

using ::sag::store::testing::PgTestDatabases;
using ::sag::store::testing::PgTestDsn;
using namespace std::chrono_literals;

std::vector<std::string> PgServers() {
  if (PgTestDsn()) {
    return {"Postgres"};
  }
  return {};
}

// What one notifier received.
class Inbox {
 public:
  void Add(const std::string& channel, const std::string& payload) {
    {
      std::lock_guard lock(mu_);
      got_.emplace_back(channel, payload);
    }
    cv_.notify_all();
  }
  void Resynced() {
    {
      std::lock_guard lock(mu_);
      ++resyncs_;
    }
    cv_.notify_all();
  }
  // Waits until (channel, payload) arrived; false after 5 s.
  bool WaitFor(const std::string& channel, const std::string& payload) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 5s, [&] {
      for (const auto& [c, p] : got_) {
        if (c == channel && p == payload) return true;
      }
      return false;
    });
  }
  bool WaitForResync() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return resyncs_ > 0; });
  }
  bool Has(const std::string& payload) {
    std::lock_guard lock(mu_);
    for (const auto& [c, p] : got_) {
      if (p == payload) return true;
    }
    return false;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<std::string, std::string>> got_;
  int resyncs_ = 0;
};

class PgNotifierTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    conninfo_ = databases().Fresh();
    ASSERT_FALSE(conninfo_.empty());
  }

  static PgTestDatabases& databases() {
    static PgTestDatabases dbs(*PgTestDsn());
    return dbs;
  }

  std::unique_ptr<pg::PgNotifier> Start(const std::string& node, Inbox& inbox) {
    auto n = std::make_unique<pg::PgNotifier>(
        conninfo_,
        std::vector<std::string>{std::string(pg::kClusterChannel), pg::NodeChannel(node)},
        [&inbox](const std::string& c, const std::string& p) { inbox.Add(c, p); },
        [&inbox] { inbox.Resynced(); });
    auto started = n->Start();
    EXPECT_TRUE(started.has_value()) << (started ? "" : started.error());
    return n;
  }

  std::string conninfo_;
};

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PgNotifierTest);

TEST_P(PgNotifierTest, NodeChannelsReachOneNodeAndTheClusterChannelEveryNode) {
  Inbox one;
  Inbox two;
  auto a = Start("n1", one);
  auto b = Start("n2", two);
  ASSERT_TRUE(a->Publish(pg::NodeChannel("n2"), "to-two").has_value());
  ASSERT_TRUE(a->Publish(pg::kClusterChannel, "to-all").has_value());
  EXPECT_TRUE(two.WaitFor(pg::NodeChannel("n2"), "to-two"));
  EXPECT_TRUE(one.WaitFor(std::string(pg::kClusterChannel), "to-all"));
  EXPECT_TRUE(two.WaitFor(std::string(pg::kClusterChannel), "to-all"));
  EXPECT_FALSE(one.Has("to-two"));
}

TEST_P(PgNotifierTest, ListensAgainAfterItsConnectionsAreKilledAndReportsAResync) {
  Inbox inbox;
  auto n = Start("n1", inbox);
  auto admin = pg::Connection::Open(conninfo_);
  ASSERT_TRUE(admin.has_value());
  ASSERT_TRUE((*admin)
                  ->Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                         "current_database() AND pid <> pg_backend_pid()")
                  .has_value());
  EXPECT_TRUE(inbox.WaitForResync());
  // The publishing connection was killed too: Publish reconnects.
  ASSERT_TRUE(n->Publish(pg::NodeChannel("n1"), "after").has_value());
  EXPECT_TRUE(inbox.WaitFor(pg::NodeChannel("n1"), "after"));
}

TEST_P(PgNotifierTest, PutSettingTellsEveryNode) {
  Inbox inbox;
  auto n = Start("n1", inbox);
  auto store = PgStore::Open(conninfo_, 2);
  ASSERT_TRUE(store.has_value()) << store.error();
  ASSERT_TRUE((*store)->PutSetting("test_clock_offset_ms", "42").has_value());
  EXPECT_TRUE(inbox.WaitFor(std::string(pg::kClusterChannel),
                            R"({"t" : "setting", "key" : "test_clock_offset_ms"})"));
}

INSTANTIATE_TEST_SUITE_P(Pg, PgNotifierTest, ::testing::ValuesIn(PgServers()));

}  // namespace
}  // namespace sag::store
