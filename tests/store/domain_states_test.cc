#include "store/domain_states.h"

#include <gtest/gtest.h>

namespace sag::store {
namespace {

TEST(DomainStatesTest, EveryStateRoundTripsThroughItsWireName) {
  for (HaType v : {HaType::kNoBackup, HaType::kColdBackup, HaType::kWarmBackup}) {
    EXPECT_EQ(ParseHaType(WireName(v)), v);
  }
  for (InstanceStatus v : {InstanceStatus::kInit, InstanceStatus::kActive}) {
    EXPECT_EQ(ParseInstanceStatus(WireName(v)), v);
  }
  for (int i = 0; i <= static_cast<int>(UpgradeState::kTimedOut); ++i) {
    const auto v = static_cast<UpgradeState>(i);
    EXPECT_FALSE(WireName(v).empty());
    EXPECT_EQ(ParseUpgradeState(WireName(v)), v);
  }
}

TEST(DomainStatesTest, WireNamesAreTheApiSpellings) {
  EXPECT_EQ(WireName(HaType::kColdBackup), "cold_backup");
  EXPECT_EQ(WireName(InstanceStatus::kActive), "Active");
  EXPECT_EQ(WireName(UpgradeState::kTimedOut), "TimedOut");
}

TEST(DomainStatesTest, OnlyTheStatusIgnoresCase) {
  EXPECT_EQ(ParseInstanceStatus("ACTIVE"), InstanceStatus::kActive);
  EXPECT_EQ(ParseInstanceStatus("init"), InstanceStatus::kInit);
  EXPECT_EQ(ParseInstanceStatus("Act"), std::nullopt);
  EXPECT_EQ(ParseInstanceStatus("Arrearage"), std::nullopt);  // derived, never stored
  EXPECT_EQ(ParseHaType("No_Backup"), std::nullopt);
  EXPECT_EQ(ParseUpgradeState("queued"), std::nullopt);
}

TEST(DomainStatesTest, AColumnValueSagdNeverWroteReadsAsTheInertState) {
  EXPECT_EQ(InstanceStatusFromColumn("Offline"), InstanceStatus::kInit);
  EXPECT_EQ(InstanceStatusFromColumn("active"), InstanceStatus::kInit);  // columns are exact
  EXPECT_EQ(InstanceStatusFromColumn("Active"), InstanceStatus::kActive);
  EXPECT_EQ(UpgradeStateFromColumn("Paused"), UpgradeState::kFailed);
  EXPECT_TRUE(IsTerminal(UpgradeStateFromColumn("")));
  EXPECT_EQ(HaTypeFromColumn("hot_backup"), HaType::kNoBackup);
  EXPECT_EQ(HaTypeFromColumn("warm_backup"), HaType::kWarmBackup);
}

TEST(DomainStatesTest, TerminalUpgradeStatesAndDevicesPerHaType) {
  EXPECT_TRUE(IsTerminal(UpgradeState::kSucceeded));
  EXPECT_TRUE(IsTerminal(UpgradeState::kFailed));
  EXPECT_TRUE(IsTerminal(UpgradeState::kReverted));
  EXPECT_TRUE(IsTerminal(UpgradeState::kTimedOut));
  EXPECT_FALSE(IsTerminal(UpgradeState::kQueued));
  EXPECT_FALSE(IsTerminal(UpgradeState::kVerifying));
  EXPECT_EQ(MaxDevices(HaType::kNoBackup), 1);
  EXPECT_EQ(MaxDevices(HaType::kColdBackup), 2);
  EXPECT_EQ(MaxDevices(HaType::kWarmBackup), 2);
}

}  // namespace
}  // namespace sag::store
