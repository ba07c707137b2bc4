// The upgrade state machine (ops/upgrade_engine.h) against a real SQLite store, a fake clock and
// a recording DeviceControl.
#include "ops/upgrade_engine.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"

namespace sag::ops {
namespace {

class RecordingDevices : public DeviceControl {
 public:
  bool IsOnline(std::string_view) const override { return true; }
  bool Push(std::string_view sn, std::string_view facet, int64_t generation,
            std::string_view value) override {
    pushes.push_back(std::string(sn) + " " + std::string(facet) + " " + std::to_string(generation));
    last_value = value;
    return true;
  }
  void AwaitDevice(DeviceWait, WaitCallback done) override { done(WaitOutcome::kTimeout); }
  void Disconnect(std::string_view) override {}
  std::vector<std::string> pushes;
  std::string last_value;
};

class UpgradeEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(":memory:");
    ASSERT_TRUE(s.has_value());
    store_ = std::move(*s);
    for (const char* sn : {"sn-main", "sn-standby"}) {
      store::DeviceRecord d;
      d.serial_number = sn;
      d.hardware_model = "sag-1000";
      d.sealed_secret = "x";
      ASSERT_TRUE(store_->RegisterDevice(d).has_value());
      ASSERT_TRUE(store_->RecordDeviceConnected(sn, "2.0.0", "1.0.0", 1, 1).has_value());
    }
    store::VersionRecord v;
    v.version_type = "Device";
    v.version_code = "2.1.0";
    v.version_name = "2.1.0";
    v.release_type = "release";
    v.hardware_models = "sag-1000";
    v.sha256 = std::string(64, 'c');
    v.size = 42;
    ASSERT_TRUE(store_->PublishVersion(v).has_value());
  }

  UpgradeEnv Env() {
    return UpgradeEnv{.store = *store_,
                      .devices = &devices_,
                      .clock = clock_,
                      .artifact_token_key = "k",
                      .upgrade_timeout_ms = 60000};
  }

  store::UpgradeRecord Make(const std::string& id, const std::string& sn,
                            const std::string& after = "") {
    store::UpgradeRecord u;
    u.id = id;
    u.serial_number = sn;
    u.instance_id = "sag-1";
    u.version_type = "Device";
    u.version_code = "2.1.0";
    u.from_version = "2.0.0";
    u.sha256 = std::string(64, 'c');
    u.state = store::UpgradeState::kQueued;
    u.after_upgrade_id = after;
    return u;
  }

  std::string State(const std::string& id) {
    auto u = store_->GetUpgrade(id);
    return u ? std::string(store::WireName(u->state)) : "missing";
  }

  std::unique_ptr<store::SqliteStore> store_;
  FakeClock clock_{1000};
  RecordingDevices devices_;
};

TEST_F(UpgradeEngineTest, HappyPathSucceedsOnlyWithTheNewRunningVersion) {
  ASSERT_TRUE(store_->CreateUpgrades({Make("up-1", "sn-main")}).has_value());
  auto d = DispatchUpgrade(Env(), *store_->GetUpgrade("up-1"));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->state, store::UpgradeState::kDispatched);
  EXPECT_EQ(d->deadline_ms, 61000);
  ASSERT_EQ(devices_.pushes.size(), 1u);
  EXPECT_EQ(devices_.pushes[0], "sn-main firmware 1");
  EXPECT_NE(devices_.last_value.find("\"upgrade_id\":\"up-1\""), std::string::npos);
  EXPECT_NE(devices_.last_value.find("\"size\":42"), std::string::npos);

  OnUpgradeProgress(Env(), "sn-main", "firmware", 99, "downloading", 10, "");  // other generation
  EXPECT_EQ(State("up-1"), "Dispatched");
  OnUpgradeProgress(Env(), "sn-main", "firmware", 1, "downloading", 10, "");
  EXPECT_EQ(State("up-1"), "Downloading");
  OnUpgradeProgress(Env(), "sn-main", "firmware", 1, "rebooting", 42, "");
  EXPECT_EQ(State("up-1"), "Rebooting");
  OnUpgradeProgress(Env(), "sn-main", "firmware", 1, "downloading", 10, "");  // never backward
  EXPECT_EQ(State("up-1"), "Rebooting");
  OnDeviceHello(Env(), "sn-main", "2.0.0", "1.0.0");  // came back on the old version
  EXPECT_EQ(State("up-1"), "Verifying");
  OnDeviceHello(Env(), "sn-main", "2.1.0", "1.0.0");
  EXPECT_EQ(State("up-1"), "Succeeded");
}

TEST_F(UpgradeEngineTest, RevertedIsNeverSucceeded) {
  ASSERT_TRUE(store_->CreateUpgrades({Make("up-1", "sn-main")}).has_value());
  ASSERT_TRUE(DispatchUpgrade(Env(), *store_->GetUpgrade("up-1")).has_value());
  OnUpgradeProgress(Env(), "sn-main", "firmware", 1, "rebooting", 42, "");
  OnDeviceHello(Env(), "sn-main", "2.0.0", "1.0.0");
  OnUpgradeApplied(Env(), "sn-main", "firmware", 1, "reverted", "rolled back");
  EXPECT_EQ(State("up-1"), "Reverted");
  OnDeviceHello(Env(), "sn-main", "2.1.0", "1.0.0");  // terminal stays terminal
  OnUpgradeApplied(Env(), "sn-main", "firmware", 1, "ok", "");
  EXPECT_EQ(State("up-1"), "Reverted");
}

TEST_F(UpgradeEngineTest, AppliedOkWithoutTheNewVersionOnlyVerifies) {
  ASSERT_TRUE(store_->CreateUpgrades({Make("up-1", "sn-main")}).has_value());
  ASSERT_TRUE(DispatchUpgrade(Env(), *store_->GetUpgrade("up-1")).has_value());
  OnUpgradeApplied(Env(), "sn-main", "firmware", 1, "ok", "");
  EXPECT_EQ(State("up-1"), "Verifying");
  OnUpgradeApplied(Env(), "sn-main", "firmware", 1, "failed", "disk full");
  EXPECT_EQ(State("up-1"), "Failed");
  EXPECT_EQ(store_->GetUpgrade("up-1")->detail, "disk full");
}

TEST_F(UpgradeEngineTest, StandbyFirstThenTheQueuedOneIsDispatched) {
  ASSERT_TRUE(store_->CreateUpgrades({Make("up-s", "sn-standby"), Make("up-m", "sn-main", "up-s")})
                  .has_value());
  ASSERT_TRUE(DispatchUpgrade(Env(), *store_->GetUpgrade("up-s")).has_value());
  EXPECT_EQ(State("up-m"), "Queued");
  OnDeviceHello(Env(), "sn-standby", "2.1.0", "1.0.0");
  EXPECT_EQ(State("up-s"), "Succeeded");
  EXPECT_EQ(State("up-m"), "Dispatched");
  ASSERT_EQ(devices_.pushes.size(), 2u);
  EXPECT_EQ(devices_.pushes[1], "sn-main firmware 1");
}

TEST_F(UpgradeEngineTest, AFailedStandbyFailsTheQueuedOne) {
  ASSERT_TRUE(store_->CreateUpgrades({Make("up-s", "sn-standby"), Make("up-m", "sn-main", "up-s")})
                  .has_value());
  ASSERT_TRUE(DispatchUpgrade(Env(), *store_->GetUpgrade("up-s")).has_value());
  OnUpgradeApplied(Env(), "sn-standby", "firmware", 1, "failed", "bad flash");
  EXPECT_EQ(State("up-s"), "Failed");
  EXPECT_EQ(State("up-m"), "Failed");
  EXPECT_EQ(devices_.pushes.size(), 1u);
}

TEST_F(UpgradeEngineTest, DeadlinesTimeOutAndTheFacetIsAnswered) {
  ASSERT_TRUE(store_->CreateUpgrades({Make("up-1", "sn-main")}).has_value());
  ASSERT_TRUE(DispatchUpgrade(Env(), *store_->GetUpgrade("up-1")).has_value());
  EXPECT_EQ(SweepUpgrades(Env()), 0);
  clock_.Advance(60000);
  EXPECT_EQ(SweepUpgrades(Env()), 1);
  EXPECT_EQ(State("up-1"), "TimedOut");
  EXPECT_FALSE(IsActiveUpgradeGeneration(Env(), "sn-main", "firmware", 1));
  auto facets = store_->GetDeviceFacets("sn-main");
  ASSERT_TRUE(facets.has_value());
  ASSERT_EQ(facets->size(), 1u);
  EXPECT_EQ((*facets)[0].last_result, "failed");
  OnDeviceHello(Env(), "sn-main", "2.1.0", "1.0.0");
  EXPECT_EQ(State("up-1"), "TimedOut");
}

}  // namespace
}  // namespace sag::ops
