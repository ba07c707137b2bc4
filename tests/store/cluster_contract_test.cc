// The ClusterStore contract (store/cluster_store.h) on every backend: node leases, device presence,
// the shared nonce window and the cluster lock. Runs on SQLite (file and memory) and, when
// SAG_TEST_PG_DSN is set, on PostgreSQL with a fresh database per test.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
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
using ::sag::store::testing::Outcome;

class ClusterContractTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().OpenFresh();
    ASSERT_NE(store_, nullptr);
  }
  std::unique_ptr<Store> store_;
};

TEST_P(ClusterContractTest, NodeLeaseIsCreatedThenRenewed) {
  auto first = store_->RenewNodeLease("na", 1000);
  ASSERT_EQ(Outcome(first), "OK");
  EXPECT_FALSE(*first);
  auto again = store_->RenewNodeLease("na", 2000);
  ASSERT_EQ(Outcome(again), "OK");
  EXPECT_TRUE(*again);
}

TEST_P(ClusterContractTest, PresenceCountsOnlyWhileTheNodeLeaseIsCurrent) {
  ASSERT_EQ(Outcome(store_->RenewNodeLease("na", 1000)), "OK");
  auto previous = store_->ClaimDevicePresence("SN1", "na", "s1", 100);
  ASSERT_EQ(Outcome(previous), "OK");
  EXPECT_FALSE(previous->has_value());

  auto seen = store_->GetDevicePresence("SN1", 999);
  ASSERT_EQ(Outcome(seen), "OK");
  ASSERT_TRUE(seen->has_value());
  EXPECT_EQ((*seen)->serial_number, "SN1");
  EXPECT_EQ((*seen)->node_id, "na");
  EXPECT_EQ((*seen)->session_id, "s1");
  EXPECT_EQ((*seen)->since_ms, 100);
  EXPECT_EQ((*seen)->node_lease_until_ms, 1000);

  auto expired = store_->GetDevicePresence("SN1", 1000);
  ASSERT_EQ(Outcome(expired), "OK");
  EXPECT_FALSE(expired->has_value());
  auto unknown = store_->GetDevicePresence("SN-unknown", 0);
  ASSERT_EQ(Outcome(unknown), "OK");
  EXPECT_FALSE(unknown->has_value());

  // A renewed lease brings the presence back.
  ASSERT_EQ(Outcome(store_->RenewNodeLease("na", 5000)), "OK");
  auto renewed = store_->GetDevicePresence("SN1", 1000);
  ASSERT_EQ(Outcome(renewed), "OK");
  EXPECT_TRUE(renewed->has_value());
}

TEST_P(ClusterContractTest, PresenceOfANodeWithoutLeaseIsNotSeen) {
  ASSERT_EQ(Outcome(store_->ClaimDevicePresence("SN1", "nx", "s1", 100)), "OK");
  auto seen = store_->GetDevicePresence("SN1", 0);
  ASSERT_EQ(Outcome(seen), "OK");
  EXPECT_FALSE(seen->has_value());
}

TEST_P(ClusterContractTest, ClaimReturnsTheSessionItReplaces) {
  ASSERT_EQ(Outcome(store_->RenewNodeLease("na", 1000)), "OK");
  ASSERT_EQ(Outcome(store_->RenewNodeLease("nb", 2000)), "OK");
  ASSERT_EQ(Outcome(store_->ClaimDevicePresence("SN1", "na", "s1", 100)), "OK");
  auto previous = store_->ClaimDevicePresence("SN1", "nb", "s2", 200);
  ASSERT_EQ(Outcome(previous), "OK");
  ASSERT_TRUE(previous->has_value());
  EXPECT_EQ((*previous)->node_id, "na");
  EXPECT_EQ((*previous)->session_id, "s1");
  EXPECT_EQ((*previous)->since_ms, 100);
  EXPECT_EQ((*previous)->node_lease_until_ms, 1000);
  // The same session claiming again replaces nothing.
  auto same = store_->ClaimDevicePresence("SN1", "nb", "s2", 300);
  ASSERT_EQ(Outcome(same), "OK");
  EXPECT_FALSE(same->has_value());
  auto seen = store_->GetDevicePresence("SN1", 0);
  ASSERT_EQ(Outcome(seen), "OK");
  ASSERT_TRUE(seen->has_value());
  EXPECT_EQ((*seen)->node_id, "nb");
  EXPECT_EQ((*seen)->session_id, "s2");
}

TEST_P(ClusterContractTest, OnlyTheHoldingSessionReleasesAPresence) {
  ASSERT_EQ(Outcome(store_->RenewNodeLease("na", 1000)), "OK");
  ASSERT_EQ(Outcome(store_->RenewNodeLease("nb", 1000)), "OK");
  ASSERT_EQ(Outcome(store_->ClaimDevicePresence("SN1", "na", "s1", 100)), "OK");
  ASSERT_EQ(Outcome(store_->ClaimDevicePresence("SN1", "nb", "s2", 200)), "OK");
  auto stale = store_->ReleaseDevicePresence("SN1", "na", "s1");
  ASSERT_EQ(Outcome(stale), "OK");
  EXPECT_FALSE(*stale);
  auto other_session = store_->ReleaseDevicePresence("SN1", "nb", "s1");
  ASSERT_EQ(Outcome(other_session), "OK");
  EXPECT_FALSE(*other_session);
  auto holder = store_->ReleaseDevicePresence("SN1", "nb", "s2");
  ASSERT_EQ(Outcome(holder), "OK");
  EXPECT_TRUE(*holder);
  auto seen = store_->GetDevicePresence("SN1", 0);
  ASSERT_EQ(Outcome(seen), "OK");
  EXPECT_FALSE(seen->has_value());
}

TEST_P(ClusterContractTest, ExpireNodesRemovesDeadNodesAndReturnsTheirDevicesOnce) {
  ASSERT_EQ(Outcome(store_->RenewNodeLease("na", 1000)), "OK");
  ASSERT_EQ(Outcome(store_->RenewNodeLease("nb", 5000)), "OK");
  ASSERT_EQ(Outcome(store_->ClaimDevicePresence("SN2", "na", "s2", 1)), "OK");
  ASSERT_EQ(Outcome(store_->ClaimDevicePresence("SN1", "na", "s1", 1)), "OK");
  ASSERT_EQ(Outcome(store_->ClaimDevicePresence("SN3", "nb", "s3", 1)), "OK");

  auto none = store_->ExpireNodes(999);
  ASSERT_EQ(Outcome(none), "OK");
  EXPECT_TRUE(none->empty());
  auto expired = store_->ExpireNodes(1000);
  ASSERT_EQ(Outcome(expired), "OK");
  std::vector<std::string> got = *expired;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"SN1", "SN2"}));
  auto again = store_->ExpireNodes(1000);
  ASSERT_EQ(Outcome(again), "OK");
  EXPECT_TRUE(again->empty());

  auto alive = store_->GetDevicePresence("SN3", 1000);
  ASSERT_EQ(Outcome(alive), "OK");
  EXPECT_TRUE(alive->has_value());
  // The expired node comes back as a new row (so it knows to claim its sessions again).
  auto back = store_->RenewNodeLease("na", 9000);
  ASSERT_EQ(Outcome(back), "OK");
  EXPECT_FALSE(*back);
  auto gone = store_->GetDevicePresence("SN1", 1000);
  ASSERT_EQ(Outcome(gone), "OK");
  EXPECT_FALSE(gone->has_value());
}

TEST_P(ClusterContractTest, RemoveNodeDropsItsPresences) {
  ASSERT_EQ(Outcome(store_->RenewNodeLease("na", 1000)), "OK");
  ASSERT_EQ(Outcome(store_->ClaimDevicePresence("SN1", "na", "s1", 1)), "OK");
  ASSERT_EQ(Outcome(store_->RemoveNode("na")), "OK");
  ASSERT_EQ(Outcome(store_->RemoveNode("na")), "OK");  // absent is fine
  auto seen = store_->GetDevicePresence("SN1", 0);
  ASSERT_EQ(Outcome(seen), "OK");
  EXPECT_FALSE(seen->has_value());
  auto renewed = store_->RenewNodeLease("na", 1000);
  ASSERT_EQ(Outcome(renewed), "OK");
  EXPECT_FALSE(*renewed);
  auto still_gone = store_->GetDevicePresence("SN1", 0);
  ASSERT_EQ(Outcome(still_gone), "OK");
  EXPECT_FALSE(still_gone->has_value());
}

TEST_P(ClusterContractTest, NonceIsAcceptedOncePerWindow) {
  auto first = store_->RememberNonce("AK1", "n-1", 1000, 2000);
  ASSERT_EQ(Outcome(first), "OK");
  EXPECT_TRUE(*first);
  auto replay = store_->RememberNonce("AK1", "n-1", 1999, 2999);
  ASSERT_EQ(Outcome(replay), "OK");
  EXPECT_FALSE(*replay);
  auto other_key = store_->RememberNonce("AK2", "n-1", 1000, 2000);
  ASSERT_EQ(Outcome(other_key), "OK");
  EXPECT_TRUE(*other_key);
  // The replay did not extend the window: at 2000 the pair is free again, and then held anew.
  auto after = store_->RememberNonce("AK1", "n-1", 2000, 3000);
  ASSERT_EQ(Outcome(after), "OK");
  EXPECT_TRUE(*after);
  auto replay_again = store_->RememberNonce("AK1", "n-1", 2500, 3500);
  ASSERT_EQ(Outcome(replay_again), "OK");
  EXPECT_FALSE(*replay_again);
}

TEST_P(ClusterContractTest, PurgeNoncesDeletesOnlyExpiredPairsInBatches) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Outcome(store_->RememberNonce("AK", "old-" + std::to_string(i), 0, 100)), "OK");
  }
  ASSERT_EQ(Outcome(store_->RememberNonce("AK", "live", 0, 1000)), "OK");
  auto batch = store_->PurgeNonces(100, 3);
  ASSERT_EQ(Outcome(batch), "OK");
  EXPECT_EQ(*batch, 3);
  auto rest = store_->PurgeNonces(100, 3);
  ASSERT_EQ(Outcome(rest), "OK");
  EXPECT_EQ(*rest, 2);
  auto none = store_->PurgeNonces(100, 3);
  ASSERT_EQ(Outcome(none), "OK");
  EXPECT_EQ(*none, 0);
  auto live = store_->RememberNonce("AK", "live", 500, 1500);
  ASSERT_EQ(Outcome(live), "OK");
  EXPECT_FALSE(*live);
}

// The durable journal of one node: a batch is recorded in one call, a pair recorded twice keeps
// the later expiry, and what has not expired is read back (and counts for RememberNonce).
TEST_P(ClusterContractTest, RecordedNoncesAreReadBackUntilTheyExpire) {
  ASSERT_EQ(Outcome(store_->RecordNonces({})), "OK");
  ASSERT_EQ(
      Outcome(store_->RecordNonces({{"AK1", "a", 1000}, {"AK1", "b", 2000}, {"AK2", "a", 3000}})),
      "OK");
  ASSERT_EQ(Outcome(store_->RecordNonces({{"AK1", "a", 5000}, {"AK1", "b", 1500}})), "OK");
  std::map<std::string, int64_t> seen;
  auto read = store_->ForEachNonce(
      1500, [&](const NonceRecord& r) { seen[r.access_key_id + "/" + r.nonce] = r.expires_ms; });
  ASSERT_EQ(Outcome(read), "OK");
  EXPECT_EQ(seen,
            (std::map<std::string, int64_t>{{"AK1/a", 5000}, {"AK1/b", 2000}, {"AK2/a", 3000}}));
  seen.clear();
  ASSERT_EQ(Outcome(store_->ForEachNonce(2000,
                                         [&](const NonceRecord& r) {
                                           seen[r.access_key_id + "/" + r.nonce] = r.expires_ms;
                                         })),
            "OK");
  EXPECT_EQ(seen, (std::map<std::string, int64_t>{{"AK1/a", 5000}, {"AK2/a", 3000}}));
  auto replay = store_->RememberNonce("AK2", "a", 2500, 4000);
  ASSERT_EQ(Outcome(replay), "OK");
  EXPECT_FALSE(*replay);
}

TEST_P(ClusterContractTest, ConcurrentCallersWithOneNonceHaveExactlyOneWinner) {
  constexpr int kThreads = 16;
  std::atomic<int> winners{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      auto r = store_->RememberNonce("AK", "race", 1000, 2000);
      if (!r) {
        ++failures;
      } else if (*r) {
        ++winners;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(winners.load(), 1);
}

TEST_P(ClusterContractTest, ClusterLockRunsOneHolderAtATime) {
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::atomic<int> runs{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto r = store_->WithClusterLock(kBootstrapLockKey, [&]() -> StoreResult<void> {
        const int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        // The store stays usable inside the lock.
        RETURN_IF_ERROR(store_->PutSetting("lock_test", std::to_string(++runs)));
        --inside;
        return {};
      });
      EXPECT_EQ(Outcome(r), "OK");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(most.load(), 1);
  EXPECT_EQ(runs.load(), 4);
}

TEST_P(ClusterContractTest, ClusterLockReturnsTheFunctionsError) {
  auto r = store_->WithClusterLock(kBootstrapLockKey, []() -> StoreResult<void> {
    return MakeUnexpected(StoreError{StoreErrorCode::kConflict, "from f"});
  });
  EXPECT_EQ(Outcome(r), "Conflict");
  // Released: taking it again works.
  auto again = store_->WithClusterLock(kBootstrapLockKey, []() -> StoreResult<void> { return {}; });
  EXPECT_EQ(Outcome(again), "OK");
}

INSTANTIATE_TEST_SUITE_P(Backends, ClusterContractTest,
                         ::testing::ValuesIn(Backends(/*pg_pool_size=*/8)), BackendName);

}  // namespace
}  // namespace sag::store
