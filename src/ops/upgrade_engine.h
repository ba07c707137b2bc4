// The upgrade state machine (docs/semantics.md "Upgrades"): Queued ->
// Dispatched -> Downloading -> Installing -> Rebooting -> Verifying -> Succeeded | Failed |
// Reverted | TimedOut. Every transition is a conditional store update (store::VersionStore::
// AdvanceUpgrade), so any sagd node may drive any upgrade and a restarted node simply continues
// from what the store holds. Devices are reached only through ops::DeviceControl.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "ops/device_control.h"
#include "store/store.h"

namespace sag::ops {

// What the engine works with.
struct UpgradeEnv {
  store::Store& store;
  DeviceControl* devices = nullptr;  // null: nothing is pushed (the device gets it at its hello)
  const Clock& clock;
  std::string_view artifact_token_key;
  int64_t upgrade_timeout_ms = 30 * 60 * 1000;
};

// The device facet that carries a version type: "firmware" for Device, "dpi" for Dpi.
std::string_view FacetOfVersionType(std::string_view version_type);

// The desired value of the facet for upgrade (docs/device-protocol.md §4): version, url (with the
// device's download token), sha256, size and upgrade_id.
std::string UpgradeDesiredValue(const UpgradeEnv& env, const store::UpgradeRecord& upgrade,
                                int64_t size);

// Sets the facet's desired value under a new generation, moves the upgrade Queued -> Dispatched
// with that generation and its deadline, and pushes it to the device when online. Returns the
// upgrade as dispatched.
Result<store::UpgradeRecord, store::StoreError> DispatchUpgrade(const UpgradeEnv& env,
                                                                store::UpgradeRecord upgrade);

// A progress report of the device for facet/generation ("downloading", "installing",
// "rebooting"), moving the matching upgrade forward (never backward).
void OnUpgradeProgress(const UpgradeEnv& env, std::string_view serial_number,
                       std::string_view facet, int64_t generation, std::string_view state,
                       int64_t bytes_done, std::string_view detail);
// An "applied" report for a firmware or dpi generation: failed -> Failed, reverted -> Reverted,
// ok -> Succeeded when the device already runs the target version, else Verifying.
void OnUpgradeApplied(const UpgradeEnv& env, std::string_view serial_number, std::string_view facet,
                      int64_t generation, std::string_view result, std::string_view detail);
// A device authenticated reporting these running versions: an upgrade whose target it now runs
// succeeds (and dispatches the upgrades queued behind it); one that was Rebooting moves to
// Verifying (the device must still report the outcome).
void OnDeviceHello(const UpgradeEnv& env, std::string_view serial_number, std::string_view firmware,
                   std::string_view dpi);
// True when the firmware/dpi generation of the device belongs to its active upgrade (only those
// are re-sent after a reconnect; a timed-out or finished upgrade is never resumed).
bool IsActiveUpgradeGeneration(const UpgradeEnv& env, std::string_view serial_number,
                               std::string_view facet, int64_t generation);

// Moves u to TimedOut (when it is in one of from_states, or any non-terminal state when empty),
// answers its facet generation as failed and releases the upgrades queued behind it. False when
// the upgrade had moved on already.
bool TimeOutUpgrade(const UpgradeEnv& env, const store::UpgradeRecord& u,
                    std::vector<store::UpgradeState> from_states, std::string detail);

// Periodic work, safe to run on every node: upgrades past their deadline become TimedOut, and
// Queued upgrades whose predecessor finished are dispatched (it succeeded) or failed (it did
// not). Returns the number of upgrades changed.
int SweepUpgrades(const UpgradeEnv& env);

}  // namespace sag::ops
