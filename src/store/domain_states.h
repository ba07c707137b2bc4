// The states of the store's records as C++ enums. Their text appears only on the wire (the API's
// own values) and in the database (the same text): WireName and the Parse functions convert, and
// nothing else compares state strings.
#pragma once

#include <optional>
#include <ostream>
#include <string_view>

namespace sag::store {

// An instance's HA type, as CreateSmartAccessGateway's HaType names it.
enum class HaType { kNoBackup, kColdBackup, kWarmBackup };

// An instance's stored lifecycle status: Init until ActivateInstance, then Active. (The lists
// show "Arrearage" for an expired instance; that is derived from its end time, never stored.)
enum class InstanceStatus { kInit, kActive };

// An upgrade's state (docs/semantics.md "Upgrades"). Terminal: kSucceeded, kFailed, kReverted,
// kTimedOut.
enum class UpgradeState {
  kQueued,
  kDispatched,
  kDownloading,
  kInstalling,
  kRebooting,
  kVerifying,
  kSucceeded,
  kFailed,
  kReverted,
  kTimedOut,
};

// The text of a state, as the API and the database spell it: "no_backup", "cold_backup",
// "warm_backup"; "Init", "Active"; "Queued" … "TimedOut".
std::string_view WireName(HaType ha_type);
std::string_view WireName(InstanceStatus status);
std::string_view WireName(UpgradeState state);

// The state whose WireName is text exactly; nullopt for any other text.
std::optional<HaType> ParseHaType(std::string_view text);
std::optional<UpgradeState> ParseUpgradeState(std::string_view text);
// The status whose WireName equals text ignoring ASCII case (the list filters compare so).
std::optional<InstanceStatus> ParseInstanceStatus(std::string_view text);

// What a database row's text reads as. Only sagd writes these columns, from the enums; a value it
// never wrote (a hand-edited database) reads as the state in which nothing acts on the record:
// an unknown status as kInit (operations that need an Active instance refuse it), an unknown
// upgrade state as kFailed (terminal: no engine step advances it), an unknown HA type as
// kNoBackup (one device).
HaType HaTypeFromColumn(std::string_view text);
InstanceStatus InstanceStatusFromColumn(std::string_view text);
UpgradeState UpgradeStateFromColumn(std::string_view text);

// True for kSucceeded, kFailed, kReverted and kTimedOut.
bool IsTerminal(UpgradeState state);

// The devices an instance of ha_type holds: 1 without backup, else 2 (the first bound is the main
// device, the second the standby).
int MaxDevices(HaType ha_type);

// For test failure messages: the WireName.
inline std::ostream& operator<<(std::ostream& os, HaType v) { return os << WireName(v); }
inline std::ostream& operator<<(std::ostream& os, InstanceStatus v) { return os << WireName(v); }
inline std::ostream& operator<<(std::ostream& os, UpgradeState v) { return os << WireName(v); }

}  // namespace sag::store
