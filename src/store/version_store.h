// The software catalogue (published Device firmware and Dpi signature versions) and the upgrades
// that run them on devices (docs/semantics.md "Versions"). Part of store::Store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/domain_states.h"

namespace sag::store {

struct StoreError;  // store.h

// Version types (the VersionType parameter of the smartag API).
inline constexpr std::string_view kVersionTypeDevice = "Device";
inline constexpr std::string_view kVersionTypeDpi = "Dpi";

// One published version, keyed by (version_type, version_code).
struct VersionRecord {
  std::string version_type;  // Device | Dpi
  std::string version_code;  // dot-separated decimal numbers, e.g. "2.1.0"
  std::string version_name;
  std::string release_type;        // release | beta
  std::string hardware_models;     // comma-separated, e.g. "sag-1000,sag-100wm"
  std::string sha256;              // lower-case hex of the artifact
  int64_t size = 0;                // artifact bytes
  std::string min_device_version;  // Dpi only: the Device version it needs ("" = none)
  int64_t create_ms = 0;
  bool withdrawn = false;  // withdrawn versions are neither listed to users nor installable
  int64_t withdrawn_ms = 0;
};

// One upgrade of one device to one version. At most one upgrade per device is not terminal (the
// store enforces it: CreateUpgrade answers kAlreadyExists).
struct UpgradeRecord {
  std::string id;  // up-...
  std::string serial_number;
  std::string account_id;
  std::string instance_id;
  std::string version_type;  // Device | Dpi
  std::string version_code;
  std::string from_version;  // what the device ran when the upgrade was created
  std::string sha256;        // the artifact
  UpgradeState state = UpgradeState::kQueued;
  std::string detail;      // why it failed, progress text, ...
  int64_t generation = 0;  // the facet generation carrying it (0 while Queued)
  int64_t bytes_done = 0;  // download progress the device reported
  // Queued upgrades wait for this upgrade (of the same instance) to succeed ("" = none).
  std::string after_upgrade_id;
  int64_t create_ms = 0;
  int64_t update_ms = 0;
  int64_t deadline_ms = 0;  // TimedOut when not terminal by then (0 = none)
};

// A state change of an upgrade (see VersionStore::AdvanceUpgrade). Unset fields stay.
struct UpgradeChange {
  UpgradeState state = UpgradeState::kQueued;  // the new state
  // Only when the current state is one of these (empty: any non-terminal state).
  std::vector<UpgradeState> from_states;
  std::optional<std::string> detail;
  std::optional<int64_t> generation;
  std::optional<int64_t> bytes_done;
  std::optional<int64_t> deadline_ms;
  int64_t now_ms = 0;
};

// Applies change to upgrade (state, the set fields) when upgrade is not terminal and, when
// change.from_states is set, in one of those states; returns whether it did. Both backends'
// AdvanceUpgrade decide with it inside their transaction.
bool ApplyUpgradeChange(const UpgradeChange& change, UpgradeRecord& upgrade);

// Selects upgrades. Empty fields do not filter.
struct UpgradeFilter {
  std::string serial_number;
  std::string instance_id;
  bool active_only = false;  // only non-terminal ones
  int64_t limit = 100;
};

// The catalogue and upgrade methods of the store (each one atomic transaction, like every Store
// method). Results are Result<T, StoreError> (StoreResult of store.h).
class VersionStore {
 public:
  virtual ~VersionStore() = default;

  // Catalogue. PublishVersion: kAlreadyExists when (type, code) exists (withdrawn or not).
  // GetVersion: kNotFound. ListVersions: every version of the type (withdrawn ones too), ordered
  // by create_ms then code. WithdrawVersion: kNotFound when missing; withdrawing twice is OK.
  virtual Result<void, StoreError> PublishVersion(const VersionRecord& version) = 0;
  virtual Result<VersionRecord, StoreError> GetVersion(std::string_view version_type,
                                                       std::string_view version_code) = 0;
  virtual Result<std::vector<VersionRecord>, StoreError> ListVersions(
      std::string_view version_type) = 0;
  virtual Result<void, StoreError> WithdrawVersion(std::string_view version_type,
                                                   std::string_view version_code,
                                                   int64_t now_ms) = 0;

  // Upgrades. CreateUpgrades inserts all of them or none: kAlreadyExists when one of their devices
  // has a non-terminal upgrade already (whatever the number of concurrent callers or nodes), and
  // kNotFound when a device is missing. GetUpgrade: kNotFound. ActiveUpgrade: the device's
  // non-terminal upgrade, nullopt when none. ListUpgrades: newest first (create_ms, then id
  // descending). AdvanceUpgrade applies change when the upgrade is not terminal and (when
  // change.from_states is set) in one of those states, and returns whether it did; kNotFound when
  // the upgrade is missing. ListExpiredUpgrades: non-terminal upgrades whose deadline_ms is set and
  // <= now_ms, oldest first, at most limit.
  virtual Result<void, StoreError> CreateUpgrades(const std::vector<UpgradeRecord>& upgrades) = 0;
  virtual Result<UpgradeRecord, StoreError> GetUpgrade(std::string_view id) = 0;
  virtual Result<std::optional<UpgradeRecord>, StoreError> ActiveUpgrade(
      std::string_view serial_number) = 0;
  virtual Result<std::vector<UpgradeRecord>, StoreError> ListUpgrades(
      const UpgradeFilter& filter) = 0;
  virtual Result<bool, StoreError> AdvanceUpgrade(std::string_view id,
                                                  const UpgradeChange& change) = 0;
  virtual Result<std::vector<UpgradeRecord>, StoreError> ListExpiredUpgrades(int64_t now_ms,
                                                                             int64_t limit) = 0;
};

}  // namespace sag::store
