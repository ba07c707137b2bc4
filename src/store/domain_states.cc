#include "store/domain_states.h"

#include <array>
#include <utility>

namespace sag::store {
namespace {

template <typename E, size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<HaType, 3> kHaTypes{{{HaType::kNoBackup, "no_backup"},
                                     {HaType::kColdBackup, "cold_backup"},
                                     {HaType::kWarmBackup, "warm_backup"}}};
constexpr Names<InstanceStatus, 2> kStatuses{
    {{InstanceStatus::kInit, "Init"}, {InstanceStatus::kActive, "Active"}}};
constexpr Names<UpgradeState, 10> kUpgradeStates{{{UpgradeState::kQueued, "Queued"},
                                                  {UpgradeState::kDispatched, "Dispatched"},
                                                  {UpgradeState::kDownloading, "Downloading"},
                                                  {UpgradeState::kInstalling, "Installing"},
                                                  {UpgradeState::kRebooting, "Rebooting"},
                                                  {UpgradeState::kVerifying, "Verifying"},
                                                  {UpgradeState::kSucceeded, "Succeeded"},
                                                  {UpgradeState::kFailed, "Failed"},
                                                  {UpgradeState::kReverted, "Reverted"},
                                                  {UpgradeState::kTimedOut, "TimedOut"}}};

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

template <typename E, size_t N>
std::string_view NameIn(const Names<E, N>& names, E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "";  // unreachable: every enumerator is listed
}

template <typename E, size_t N>
std::optional<E> ValueIn(const Names<E, N>& names, std::string_view text) {
  for (const auto& [v, name] : names) {
    if (name == text) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view WireName(HaType ha_type) { return NameIn(kHaTypes, ha_type); }
std::string_view WireName(InstanceStatus status) { return NameIn(kStatuses, status); }
std::string_view WireName(UpgradeState state) { return NameIn(kUpgradeStates, state); }

std::optional<HaType> ParseHaType(std::string_view text) { return ValueIn(kHaTypes, text); }
std::optional<UpgradeState> ParseUpgradeState(std::string_view text) {
  return ValueIn(kUpgradeStates, text);
}
std::optional<InstanceStatus> ParseInstanceStatus(std::string_view text) {
  for (const auto& [v, name] : kStatuses) {
    if (EqualsIgnoringAsciiCase(name, text)) return v;
  }
  return std::nullopt;
}

HaType HaTypeFromColumn(std::string_view text) {
  return ParseHaType(text).value_or(HaType::kNoBackup);
}
InstanceStatus InstanceStatusFromColumn(std::string_view text) {
  return ValueIn(kStatuses, text).value_or(InstanceStatus::kInit);
}
UpgradeState UpgradeStateFromColumn(std::string_view text) {
  return ParseUpgradeState(text).value_or(UpgradeState::kFailed);
}

bool IsTerminal(UpgradeState state) {
  return state == UpgradeState::kSucceeded || state == UpgradeState::kFailed ||
         state == UpgradeState::kReverted || state == UpgradeState::kTimedOut;
}

int MaxDevices(HaType ha_type) { return ha_type == HaType::kNoBackup ? 1 : 2; }

}  // namespace sag::store
