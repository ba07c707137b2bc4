#include "ops/upgrade_engine.h"

#include <vector>

#include <boost/json.hpp>

#include "common/log.h"
#include "ops/artifacts.h"

namespace sag::ops {
namespace {

namespace s = store;

const std::vector<s::UpgradeState> kStarted = {
    s::UpgradeState::kDispatched, s::UpgradeState::kDownloading, s::UpgradeState::kInstalling,
    s::UpgradeState::kRebooting, s::UpgradeState::kVerifying};

std::optional<s::UpgradeRecord> ActiveFor(const UpgradeEnv& env, std::string_view serial_number,
                                          std::string_view facet, int64_t generation) {
  auto active = env.store.ActiveUpgrade(serial_number);
  if (!active) {
    LogWarn("upgrade of " + std::string(serial_number) + ": " + active.error().detail);
    return std::nullopt;
  }
  if (!active->has_value()) return std::nullopt;
  const s::UpgradeRecord& u = **active;
  if (FacetOfVersionType(u.version_type) != facet) return std::nullopt;
  if (generation != 0 && u.generation != generation) return std::nullopt;
  return u;
}

bool Advance(const UpgradeEnv& env, const s::UpgradeRecord& u, s::UpgradeState state,
             std::vector<s::UpgradeState> from, std::optional<std::string> detail,
             std::optional<int64_t> bytes = std::nullopt) {
  s::UpgradeChange change;
  change.state = state;
  change.from_states = std::move(from);
  change.detail = std::move(detail);
  change.bytes_done = bytes;
  change.now_ms = env.clock.NowMs();
  auto r = env.store.AdvanceUpgrade(u.id, change);
  if (!r) {
    LogWarn("upgrade " + u.id + ": cannot move to " + std::string(s::WireName(state)) + ": " +
            r.error().detail);
    return false;
  }
  if (*r) {
    LogInfo("upgrade " + u.id + " of " + u.serial_number + " to " + u.version_type + " " +
            u.version_code + ": " + std::string(s::WireName(state)));
  }
  return *r;
}

// Dispatches (or fails) the Queued upgrades waiting for predecessor.
int ReleaseSuccessors(const UpgradeEnv& env, const s::UpgradeRecord& predecessor) {
  s::UpgradeFilter filter;
  filter.instance_id = predecessor.instance_id;
  filter.active_only = true;
  filter.limit = 100;
  auto waiting = env.store.ListUpgrades(filter);
  if (!waiting) return 0;
  int changed = 0;
  for (const s::UpgradeRecord& u : *waiting) {
    if (u.state != s::UpgradeState::kQueued || u.after_upgrade_id != predecessor.id) continue;
    if (predecessor.state == s::UpgradeState::kSucceeded) {
      if (DispatchUpgrade(env, u)) ++changed;
    } else if (Advance(env, u, s::UpgradeState::kFailed, {s::UpgradeState::kQueued},
                       "not started: the upgrade of " + predecessor.serial_number + " ended " +
                           std::string(s::WireName(predecessor.state)))) {
      ++changed;
    }
  }
  return changed;
}

void Finish(const UpgradeEnv& env, const s::UpgradeRecord& u, s::UpgradeState state,
            std::string detail) {
  if (!Advance(env, u, state, kStarted, std::move(detail))) return;
  auto now = env.store.GetUpgrade(u.id);
  if (now) ReleaseSuccessors(env, *now);
}

}  // namespace

std::string_view FacetOfVersionType(std::string_view version_type) {
  return version_type == s::kVersionTypeDpi ? s::kFacetDpi : s::kFacetFirmware;
}

std::string UpgradeDesiredValue(const UpgradeEnv& env, const s::UpgradeRecord& upgrade,
                                int64_t size) {
  boost::json::object v{
      {"version", upgrade.version_code},
      {"url", ArtifactUrl(env.artifact_token_key, upgrade.serial_number, upgrade.sha256)},
      {"sha256", upgrade.sha256},
      {"size", size},
      {"upgrade_id", upgrade.id}};
  return boost::json::serialize(v);
}

Result<s::UpgradeRecord, s::StoreError> DispatchUpgrade(const UpgradeEnv& env,
                                                        s::UpgradeRecord upgrade) {
  auto version = env.store.GetVersion(upgrade.version_type, upgrade.version_code);
  if (!version) return MakeUnexpected(version.error());
  const std::string value = UpgradeDesiredValue(env, upgrade, version->size);
  const std::string_view facet = FacetOfVersionType(upgrade.version_type);
  const int64_t now = env.clock.NowMs();
  auto desired = env.store.SetDesiredFacet(upgrade.serial_number, facet, value, now,
                                           /*require_synchronized=*/false);
  if (!desired) return MakeUnexpected(desired.error());
  const int64_t generation = desired->generation;
  s::UpgradeChange change;
  change.state = s::UpgradeState::kDispatched;
  change.from_states = {s::UpgradeState::kQueued};
  change.generation = generation;
  change.deadline_ms = now + env.upgrade_timeout_ms;
  change.detail = "";
  change.now_ms = now;
  auto moved = env.store.AdvanceUpgrade(upgrade.id, change);
  if (!moved) return MakeUnexpected(moved.error());
  if (!*moved) {
    return MakeUnexpected(s::StoreError{s::StoreErrorCode::kConflict, "upgrade not queued"});
  }
  upgrade.state = change.state;
  upgrade.generation = generation;
  upgrade.deadline_ms = *change.deadline_ms;
  LogInfo("upgrade " + upgrade.id + " of " + upgrade.serial_number + " to " + upgrade.version_type +
          " " + upgrade.version_code + ": Dispatched (generation " + std::to_string(generation) +
          ")");
  if (env.devices != nullptr) env.devices->Push(upgrade.serial_number, facet, generation, value);
  return upgrade;
}

void OnUpgradeProgress(const UpgradeEnv& env, std::string_view serial_number,
                       std::string_view facet, int64_t generation, std::string_view state,
                       int64_t bytes_done, std::string_view detail) {
  auto u = ActiveFor(env, serial_number, facet, generation);
  if (!u) return;
  const std::string d(detail);
  if (state == "downloading") {
    Advance(env, *u, s::UpgradeState::kDownloading,
            {s::UpgradeState::kDispatched, s::UpgradeState::kDownloading}, d, bytes_done);
  } else if (state == "installing") {
    Advance(
        env, *u, s::UpgradeState::kInstalling,
        {s::UpgradeState::kDispatched, s::UpgradeState::kDownloading, s::UpgradeState::kInstalling},
        d, bytes_done);
  } else if (state == "rebooting") {
    Advance(env, *u, s::UpgradeState::kRebooting,
            {s::UpgradeState::kDispatched, s::UpgradeState::kDownloading,
             s::UpgradeState::kInstalling, s::UpgradeState::kRebooting},
            d);
  }
}

void OnUpgradeApplied(const UpgradeEnv& env, std::string_view serial_number, std::string_view facet,
                      int64_t generation, std::string_view result, std::string_view detail) {
  auto u = ActiveFor(env, serial_number, facet, generation);
  if (!u || u->state == s::UpgradeState::kQueued) return;
  if (result == "failed") {
    Finish(env, *u, s::UpgradeState::kFailed, std::string(detail));
  } else if (result == "reverted") {
    Finish(env, *u, s::UpgradeState::kReverted, std::string(detail));
  } else if (result == "ok") {
    auto device = env.store.GetDevice(serial_number);
    if (!device) return;
    const std::string& running =
        facet == s::kFacetDpi ? device->dpi_version : device->firmware_version;
    if (running == u->version_code) {
      Finish(env, *u, s::UpgradeState::kSucceeded, "");
    } else {
      Advance(env, *u, s::UpgradeState::kVerifying, kStarted,
              "the device reported the generation applied but runs " + running);
    }
  }
}

void OnDeviceHello(const UpgradeEnv& env, std::string_view serial_number, std::string_view firmware,
                   std::string_view dpi) {
  auto active = env.store.ActiveUpgrade(serial_number);
  if (!active || !active->has_value()) return;
  const s::UpgradeRecord& u = **active;
  if (u.state == s::UpgradeState::kQueued) return;
  std::string_view running = u.version_type == s::kVersionTypeDpi ? dpi : firmware;
  if (running == u.version_code) {
    Finish(env, u, s::UpgradeState::kSucceeded, "");
  } else if (u.state == s::UpgradeState::kRebooting) {
    Advance(env, u, s::UpgradeState::kVerifying, {s::UpgradeState::kRebooting},
            "rebooted running " + std::string(running));
  }
}

bool IsActiveUpgradeGeneration(const UpgradeEnv& env, std::string_view serial_number,
                               std::string_view facet, int64_t generation) {
  return ActiveFor(env, serial_number, facet, generation).has_value();
}

bool TimeOutUpgrade(const UpgradeEnv& env, const s::UpgradeRecord& u,
                    std::vector<s::UpgradeState> from_states, std::string detail) {
  if (!Advance(env, u, s::UpgradeState::kTimedOut, std::move(from_states), detail)) return false;
  if (u.generation > 0) {
    // The facet's generation is answered (failed) on the device's behalf, so it no longer counts
    // as a change in flight; a late "ok" from the device still raises the applied generation.
    auto r = env.store.RecordApplied(u.serial_number, FacetOfVersionType(u.version_type),
                                     u.generation, "failed", detail, env.clock.NowMs());
    if (!r) LogWarn("upgrade " + u.id + ": " + r.error().detail);
  }
  auto now = env.store.GetUpgrade(u.id);
  if (now) ReleaseSuccessors(env, *now);
  return true;
}

int SweepUpgrades(const UpgradeEnv& env) {
  int changed = 0;
  auto expired = env.store.ListExpiredUpgrades(env.clock.NowMs(), 500);
  if (expired) {
    for (const s::UpgradeRecord& u : *expired) {
      if (TimeOutUpgrade(env, u, {}, "no outcome before the deadline")) ++changed;
    }
  }
  // Queued upgrades whose predecessor is already terminal (e.g. a node stopped between the
  // predecessor's end and the dispatch).
  s::UpgradeFilter filter;
  filter.active_only = true;
  filter.limit = 1000;
  auto active = env.store.ListUpgrades(filter);
  if (active) {
    for (const s::UpgradeRecord& u : *active) {
      if (u.state != s::UpgradeState::kQueued || u.after_upgrade_id.empty()) continue;
      auto before = env.store.GetUpgrade(u.after_upgrade_id);
      if (!before || !s::IsTerminal(before->state)) continue;
      changed += ReleaseSuccessors(env, *before);
    }
  }
  return changed;
}

}  // namespace sag::ops
