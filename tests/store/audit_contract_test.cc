// Contract tests of store::AuditStore (the audit trail) and store::FleetStatsStore, run against
// every backend: SQLite (file and memory) and PostgreSQL when SAG_TEST_PG_DSN names a server.
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/backends.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace sag::store {
namespace {

using ::sag::store::testing::BackendFactory;
using ::sag::store::testing::BackendName;
using ::sag::store::testing::Backends;

AuditEventRecord Event(const std::string& account, const std::string& action, int64_t ms,
                       const std::string& user = "root") {
  return AuditEventRecord{.event_ms = ms,
                          .account_id = account,
                          .user_name = user,
                          .access_key_id = "LTAI" + account,
                          .source_address = "127.0.0.1",
                          .event_source = std::string(kAuditSourceSmartag),
                          .action = action,
                          .resource_arn = "acs:smartag:cn-shanghai:" + account + ":smartag/sag-1",
                          .request_id = "req-" + action + "-" + std::to_string(ms),
                          .result_code = "Success",
                          .http_status = 200,
                          .detail = ""};
}

std::vector<std::string> Actions(const AuditPage& page) {
  std::vector<std::string> out;
  for (const auto& e : page.events) out.push_back(e.action);
  return out;
}

class AuditContractTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().OpenFresh();
    ASSERT_NE(store_, nullptr);
  }
  Store& store() { return *store_; }
  std::unique_ptr<Store> store_;
};

TEST_P(AuditContractTest, AppendedEventsReadBackNewestFirstWithEveryField) {
  AuditEventRecord device = Event("a1", "DeviceApplied", 30, "");
  device.event_source = std::string(kAuditSourceDevice);
  device.http_status = 0;
  device.result_code = "ok";
  device.detail = "admin_password generation 2";
  ASSERT_STORE_OK(store().AppendAuditEvents(
      {Event("a1", "CreateSmartAccessGateway", 10), Event("a2", "CreateSmartAccessGateway", 20)}));
  ASSERT_STORE_OK(store().AppendAuditEvents({device}));
  ASSERT_STORE_OK(store().AppendAuditEvents({}));
  auto page = store().LookupAuditEvents(AuditQuery{});
  ASSERT_STORE_OK(page);
  ASSERT_EQ(page->events.size(), 3u);
  EXPECT_EQ(page->next_before_seq, 0);
  const AuditEventRecord& got = page->events[0];
  EXPECT_EQ(got.action, "DeviceApplied");
  EXPECT_EQ(got.event_ms, 30);
  EXPECT_EQ(got.account_id, "a1");
  EXPECT_EQ(got.user_name, "");
  EXPECT_EQ(got.access_key_id, "LTAIa1");
  EXPECT_EQ(got.source_address, "127.0.0.1");
  EXPECT_EQ(got.event_source, "device");
  EXPECT_EQ(got.resource_arn, "acs:smartag:cn-shanghai:a1:smartag/sag-1");
  EXPECT_EQ(got.request_id, "req-DeviceApplied-30");
  EXPECT_EQ(got.result_code, "ok");
  EXPECT_EQ(got.http_status, 0);
  EXPECT_EQ(got.detail, "admin_password generation 2");
  EXPECT_GT(page->events[0].seq, page->events[1].seq);
  EXPECT_GT(page->events[1].seq, page->events[2].seq);
  EXPECT_EQ(page->events[2].account_id, "a1");
}

TEST_P(AuditContractTest, FiltersSelectByAccountTimeActionArnAndUser) {
  ASSERT_STORE_OK(
      store().AppendAuditEvents({Event("a1", "Create", 10), Event("a2", "Create", 20),
                                 Event("a1", "Modify", 30, "alice"), Event("a1", "Delete", 40)}));
  auto of = [&](const std::function<void(AuditQuery&)>& select) {
    AuditQuery q;
    select(q);
    auto page = store().LookupAuditEvents(q);
    EXPECT_TRUE(page.has_value());
    return page ? Actions(*page) : std::vector<std::string>{};
  };
  EXPECT_EQ(of([](AuditQuery& q) { q.account_id = "a1"; }),
            (std::vector<std::string>{"Delete", "Modify", "Create"}));
  EXPECT_EQ(of([](AuditQuery& q) { q.account_id = "a2"; }), (std::vector<std::string>{"Create"}));
  EXPECT_EQ(of([](AuditQuery& q) {
              q.start_ms = 20;
              q.end_ms = 30;
            }),
            (std::vector<std::string>{"Modify", "Create"}));
  EXPECT_EQ(of([](AuditQuery& q) {
              q.account_id = "a1";
              q.action = "Create";
            }),
            (std::vector<std::string>{"Create"}));
  EXPECT_EQ(of([](AuditQuery& q) { q.user_name = "alice"; }), (std::vector<std::string>{"Modify"}));
  EXPECT_EQ(of([](AuditQuery& q) { q.resource_arn = "acs:smartag:cn-shanghai:a2:smartag/sag-1"; }),
            (std::vector<std::string>{"Create"}));
  EXPECT_TRUE(of([](AuditQuery& q) { q.account_id = "a3"; }).empty());
  EXPECT_TRUE(of([](AuditQuery& q) { q.limit = 0; }).empty());
  EXPECT_TRUE(of([](AuditQuery& q) { q.limit = -5; }).empty());
}

TEST_P(AuditContractTest, PagesFollowEachOtherWithoutGapOrRepeat) {
  std::vector<AuditEventRecord> events;
  for (int i = 0; i < 7; ++i) events.push_back(Event("a1", "A" + std::to_string(i), 10 + i));
  ASSERT_STORE_OK(store().AppendAuditEvents(events));
  std::vector<std::string> seen;
  AuditQuery q;
  q.limit = 3;
  int pages = 0;
  for (;;) {
    auto page = store().LookupAuditEvents(q);
    ASSERT_STORE_OK(page);
    ++pages;
    for (const auto& a : Actions(*page)) seen.push_back(a);
    if (page->next_before_seq == 0) break;
    q.before_seq = page->next_before_seq;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"A6", "A5", "A4", "A3", "A2", "A1", "A0"}));
  // A page that ends exactly on the last event says no page follows.
  auto exact = store().LookupAuditEvents([] {
    AuditQuery whole;
    whole.limit = 7;
    return whole;
  }());
  ASSERT_STORE_OK(exact);
  EXPECT_EQ(exact->events.size(), 7u);
  EXPECT_EQ(exact->next_before_seq, 0);
}

TEST_P(AuditContractTest, PurgeDeletesOnlyOlderEventsOldestFirstUpToTheLimit) {
  ASSERT_STORE_OK(store().AppendAuditEvents(
      {Event("a1", "A", 10), Event("a1", "B", 20), Event("a1", "C", 30), Event("a1", "D", 40)}));
  auto purged = store().PurgeAuditEvents(35, 2);
  ASSERT_STORE_OK(purged);
  EXPECT_EQ(*purged, 2);
  auto page = store().LookupAuditEvents(AuditQuery{});
  ASSERT_STORE_OK(page);
  EXPECT_EQ(Actions(*page), (std::vector<std::string>{"D", "C"}));
  purged = store().PurgeAuditEvents(35, 100);
  ASSERT_STORE_OK(purged);
  EXPECT_EQ(*purged, 1);
  purged = store().PurgeAuditEvents(35, 100);
  ASSERT_STORE_OK(purged);
  EXPECT_EQ(*purged, 0);
  // Numbers are never reused after a purge: a new event still sorts newest.
  ASSERT_STORE_OK(store().AppendAuditEvents({Event("a1", "E", 5)}));
  page = store().LookupAuditEvents(AuditQuery{});
  ASSERT_STORE_OK(page);
  EXPECT_EQ(Actions(*page), (std::vector<std::string>{"E", "D"}));
}

TEST_P(AuditContractTest, ConcurrentAppendsKeepEveryEvent) {
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([this, w] {
      for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(store()
                        .AppendAuditEvents({Event("a" + std::to_string(w), "X", i),
                                            Event("a" + std::to_string(w), "Y", i)})
                        .has_value());
      }
    });
  }
  for (auto& t : writers) t.join();
  auto page = store().LookupAuditEvents([] {
    AuditQuery q;
    q.limit = 100;
    return q;
  }());
  ASSERT_STORE_OK(page);
  EXPECT_EQ(page->events.size(), 80u);
  // Each writer's events, oldest first, are its batches in order, each batch in the order given
  // (other writers' events may come between them).
  for (int w = 0; w < 4; ++w) {
    std::vector<std::string> mine;
    for (auto it = page->events.rbegin(); it != page->events.rend(); ++it) {
      if (it->account_id == "a" + std::to_string(w)) {
        mine.push_back(it->action + std::to_string(it->event_ms));
      }
    }
    std::vector<std::string> expected;
    for (int i = 0; i < 10; ++i) {
      expected.push_back("X" + std::to_string(i));
      expected.push_back("Y" + std::to_string(i));
    }
    EXPECT_EQ(mine, expected) << "writer " << w;
  }
}

TEST_P(AuditContractTest, UpgradesAreCountedByState) {
  auto empty = store().CountUpgradesByState();
  ASSERT_STORE_OK(empty);
  EXPECT_TRUE(empty->empty());
  for (const char* sn : {"sn-1", "sn-2", "sn-3"}) {
    DeviceRecord d;
    d.serial_number = sn;
    d.hardware_model = "sag-1000";
    d.sealed_secret = "x";
    d.create_ms = 1;
    ASSERT_STORE_OK(store().RegisterDevice(d));
  }
  auto upgrade = [](const std::string& id, const std::string& sn, const std::string& state) {
    UpgradeRecord u;
    u.id = id;
    u.serial_number = sn;
    u.account_id = "a1";
    u.version_type = "Device";
    u.version_code = "2.1.0";
    u.sha256 = std::string(64, 'b');
    u.state = ParseUpgradeState(state).value();
    return u;
  };
  ASSERT_STORE_OK(
      store().CreateUpgrades({upgrade("u1", "sn-1", "Queued"), upgrade("u2", "sn-2", "Succeeded"),
                              upgrade("u3", "sn-3", "Succeeded")}));
  auto counts = store().CountUpgradesByState();
  ASSERT_STORE_OK(counts);
  EXPECT_EQ(*counts,
            (std::vector<std::pair<std::string, int64_t>>{{"Queued", 1}, {"Succeeded", 2}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditContractTest, ::testing::ValuesIn(Backends()), BackendName);

}  // namespace
}  // namespace sag::store
