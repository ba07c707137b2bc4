#include "ops/upgrade_policy.h"

#include <algorithm>
#include <array>

#include "common/cron_schedule.h"
#include "common/log.h"
#include "common/time_format.h"
#include "ops/instance_common.h"
#include "ops/version.h"
#include "ops/version_common.h"

namespace sag::ops {
namespace {

constexpr int64_t kMinuteMs = 60 * 1000;
// How soon a skipped attempt (device offline, another upgrade in flight) is retried while its
// window is open.
constexpr int64_t kRetryMs = kMinuteMs;
// Appended to the result of an attempt that will be retried in its window.
constexpr std::string_view kRetrySuffix = " (retrying while the window is open)";
// Policies handled per sweep; the rest wait for the next sweep (a second later).
constexpr int64_t kSweepBatch = 500;

// The zones the reference lists, as sent and as the IANA database names them.
struct ZoneName {
  std::string_view given;
  std::string_view iana;
};
constexpr std::array<ZoneName, 9> kDocumentedZones = {{
    {"Asia/Shanghai", "Asia/Shanghai"},
    {"Asia/Hong_Kong", "Asia/Hong_Kong"},
    {"Asia/Tokyo", "Asia/Tokyo"},
    {"Australia/Sydney", "Australia/Sydney"},
    {"Asia/Kuala_Lumpur", "Asia/Kuala_Lumpur"},
    {"Europe/Berlin", "Europe/Berlin"},
    {"Europe/Berli", "Europe/Berlin"},  // the reference's spelling
    {"Asia/Singapore", "Asia/Singapore"},
    {"Asia/Jakarta", "Asia/Jakarta"},
}};

std::string Skipped(std::string_view why) { return "skipped: " + std::string(why); }

}  // namespace

std::string DocumentedTimeZone(std::string_view text) {
  for (const ZoneName& z : kDocumentedZones) {
    if (z.given == text) return std::string(z.iana);
  }
  return "";
}

Result<store::UpgradePolicyRecord, store::StoreError> EffectiveUpgradePolicy(
    store::Store& store, std::string_view serial_number, std::string_view version_type,
    std::string_view instance_id) {
  ASSIGN_OR_RETURN(auto stored, store.GetUpgradePolicy(serial_number, version_type));
  if (stored && stored->instance_id == instance_id) return std::move(*stored);
  store::UpgradePolicyRecord p;
  p.serial_number = std::string(serial_number);
  p.version_type = std::string(version_type);
  p.instance_id = std::string(instance_id);
  p.upgrade_type = std::string(store::kUpgradeTypeManual);
  p.cron_expression = std::string(kDefaultCronExpression);
  p.duration_min = kDefaultDurationMin;
  p.jitter_min = kDefaultJitterMin;
  p.time_zone = std::string(kDefaultTimeZone);
  return p;
}

int64_t JitterOffsetMs(std::string_view serial_number, int64_t jitter_min) {
  if (jitter_min <= 0) return 0;
  uint64_t hash = 14695981039346656037ULL;  // FNV-1a
  for (char c : serial_number) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  const auto spread_s = static_cast<uint64_t>(jitter_min) * 60;
  return static_cast<int64_t>(hash % spread_s) * 1000;
}

void ScheduleNextWindow(store::UpgradePolicyRecord& policy, int64_t after_ms) {
  policy.next_window_ms = 0;
  policy.next_run_ms = 0;
  if (policy.upgrade_type != store::kUpgradeTypeScheduled) return;
  auto cron = CronSchedule::Parse(policy.cron_expression);
  if (!cron) return;
  auto next = cron->NextAfter(after_ms, policy.time_zone);
  if (!next) return;
  policy.next_window_ms = *next;
  policy.next_run_ms = *next + JitterOffsetMs(policy.serial_number, policy.jitter_min);
}

AutoUpgradeOutcome StartAutoUpgrade(const UpgradeEnv& env, const store::UpgradePolicyRecord& policy,
                                    bool at_boot) {
  const std::string& sn = policy.serial_number;
  auto device = env.store.GetDevice(sn);
  if (!device) return {Skipped("the device cannot be read: " + device.error().detail)};
  if (device->instance_id != policy.instance_id) {
    return {Skipped("the device is no longer bound to " + policy.instance_id)};
  }
  auto in = env.store.GetInstance(device->account_id, policy.region_id, policy.instance_id);
  if (!in) return {Skipped("the instance cannot be read: " + in.error().detail)};
  const int64_t now = env.clock.NowMs();
  if (InArrears(*in, now)) return {Skipped("the instance is in arrears")};
  if (in->status != store::InstanceStatus::kActive) return {Skipped("the instance is not active")};
  if (in->ccn_id.empty()) return {Skipped("the instance is not bound to a CCN")};
  if (!at_boot && (env.devices == nullptr || !env.devices->IsOnline(sn))) {
    return {Skipped("the device is offline"), false, true};
  }
  auto active = env.store.ActiveUpgrade(sn);
  if (!active) return {Skipped("cannot read upgrades: " + active.error().detail)};
  if (active->has_value()) {
    return {Skipped("upgrade " + (*active)->id + " is in flight"), false, true};
  }
  auto versions = env.store.ListVersions(policy.version_type);
  if (!versions) return {Skipped("cannot read versions: " + versions.error().detail)};
  const store::VersionRecord* best = nullptr;
  const store::VersionRecord* needs_firmware = nullptr;  // newer, but not for this Device version
  for (const store::VersionRecord& v : *versions) {
    if (v.release_type != "release") continue;
    if (!InstallableOn(v, *device)) {
      store::DeviceRecord upgraded = *device;
      upgraded.firmware_version = v.min_device_version;
      if (!v.min_device_version.empty() && InstallableOn(v, upgraded)) needs_firmware = &v;
      continue;
    }
    auto newer = best == nullptr ? std::optional<int>(1)
                                 : CompareVersions(v.version_code, best->version_code);
    if (newer && *newer > 0) best = &v;
  }
  const std::string& running = policy.version_type == store::kVersionTypeDpi
                                   ? device->dpi_version
                                   : device->firmware_version;
  if (best == nullptr && needs_firmware != nullptr) {
    // The firmware may be upgraded in this window (or at this boot) first.
    return {Skipped(policy.version_type + " " + needs_firmware->version_code +
                    " needs Device version " + needs_firmware->min_device_version + " or later"),
            false, true};
  }
  if (best == nullptr) {
    return {"up to date: no newer release version for " + device->hardware_model + " (runs " +
            (running.empty() ? std::string("an unknown version") : running) + ")"};
  }
  store::UpgradeRecord u = NewUpgrade(*in, *device, *best, "", now);
  if (auto r = env.store.CreateUpgrades({u}); !r) {
    if (r.error().code == store::StoreErrorCode::kAlreadyExists) {
      return {Skipped("another upgrade is in flight"), false, true};
    }
    return {Skipped("cannot create the upgrade: " + r.error().detail)};
  }
  if (auto d = DispatchUpgrade(env, u); !d) {
    return {"created " + u.id + " but could not dispatch it: " + d.error().detail, true};
  }
  return {"started " + u.id + " to " + best->version_code, true};
}

int RunDueUpgradePolicies(const UpgradeEnv& env) {
  const int64_t now = env.clock.NowMs();
  auto due = env.store.ListDueUpgradePolicies(now, kSweepBatch);
  if (!due) {
    LogWarn("auto-upgrade: cannot read due policies: " + due.error().detail);
    return 0;
  }
  int handled = 0;
  for (const store::UpgradePolicyRecord& p : *due) {
    const int64_t window_end = p.next_window_ms + p.duration_min * kMinuteMs;
    store::UpgradePolicyRecord moved = p;
    moved.last_window_ms = p.next_window_ms;
    moved.update_ms = now;
    ScheduleNextWindow(moved, std::max(now, p.next_window_ms));
    const bool missed = now >= window_end;
    // A retry of this window (the scheduler acted on it already) that the window's end overtook.
    const bool gave_up = missed && p.last_window_ms == p.next_window_ms;
    if (gave_up) {
      std::string last = p.last_result;
      if (size_t cut = last.find(kRetrySuffix); cut != std::string::npos) last.resize(cut);
      moved.last_result = "window closed without an upgrade: " + last;
    } else if (missed) {
      moved.last_result = "missed: the window " + FormatIso8601Utc(p.next_window_ms) +
                          " had closed before the scheduler reached it";
    } else {
      moved.last_result = "starting";
    }
    // Claim the window: of several nodes, the one whose update lands acts.
    auto claimed = env.store.AdvanceUpgradePolicy(moved, p.next_run_ms);
    if (!claimed || !*claimed) continue;
    ++handled;
    if (!missed) {
      const AutoUpgradeOutcome outcome = StartAutoUpgrade(env, p, /*at_boot=*/false);
      store::UpgradePolicyRecord result = moved;
      result.last_result = outcome.text;
      if (outcome.retry && now + kRetryMs < window_end) {
        result.next_window_ms = p.next_window_ms;
        result.next_run_ms = now + kRetryMs;
        result.last_result += kRetrySuffix;
      }
      if (auto r = env.store.AdvanceUpgradePolicy(result, moved.next_run_ms); !r) {
        LogWarn("auto-upgrade " + p.serial_number +
                ": cannot record the result: " + r.error().detail);
      }
      moved.last_result = result.last_result;
    }
    LogInfo("auto-upgrade " + p.serial_number + " " + p.version_type + ": " + moved.last_result);
  }
  return handled;
}

void OnDeviceBooted(const UpgradeEnv& env, std::string_view serial_number) {
  auto device = env.store.GetDevice(serial_number);
  if (!device || device->instance_id.empty()) return;
  for (std::string_view type : {store::kVersionTypeDevice, store::kVersionTypeDpi}) {
    auto stored = env.store.GetUpgradePolicy(serial_number, type);
    if (!stored || !stored->has_value()) continue;
    const store::UpgradePolicyRecord& p = **stored;
    if (p.instance_id != device->instance_id || p.upgrade_type != store::kUpgradeTypeBoot) {
      continue;
    }
    const AutoUpgradeOutcome outcome = StartAutoUpgrade(env, p, /*at_boot=*/true);
    store::UpgradePolicyRecord moved = p;
    moved.last_window_ms = env.clock.NowMs();
    moved.last_result = outcome.text;
    moved.update_ms = moved.last_window_ms;
    (void)env.store.AdvanceUpgradePolicy(moved, p.next_run_ms);
    LogInfo("auto-upgrade at boot " + p.serial_number + " " + p.version_type + ": " + outcome.text);
    if (outcome.started) return;  // one upgrade at a time; Dpi follows at the next boot
  }
}

}  // namespace sag::ops
