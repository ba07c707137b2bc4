// The client-user part of the Store contract (store/client_user_store.h): creation outcomes and
// ClientIp allocation, lists, patches, deletion, sessions, and races — between threads on one store
// and between two stores (two "nodes") on one database. Every backend must pass it unchanged.

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
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
using ::sag::store::testing::MakeInstance;
using ::sag::store::testing::MultiConnectionBackends;
using ::sag::store::testing::NewDatabasePath;
using ::sag::store::testing::Outcome;

constexpr char kAccountA[] = "1000000000000001";
constexpr char kAccountB[] = "1000000000000002";
constexpr char kRegion[] = "cn-shanghai";
constexpr char kApp[] = "sag-app1";
constexpr char kAppCidr[] = "192.168.0.0/24,10.0.0.0/16";  // MakeInstance's

constexpr uint32_t Ip(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

class ClientUserStoreTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    GetParam().fresh();
    store_ = GetParam().open();
    ASSERT_NE(store_, nullptr);
    for (const char* account : {kAccountA, kAccountB}) {
      ASSERT_STORE_OK(store().CreateAccount({.id = account, .name = "n", .create_ms = 1}));
    }
    InstanceRecord app = MakeInstance(kAccountA, kRegion, kApp, 1);
    app.instance_type = "software";
    app.hardware_spec = "sag-software";
    app.ccn_id = "";
    ASSERT_STORE_OK(store().CreateInstance(app));
  }

  Store& store() { return *store_; }

  // A request for user name on kApp in account A; dynamic address from pool unless ip is set.
  static CreateClientUserRequest Request(const std::string& name, int64_t create_ms = 1,
                                         std::optional<uint32_t> ip = std::nullopt,
                                         std::vector<ClientIpRange> pool = {{Ip(10, 0, 0, 2),
                                                                             Ip(10, 0, 0, 254)}},
                                         int64_t max_users = 100) {
    CreateClientUserRequest r;
    r.user.account_id = kAccountA;
    r.user.instance_id = kApp;
    r.user.user_name = name;
    r.user.user_mail = name + "@example.com";
    r.user.bandwidth = 2000;
    r.user.is_static_ip = ip.has_value();
    r.user.client_ip = ip.value_or(0);
    r.user.password_hash = "$argon2id$v=19$hash-of-" + name;
    r.user.create_ms = create_ms;
    r.pool = std::move(pool);
    r.cidr_block = kAppCidr;
    r.max_users = max_users;
    return r;
  }

  // Creates and expects kCreated; returns the stored user.
  ClientUserRecord Create(const CreateClientUserRequest& r) {
    auto created = store().CreateClientUser(r);
    EXPECT_TRUE(created.has_value()) << created.error().detail;
    if (!created) return {};
    EXPECT_EQ(created->outcome, CreateClientUserOutcome::kCreated);
    return created->user;
  }

  CreateClientUserOutcome OutcomeOf(const CreateClientUserRequest& r) {
    auto created = store().CreateClientUser(r);
    EXPECT_TRUE(created.has_value()) << created.error().detail;
    return created ? created->outcome : CreateClientUserOutcome::kInstanceNotFound;
  }

  std::vector<std::string> Names(const ClientUserFilter& f, int64_t* total = nullptr) {
    auto page = store().ListClientUsers(f);
    EXPECT_TRUE(page.has_value()) << page.error().detail;
    if (!page) return {};
    if (total != nullptr) *total = page->total;
    std::vector<std::string> out;
    for (const auto& u : page->items) out.push_back(u.user_name);
    return out;
  }

  static ClientUserFilter All() {
    ClientUserFilter f;
    f.account_id = kAccountA;
    f.instance_id = kApp;
    f.limit = 100;
    return f;
  }

  std::unique_ptr<Store> store_;
};

TEST_P(ClientUserStoreTest, CreateThenGetReturnsEveryField) {
  ClientUserRecord made = Create(Request("alice01", 5));
  EXPECT_EQ(made.client_ip, Ip(10, 0, 0, 2));
  auto got = store().GetClientUser(kAccountA, kApp, "alice01");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(got->account_id, kAccountA);
  EXPECT_EQ(got->instance_id, kApp);
  EXPECT_EQ(got->user_name, "alice01");
  EXPECT_EQ(got->user_mail, "alice01@example.com");
  EXPECT_EQ(got->bandwidth, 2000);
  EXPECT_EQ(got->client_ip, Ip(10, 0, 0, 2));
  EXPECT_FALSE(got->is_static_ip);
  EXPECT_EQ(got->state, 0);
  EXPECT_FALSE(got->disabled_by_root);
  EXPECT_EQ(got->password_hash, "$argon2id$v=19$hash-of-alice01");
  EXPECT_EQ(got->create_ms, 5);
}

TEST_P(ClientUserStoreTest, GetFromAnotherAccountOrMissingIsNotFound) {
  Create(Request("alice01"));
  EXPECT_EQ(Outcome(store().GetClientUser(kAccountB, kApp, "alice01")), "NotFound");
  EXPECT_EQ(Outcome(store().GetClientUser(kAccountA, kApp, "nobody00")), "NotFound");
}

TEST_P(ClientUserStoreTest, DynamicAddressesAreTheLowestFreeInPoolOrder) {
  const std::vector<ClientIpRange> pool = {{Ip(10, 0, 0, 2), Ip(10, 0, 0, 3)},
                                           {Ip(192, 168, 1, 2), Ip(192, 168, 1, 2)}};
  EXPECT_EQ(Create(Request("u1", 1, std::nullopt, pool)).client_ip, Ip(10, 0, 0, 2));
  // A static address in the pool is skipped by later allocations.
  EXPECT_EQ(Create(Request("s1", 1, Ip(10, 0, 0, 3), pool)).client_ip, Ip(10, 0, 0, 3));
  EXPECT_EQ(Create(Request("u2", 1, std::nullopt, pool)).client_ip, Ip(192, 168, 1, 2));
  EXPECT_EQ(OutcomeOf(Request("u3", 1, std::nullopt, pool)),
            CreateClientUserOutcome::kPoolExhausted);
  // Deleting a user frees its address for the next one.
  ASSERT_STORE_OK(store().DeleteClientUser(kAccountA, kApp, "u1"));
  EXPECT_EQ(Create(Request("u3", 1, std::nullopt, pool)).client_ip, Ip(10, 0, 0, 2));
}

TEST_P(ClientUserStoreTest, CreateOutcomesInOrderAndNothingChangedByThem) {
  Create(Request("alice01", 1, Ip(10, 0, 0, 9)));
  auto foreign = Request("bob0001");
  foreign.user.account_id = kAccountB;
  EXPECT_EQ(OutcomeOf(foreign), CreateClientUserOutcome::kInstanceNotFound);
  auto missing = Request("bob0001");
  missing.user.instance_id = "sag-missing";
  EXPECT_EQ(OutcomeOf(missing), CreateClientUserOutcome::kInstanceNotFound);
  EXPECT_EQ(OutcomeOf(Request("alice01")), CreateClientUserOutcome::kNameTaken);
  EXPECT_EQ(OutcomeOf(Request("bob0001", 1, Ip(10, 0, 0, 9))), CreateClientUserOutcome::kIpTaken);
  auto full = Request("bob0001");
  full.max_users = 1;
  EXPECT_EQ(OutcomeOf(full), CreateClientUserOutcome::kOverLimit);
  EXPECT_EQ(OutcomeOf(Request("bob0001", 1, std::nullopt, {})),
            CreateClientUserOutcome::kPoolExhausted);
  int64_t total = 0;
  EXPECT_EQ(Names(All(), &total), std::vector<std::string>{"alice01"});
  EXPECT_EQ(total, 1);
}

TEST_P(ClientUserStoreTest, CreateFromAStaleCidrBlockChangesNothing) {
  auto stale = Request("bob0001");
  stale.cidr_block = "10.9.0.0/24";  // what the caller read before the block was changed
  EXPECT_EQ(OutcomeOf(stale), CreateClientUserOutcome::kPoolChanged);
  EXPECT_EQ(Names(All()), std::vector<std::string>{});
}

TEST_P(ClientUserStoreTest, ANewCidrBlockMustHoldEveryClientIpInTheSameTransaction) {
  Create(Request("alice01", 1, Ip(10, 0, 0, 9)));
  InstancePatch narrower;
  narrower.cidr_block = "10.0.1.0/24";
  narrower.client_ips_within = std::vector<ClientIpRange>{{Ip(10, 0, 1, 2), Ip(10, 0, 1, 254)}};
  auto refused = store().UpdateInstance(kAccountA, kRegion, kApp, narrower);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, StoreErrorCode::kConflict);
  auto kept = store().GetInstance(kAccountA, kRegion, kApp);
  ASSERT_STORE_OK(kept);
  EXPECT_EQ(kept->cidr_block, kAppCidr);

  InstancePatch holding;
  holding.cidr_block = "10.0.0.0/28";
  holding.client_ips_within = std::vector<ClientIpRange>{{Ip(10, 0, 0, 2), Ip(10, 0, 0, 14)}};
  auto changed = store().UpdateInstance(kAccountA, kRegion, kApp, holding);
  ASSERT_STORE_OK(changed);
  EXPECT_EQ(changed->cidr_block, "10.0.0.0/28");
  // A create that read the old block is refused; one that read the new block goes through.
  EXPECT_EQ(OutcomeOf(Request("bob0001")), CreateClientUserOutcome::kPoolChanged);
  auto fresh = Request("bob0001", 1, std::nullopt, {{Ip(10, 0, 0, 2), Ip(10, 0, 0, 14)}});
  fresh.cidr_block = "10.0.0.0/28";
  EXPECT_EQ(Create(fresh).client_ip, Ip(10, 0, 0, 2));
}

TEST_P(ClientUserStoreTest, ListIsOrderedPagedAndFiltered) {
  Create(Request("carol01", 3));
  Create(Request("alice01", 1));
  Create(Request("bob0001", 2));
  Create(Request("bob0000", 2));
  int64_t total = 0;
  EXPECT_EQ(Names(All(), &total),
            (std::vector<std::string>{"alice01", "bob0000", "bob0001", "carol01"}));
  EXPECT_EQ(total, 4);
  ClientUserFilter page = All();
  page.offset = 1;
  page.limit = 2;
  EXPECT_EQ(Names(page, &total), (std::vector<std::string>{"bob0000", "bob0001"}));
  EXPECT_EQ(total, 4);
  page.offset = 10;
  EXPECT_TRUE(Names(page, &total).empty());
  EXPECT_EQ(total, 4);
  ClientUserFilter by_name = All();
  by_name.user_name = "bob0001";
  EXPECT_EQ(Names(by_name, &total), std::vector<std::string>{"bob0001"});
  EXPECT_EQ(total, 1);
  ClientUserFilter by_mail = All();
  by_mail.user_mail = "carol01@example.com";
  EXPECT_EQ(Names(by_mail), std::vector<std::string>{"carol01"});
  ClientUserFilter other = All();
  other.account_id = kAccountB;
  EXPECT_TRUE(Names(other, &total).empty());
  EXPECT_EQ(total, 0);
}

TEST_P(ClientUserStoreTest, UpdateAppliesOnlyTheSetFields) {
  Create(Request("alice01"));
  ClientUserPatch patch;
  patch.bandwidth = 300;
  auto updated = store().UpdateClientUser(kAccountA, kApp, "alice01", patch);
  ASSERT_STORE_OK(updated);
  EXPECT_EQ(updated->bandwidth, 300);
  EXPECT_EQ(updated->user_mail, "alice01@example.com");
  patch = ClientUserPatch{};
  patch.user_mail = "new@example.com";
  patch.password_hash = "$argon2id$new";
  patch.state = 1;
  patch.disabled_by_root = true;
  ASSERT_STORE_OK(store().UpdateClientUser(kAccountA, kApp, "alice01", patch));
  auto got = store().GetClientUser(kAccountA, kApp, "alice01");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(got->bandwidth, 300);
  EXPECT_EQ(got->user_mail, "new@example.com");
  EXPECT_EQ(got->password_hash, "$argon2id$new");
  EXPECT_EQ(got->state, 1);
  EXPECT_TRUE(got->disabled_by_root);
  EXPECT_EQ(Outcome(store().UpdateClientUser(kAccountA, kApp, "nobody00", patch)), "NotFound");
  EXPECT_EQ(Outcome(store().UpdateClientUser(kAccountB, kApp, "alice01", patch)), "NotFound");
}

TEST_P(ClientUserStoreTest, DeleteRemovesTheUserOnce) {
  Create(Request("alice01"));
  EXPECT_EQ(Outcome(store().DeleteClientUser(kAccountB, kApp, "alice01")), "NotFound");
  ASSERT_STORE_OK(store().DeleteClientUser(kAccountA, kApp, "alice01"));
  EXPECT_EQ(Outcome(store().DeleteClientUser(kAccountA, kApp, "alice01")), "NotFound");
  EXPECT_EQ(Outcome(store().GetClientUser(kAccountA, kApp, "alice01")), "NotFound");
}

TEST_P(ClientUserStoreTest, SessionsOpenListCloseAndGoWithTheUser) {
  Create(Request("alice01", 1, Ip(10, 0, 0, 7)));
  EXPECT_EQ(Outcome(store().OpenClientSession(
                {.id = "cs-0", .instance_id = kApp, .user_name = "nobody00", .online_ms = 1})),
            "NotFound");
  auto s2 = store().OpenClientSession(
      {.id = "cs-2", .instance_id = kApp, .user_name = "alice01", .online_ms = 20});
  ASSERT_STORE_OK(s2);
  EXPECT_EQ(s2->client_ip, Ip(10, 0, 0, 7));
  ASSERT_STORE_OK(store().OpenClientSession(
      {.id = "cs-1", .instance_id = kApp, .user_name = "alice01", .online_ms = 10}));
  ASSERT_STORE_OK(store().OpenClientSession(
      {.id = "cs-3", .instance_id = kApp, .user_name = "alice01", .online_ms = 30}));
  auto list = store().ListClientSessions(kApp, "alice01");
  ASSERT_STORE_OK(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, "cs-1");
  EXPECT_EQ((*list)[1].id, "cs-2");
  EXPECT_EQ((*list)[2].id, "cs-3");
  EXPECT_EQ((*list)[0].client_ip, Ip(10, 0, 0, 7));
  ASSERT_STORE_OK(store().CloseClientSession("cs-2"));
  EXPECT_EQ(Outcome(store().CloseClientSession("cs-2")), "NotFound");
  auto closed = store().CloseClientSessions(kApp, "alice01");
  ASSERT_STORE_OK(closed);
  EXPECT_EQ(*closed, 2);
  // Disabling closes sessions and refuses new ones; deleting removes them.
  ASSERT_STORE_OK(store().OpenClientSession(
      {.id = "cs-4", .instance_id = kApp, .user_name = "alice01", .online_ms = 40}));
  ClientUserPatch disable;
  disable.state = 1;
  ASSERT_STORE_OK(store().UpdateClientUser(kAccountA, kApp, "alice01", disable));
  EXPECT_TRUE(store().ListClientSessions(kApp, "alice01")->empty());
  EXPECT_EQ(Outcome(store().OpenClientSession(
                {.id = "cs-5", .instance_id = kApp, .user_name = "alice01", .online_ms = 50})),
            "Conflict");
  ClientUserPatch enable;
  enable.state = 0;
  ASSERT_STORE_OK(store().UpdateClientUser(kAccountA, kApp, "alice01", enable));
  ASSERT_STORE_OK(store().OpenClientSession(
      {.id = "cs-6", .instance_id = kApp, .user_name = "alice01", .online_ms = 60}));
  ASSERT_STORE_OK(store().DeleteClientUser(kAccountA, kApp, "alice01"));
  Create(Request("alice01"));
  EXPECT_TRUE(store().ListClientSessions(kApp, "alice01")->empty());
  EXPECT_EQ(Outcome(store().CloseClientSession("cs-6")), "NotFound");
}

TEST_P(ClientUserStoreTest, DeletingTheInstanceDeletesItsUsers) {
  Create(Request("alice01"));
  ASSERT_STORE_OK(store().OpenClientSession(
      {.id = "cs-1", .instance_id = kApp, .user_name = "alice01", .online_ms = 1}));
  ASSERT_STORE_OK(store().DeleteInstance(kAccountA, kRegion, kApp));
  EXPECT_EQ(Outcome(store().GetClientUser(kAccountA, kApp, "alice01")), "NotFound");
  EXPECT_TRUE(store().ListClientSessions(kApp, "alice01")->empty());
}

// Starts `threads` threads that wait for one signal and then run body(thread index) at once.
void RunTogether(int threads, const std::function<void(int)>& body) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ++ready;
      while (!go.load()) std::this_thread::yield();
      body(t);
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  go = true;
  for (std::thread& t : pool) t.join();
}

// Races run on backends where two open() calls share one database served by several connections:
// half of the callers use a second store, as a second sagd node would.
class ConcurrentClientUserStoreTest : public ClientUserStoreTest {
 protected:
  void SetUp() override {
    ClientUserStoreTest::SetUp();
    second_ = GetParam().open();
    ASSERT_NE(second_, nullptr);
  }
  Store& node(int t) { return t % 2 == 0 ? store() : *second_; }
  std::unique_ptr<Store> second_;
};

TEST_P(ConcurrentClientUserStoreTest, ConcurrentCreatesGetDistinctAddressesUntilThePoolIsFull) {
  constexpr int kThreads = 32;
  const std::vector<ClientIpRange> pool = {{Ip(10, 1, 0, 2), Ip(10, 1, 0, 21)}};  // 20 addresses
  std::mutex mu;
  std::vector<uint32_t> ips;
  std::atomic<int> exhausted{0};
  std::atomic<int> failures{0};
  RunTogether(kThreads, [&](int t) {
    auto r = node(t).CreateClientUser(Request("race" + std::to_string(t), 1, std::nullopt, pool));
    if (!r) {
      ++failures;
      ADD_FAILURE() << r.error().detail;
    } else if (r->outcome == CreateClientUserOutcome::kCreated) {
      std::lock_guard lock(mu);
      ips.push_back(r->user.client_ip);
    } else if (r->outcome == CreateClientUserOutcome::kPoolExhausted) {
      ++exhausted;
    }
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ips.size(), 20u);
  EXPECT_EQ(exhausted.load(), kThreads - 20);
  std::set<uint32_t> unique(ips.begin(), ips.end());
  EXPECT_EQ(unique.size(), ips.size());
  for (uint32_t ip : ips) {
    EXPECT_GE(ip, Ip(10, 1, 0, 2));
    EXPECT_LE(ip, Ip(10, 1, 0, 21));
  }
  int64_t total = 0;
  Names(All(), &total);
  EXPECT_EQ(total, 20);
}

TEST_P(ConcurrentClientUserStoreTest, ConcurrentCreatesNeverExceedMaxUsersOrReuseAName) {
  constexpr int kThreads = 16;
  std::atomic<int> created{0};
  std::atomic<int> over{0};
  RunTogether(kThreads, [&](int t) {
    auto r = node(t).CreateClientUser(Request("cap" + std::to_string(t), 1, std::nullopt,
                                              {{Ip(10, 2, 0, 2), Ip(10, 2, 0, 254)}}, 5));
    if (r && r->outcome == CreateClientUserOutcome::kCreated) ++created;
    if (r && r->outcome == CreateClientUserOutcome::kOverLimit) ++over;
  });
  EXPECT_EQ(created.load(), 5);
  EXPECT_EQ(over.load(), kThreads - 5);
  std::atomic<int> same_name_wins{0};
  RunTogether(kThreads, [&](int t) {
    auto r = node(t).CreateClientUser(
        Request("samename", 1, std::nullopt, {{Ip(10, 3, 0, 2), Ip(10, 3, 0, 254)}}, 100));
    if (r && r->outcome == CreateClientUserOutcome::kCreated) ++same_name_wins;
  });
  EXPECT_EQ(same_name_wins.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, ClientUserStoreTest, ::testing::ValuesIn(Backends()),
                         BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, ConcurrentClientUserStoreTest,
                         ::testing::ValuesIn(MultiConnectionBackends()), BackendName);

}  // namespace
}  // namespace sag::store
