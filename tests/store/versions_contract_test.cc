// Contract tests of store::VersionStore (the software catalogue and device upgrades) and
// store::UpgradePolicyStore (automatic upgrade policies), run against
// every backend: SQLite (file and memory) and PostgreSQL when SAG_TEST_PG_DSN names a server.
#include <atomic>
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
using ::sag::store::testing::Outcome;

VersionRecord Version(const std::string& type, const std::string& code, int64_t create_ms) {
  VersionRecord v;
  v.version_type = type;
  v.version_code = code;
  v.version_name = "pkg-" + code;
  v.release_type = "release";
  v.hardware_models = "sag-1000";
  v.sha256 = std::string(64, 'a');
  v.size = 1234;
  v.create_ms = create_ms;
  return v;
}

UpgradeRecord Upgrade(const std::string& id, const std::string& sn, int64_t create_ms,
                      UpgradeState state = UpgradeState::kQueued) {
  UpgradeRecord u;
  u.id = id;
  u.serial_number = sn;
  u.account_id = "1000000000000001";
  u.instance_id = "sag-one";
  u.version_type = "Device";
  u.version_code = "2.1.0";
  u.from_version = "2.0.0";
  u.sha256 = std::string(64, 'b');
  u.state = state;
  u.create_ms = create_ms;
  u.update_ms = create_ms;
  return u;
}

class VersionsContractTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().OpenFresh();
    ASSERT_NE(store_, nullptr);
    for (const char* sn : {"sn-1", "sn-2", "sn-3"}) {
      DeviceRecord d;
      d.serial_number = sn;
      d.hardware_model = "sag-1000";
      d.sealed_secret = "x";
      d.create_ms = 1;
      ASSERT_STORE_OK(store_->RegisterDevice(d));
    }
  }
  Store& store() { return *store_; }
  std::unique_ptr<Store> store_;
};

TEST_P(VersionsContractTest, PublishGetListWithdraw) {
  VersionRecord dpi = Version("Dpi", "1.1.0", 20);
  dpi.min_device_version = "2.1.0";
  dpi.release_type = "beta";
  ASSERT_STORE_OK(store().PublishVersion(Version("Device", "2.1.0", 30)));
  ASSERT_STORE_OK(store().PublishVersion(Version("Device", "2.0.5", 10)));
  ASSERT_STORE_OK(store().PublishVersion(dpi));
  EXPECT_EQ(Outcome(store().PublishVersion(Version("Device", "2.1.0", 40))), "AlreadyExists");

  auto got = store().GetVersion("Dpi", "1.1.0");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(got->min_device_version, "2.1.0");
  EXPECT_EQ(got->release_type, "beta");
  EXPECT_EQ(got->size, 1234);
  EXPECT_EQ(got->create_ms, 20);
  EXPECT_FALSE(got->withdrawn);
  EXPECT_EQ(Outcome(store().GetVersion("Dpi", "9.9")), "NotFound");
  EXPECT_EQ(Outcome(store().GetVersion("Device", "1.1.0")), "NotFound");

  auto list = store().ListVersions("Device");
  ASSERT_STORE_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].version_code, "2.0.5");  // creation order
  EXPECT_EQ((*list)[1].version_code, "2.1.0");

  ASSERT_STORE_OK(store().WithdrawVersion("Device", "2.0.5", 99));
  ASSERT_STORE_OK(store().WithdrawVersion("Device", "2.0.5", 120));  // twice is fine
  got = store().GetVersion("Device", "2.0.5");
  ASSERT_STORE_OK(got);
  EXPECT_TRUE(got->withdrawn);
  EXPECT_EQ(got->withdrawn_ms, 99);
  EXPECT_EQ(Outcome(store().WithdrawVersion("Device", "7.0", 1)), "NotFound");
}

TEST_P(VersionsContractTest, OneActiveUpgradePerDevice) {
  ASSERT_STORE_OK(store().CreateUpgrades({Upgrade("up-1", "sn-1", 10)}));
  EXPECT_EQ(Outcome(store().CreateUpgrades({Upgrade("up-2", "sn-1", 11)})), "AlreadyExists");
  // All or nothing: up-3 (sn-2) is not kept when up-4 (sn-1) fails.
  EXPECT_EQ(
      Outcome(store().CreateUpgrades({Upgrade("up-3", "sn-2", 12), Upgrade("up-4", "sn-1", 12)})),
      "AlreadyExists");
  EXPECT_EQ(Outcome(store().GetUpgrade("up-3")), "NotFound");
  EXPECT_EQ(Outcome(store().CreateUpgrades({Upgrade("up-5", "nope", 12)})), "NotFound");

  auto active = store().ActiveUpgrade("sn-1");
  ASSERT_STORE_OK(active);
  ASSERT_TRUE(active->has_value());
  EXPECT_EQ((*active)->id, "up-1");

  // A terminal upgrade frees the device.
  UpgradeChange fail;
  fail.state = UpgradeState::kFailed;
  fail.detail = "boom";
  fail.now_ms = 20;
  auto moved = store().AdvanceUpgrade("up-1", fail);
  ASSERT_STORE_OK(moved);
  EXPECT_TRUE(*moved);
  active = store().ActiveUpgrade("sn-1");
  ASSERT_STORE_OK(active);
  EXPECT_FALSE(active->has_value());
  ASSERT_STORE_OK(store().CreateUpgrades({Upgrade("up-6", "sn-1", 30)}));
}

TEST_P(VersionsContractTest, AdvanceOnlyFromTheGivenStatesAndNeverFromTerminal) {
  ASSERT_STORE_OK(store().CreateUpgrades({Upgrade("up-1", "sn-1", 10)}));
  UpgradeChange dispatch;
  dispatch.state = UpgradeState::kDispatched;
  dispatch.from_states = {UpgradeState::kQueued};
  dispatch.generation = 7;
  dispatch.deadline_ms = 500;
  dispatch.now_ms = 11;
  auto r = store().AdvanceUpgrade("up-1", dispatch);
  ASSERT_STORE_OK(r);
  EXPECT_TRUE(*r);
  r = store().AdvanceUpgrade("up-1", dispatch);  // no longer Queued
  ASSERT_STORE_OK(r);
  EXPECT_FALSE(*r);

  UpgradeChange progress;
  progress.state = UpgradeState::kDownloading;
  progress.bytes_done = 4096;
  progress.now_ms = 12;
  ASSERT_STORE_OK(store().AdvanceUpgrade("up-1", progress));
  auto u = store().GetUpgrade("up-1");
  ASSERT_STORE_OK(u);
  EXPECT_EQ(u->state, UpgradeState::kDownloading);
  EXPECT_EQ(u->generation, 7);
  EXPECT_EQ(u->bytes_done, 4096);
  EXPECT_EQ(u->deadline_ms, 500);
  EXPECT_EQ(u->update_ms, 12);
  EXPECT_EQ(u->create_ms, 10);

  UpgradeChange done;
  done.state = UpgradeState::kSucceeded;
  done.now_ms = 13;
  ASSERT_STORE_OK(store().AdvanceUpgrade("up-1", done));
  UpgradeChange revert;
  revert.state = UpgradeState::kReverted;
  revert.now_ms = 14;
  r = store().AdvanceUpgrade("up-1", revert);
  ASSERT_STORE_OK(r);
  EXPECT_FALSE(*r);  // terminal stays terminal
  u = store().GetUpgrade("up-1");
  ASSERT_STORE_OK(u);
  EXPECT_EQ(u->state, UpgradeState::kSucceeded);
  EXPECT_EQ(Outcome(store().AdvanceUpgrade("up-none", revert)), "NotFound");
}

TEST_P(VersionsContractTest, ListAndExpire) {
  UpgradeRecord a = Upgrade("up-a", "sn-1", 10, UpgradeState::kDispatched);
  a.deadline_ms = 100;
  UpgradeRecord b = Upgrade("up-b", "sn-2", 20, UpgradeState::kDispatched);
  b.deadline_ms = 300;
  b.instance_id = "sag-two";
  UpgradeRecord c = Upgrade("up-c", "sn-3", 30, UpgradeState::kSucceeded);
  c.deadline_ms = 50;
  ASSERT_STORE_OK(store().CreateUpgrades({a, b, c}));

  UpgradeFilter all;
  auto list = store().ListUpgrades(all);
  ASSERT_STORE_OK(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, "up-c");  // newest first
  EXPECT_EQ((*list)[2].id, "up-a");

  UpgradeFilter active;
  active.active_only = true;
  list = store().ListUpgrades(active);
  ASSERT_STORE_OK(list);
  EXPECT_EQ(list->size(), 2u);

  UpgradeFilter by_instance;
  by_instance.instance_id = "sag-two";
  list = store().ListUpgrades(by_instance);
  ASSERT_STORE_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, "up-b");

  UpgradeFilter by_device;
  by_device.serial_number = "sn-1";
  by_device.limit = 1;
  list = store().ListUpgrades(by_device);
  ASSERT_STORE_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, "up-a");

  auto expired = store().ListExpiredUpgrades(200, 10);
  ASSERT_STORE_OK(expired);
  ASSERT_EQ(expired->size(), 1u);  // up-c is terminal, up-b not due
  EXPECT_EQ((*expired)[0].id, "up-a");
  expired = store().ListExpiredUpgrades(1000, 10);
  ASSERT_STORE_OK(expired);
  EXPECT_EQ(expired->size(), 2u);
}

TEST_P(VersionsContractTest, ConcurrentCreatorsHaveOneWinner) {
  constexpr int kThreads = 8;
  std::atomic<int> won{0}, lost{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = store().CreateUpgrades({Upgrade("up-race-" + std::to_string(i), "sn-3", 10 + i)});
      if (r) {
        ++won;
      } else if (r.error().code == StoreErrorCode::kAlreadyExists) {
        ++lost;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), kThreads - 1);
}

UpgradePolicyRecord Policy(const std::string& sn, const std::string& type, int64_t next_run_ms) {
  UpgradePolicyRecord p;
  p.serial_number = sn;
  p.version_type = type;
  p.instance_id = "sag-one";
  p.region_id = "cn-shanghai";
  p.upgrade_type = "scheduled";
  p.cron_expression = "0 0 4 1/1 * ?";
  p.duration_min = 60;
  p.jitter_min = 5;
  p.time_zone = "Asia/Shanghai";
  p.next_window_ms = next_run_ms == 0 ? 0 : next_run_ms - 7;
  p.next_run_ms = next_run_ms;
  p.update_ms = 1;
  return p;
}

TEST_P(VersionsContractTest, UpgradePoliciesPutGetAndReplace) {
  auto none = store().GetUpgradePolicy("sn-1", "Device");
  ASSERT_STORE_OK(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_STORE_OK(store().PutUpgradePolicy(Policy("sn-1", "Device", 1000)));
  ASSERT_STORE_OK(store().PutUpgradePolicy(Policy("sn-1", "Dpi", 0)));
  auto got = store().GetUpgradePolicy("sn-1", "Device");
  ASSERT_STORE_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->region_id, "cn-shanghai");
  EXPECT_EQ((*got)->cron_expression, "0 0 4 1/1 * ?");
  EXPECT_EQ((*got)->duration_min, 60);
  EXPECT_EQ((*got)->jitter_min, 5);
  EXPECT_EQ((*got)->next_window_ms, 993);
  EXPECT_EQ((*got)->next_run_ms, 1000);
  // Replacing keeps one row per (device, type).
  UpgradePolicyRecord boot = Policy("sn-1", "Device", 0);
  boot.upgrade_type = "boot";
  boot.time_zone = "Asia/Tokyo";
  ASSERT_STORE_OK(store().PutUpgradePolicy(boot));
  got = store().GetUpgradePolicy("sn-1", "Device");
  ASSERT_STORE_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->upgrade_type, "boot");
  EXPECT_EQ((*got)->time_zone, "Asia/Tokyo");
  EXPECT_EQ((*got)->next_run_ms, 0);
  got = store().GetUpgradePolicy("sn-1", "Dpi");
  ASSERT_STORE_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->upgrade_type, "scheduled");
}

TEST_P(VersionsContractTest, DuePoliciesAreClaimedOnce) {
  ASSERT_STORE_OK(store().PutUpgradePolicy(Policy("sn-1", "Device", 300)));
  ASSERT_STORE_OK(store().PutUpgradePolicy(Policy("sn-2", "Device", 100)));
  ASSERT_STORE_OK(store().PutUpgradePolicy(Policy("sn-3", "Device", 900)));
  ASSERT_STORE_OK(store().PutUpgradePolicy(Policy("sn-3", "Dpi", 0)));  // not scheduled
  auto due = store().ListDueUpgradePolicies(500, 10);
  ASSERT_STORE_OK(due);
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].serial_number, "sn-2");  // soonest first
  EXPECT_EQ((*due)[1].serial_number, "sn-1");
  due = store().ListDueUpgradePolicies(500, 1);
  ASSERT_STORE_OK(due);
  EXPECT_EQ(due->size(), 1u);

  UpgradePolicyRecord moved = (*due)[0];
  moved.last_window_ms = moved.next_window_ms;
  moved.next_window_ms = 5000;
  moved.next_run_ms = 5003;
  moved.last_result = "started up-1 to 2.1.0";
  auto claimed = store().AdvanceUpgradePolicy(moved, 100);
  ASSERT_STORE_OK(claimed);
  EXPECT_TRUE(*claimed);
  claimed = store().AdvanceUpgradePolicy(moved, 100);  // a second node comes too late
  ASSERT_STORE_OK(claimed);
  EXPECT_FALSE(*claimed);
  auto got = store().GetUpgradePolicy("sn-2", "Device");
  ASSERT_STORE_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->next_run_ms, 5003);
  EXPECT_EQ((*got)->last_window_ms, 93);
  EXPECT_EQ((*got)->last_result, "started up-1 to 2.1.0");
  due = store().ListDueUpgradePolicies(500, 10);
  ASSERT_STORE_OK(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].serial_number, "sn-1");
  // Several claimants at once: exactly one wins.
  constexpr int kThreads = 8;
  std::atomic<int> won{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      UpgradePolicyRecord m = Policy("sn-1", "Device", 6000 + i);
      auto r = store().AdvanceUpgradePolicy(m, 300);
      if (r && *r) ++won;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, VersionsContractTest, ::testing::ValuesIn(Backends()),
                         BackendName);

}  // namespace
}  // namespace sag::store
