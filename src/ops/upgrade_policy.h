// Automatic upgrades (docs/semantics.md "Automatic upgrades"): the policy of each device and
// version type (scheduled with a cron window and jitter, at boot, or manual), and the scheduler
// that starts upgrades to the newest release version when a policy says so. Both read the business
// clock, so the operator's test clock moves schedules too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "ops/upgrade_engine.h"
#include "store/store.h"

namespace sag::ops {

// Defaults of a device whose policy was never set: manual, "0 0 4 1/1 * ?" (04:00 every day),
// 60-minute window, 5 minutes of jitter, Asia/Shanghai.
inline constexpr std::string_view kDefaultCronExpression = "0 0 4 1/1 * ?";
inline constexpr int64_t kDefaultDurationMin = 60;
inline constexpr int64_t kDefaultJitterMin = 5;
inline constexpr std::string_view kDefaultTimeZone = "Asia/Shanghai";
// Duration bounds of the reference (minutes).
inline constexpr int64_t kMinDurationMin = 30;
inline constexpr int64_t kMaxDurationMin = 120;

// The TimeZone parameter: the documented zones map to their IANA name ("Europe/Berli", as the
// reference spells it, is Europe/Berlin); anything else yields "".
std::string DocumentedTimeZone(std::string_view text);

// The policy in effect for a device of instance_id: the stored one while it was set for this
// instance, else the defaults (manual).
Result<store::UpgradePolicyRecord, store::StoreError> EffectiveUpgradePolicy(
    store::Store& store, std::string_view serial_number, std::string_view version_type,
    std::string_view instance_id);

// How far after a window opens this device acts in it: a stable spread of the serial number over
// [0, jitter_min) minutes, in milliseconds.
int64_t JitterOffsetMs(std::string_view serial_number, int64_t jitter_min);

// Sets next_window_ms and next_run_ms of policy: for a scheduled one, the first window opening
// after after_ms (0 when its cron never fires again); 0 for boot and manual.
void ScheduleNextWindow(store::UpgradePolicyRecord& policy, int64_t after_ms);

// What an attempt to start an automatic upgrade came to.
struct AutoUpgradeOutcome {
  std::string text;      // in words: "started up-... to 2.1.0", "up to date ...", "skipped: ..."
  bool started = false;  // an upgrade was created and dispatched
  bool retry = false;    // worth another try later in the window (device offline, one in flight)
};

// Starts an upgrade of the policy's device and version type to the newest installable release
// version (never beta) when the device is still bound to the policy's instance, the instance
// allows it (Active, not in arrears, on a CCN), the device is online (unless at_boot: it is
// connecting right now) and nothing is in flight.
AutoUpgradeOutcome StartAutoUpgrade(const UpgradeEnv& env, const store::UpgradePolicyRecord& policy,
                                    bool at_boot);

// Periodic work, safe on every node: each scheduled policy whose device's turn in a window has
// come starts its upgrade (or records why not, or that the window was missed) and moves to its
// next window; exactly one node acts on each window. Returns the number of policies handled.
int RunDueUpgradePolicies(const UpgradeEnv& env);

// A device authenticated after it booted (its boot time changed, or its first connection): the
// boot policies of its Device and Dpi versions start their upgrade (Device first; Dpi at the boot
// that follows, when it needs the newer firmware).
void OnDeviceBooted(const UpgradeEnv& env, std::string_view serial_number);

}  // namespace sag::ops
