// Automatic upgrade policies of devices (DescribeDeviceAutoUpgradePolicy /
// ModifyDeviceAutoUpgradePolicy, docs/semantics.md "Automatic upgrades"), one per device and
// version type, with the schedule state the upgrade sweeper works from. Part of store::Store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sag::store {

struct StoreError;  // store.h

// Upgrade types (the UpgradeType parameter).
inline constexpr std::string_view kUpgradeTypeScheduled = "scheduled";
inline constexpr std::string_view kUpgradeTypeBoot = "boot";
inline constexpr std::string_view kUpgradeTypeManual = "manual";

// One policy, keyed by (serial_number, version_type). It applies while the device stays bound to
// instance_id; a device bound elsewhere starts again from the defaults.
struct UpgradePolicyRecord {
  std::string serial_number;
  std::string version_type;  // Device | Dpi
  std::string instance_id;
  std::string region_id;     // the instance's region
  std::string upgrade_type;  // scheduled | boot | manual
  std::string cron_expression;
  int64_t duration_min = 0;  // the window length
  int64_t jitter_min = 0;    // devices start up to this much after the window opens
  std::string time_zone;
  // Schedule state (scheduled only; 0 otherwise): when the next window opens, and when this device
  // acts in it (window start + its jitter offset).
  int64_t next_window_ms = 0;
  int64_t next_run_ms = 0;
  // The last window the scheduler acted on and what came of it (shown to users).
  int64_t last_window_ms = 0;
  std::string last_result;
  int64_t update_ms = 0;
};

// The policy methods of the store (each one atomic transaction, like every Store method).
class UpgradePolicyStore {
 public:
  virtual ~UpgradePolicyStore() = default;

  // Inserts or replaces the policy of (serial_number, version_type).
  virtual Result<void, StoreError> PutUpgradePolicy(const UpgradePolicyRecord& policy) = 0;
  // The policy of (serial_number, version_type); nullopt when none was ever set.
  virtual Result<std::optional<UpgradePolicyRecord>, StoreError> GetUpgradePolicy(
      std::string_view serial_number, std::string_view version_type) = 0;
  // Policies whose next_run_ms is set and <= now_ms, soonest first (then by serial number, Device
  // before Dpi), at most limit.
  virtual Result<std::vector<UpgradePolicyRecord>, StoreError> ListDueUpgradePolicies(
      int64_t now_ms, int64_t limit) = 0;
  // Moves the policy on to its next window when its next_run_ms is still expected_next_run_ms, and
  // records the window it leaves and what came of it. Returns whether it did: of several nodes
  // that find the same policy due, exactly one acts on the window.
  virtual Result<bool, StoreError> AdvanceUpgradePolicy(const UpgradePolicyRecord& moved,
                                                        int64_t expected_next_run_ms) = 0;
};

}  // namespace sag::store
