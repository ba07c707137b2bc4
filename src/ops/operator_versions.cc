// Operator API: the software catalogue (publish, list, withdraw) and the upgrades that run it on
// devices (docs/operator-api.md "Software versions").
#include <algorithm>

#include "common/crypto.h"
#include "common/ids.h"
#include "common/log.h"
#include "ops/artifacts.h"
#include "ops/device_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"
#include "ops/upgrade_engine.h"
#include "ops/validation.h"
#include "ops/version.h"
#include "ops/version_common.h"

namespace sag::ops {
namespace {

bool IsKnownModel(std::string_view m) {
  return m == "sag-100wm" || m == "sag-1000" || m == "sag-vcpe";
}

// "sag-1000, sag-100wm" -> "sag-1000,sag-100wm"; empty when any element is unknown.
std::string NormalizeModels(std::string_view list) {
  std::string out;
  while (true) {
    size_t comma = list.find(',');
    std::string_view m = list.substr(0, comma);
    while (!m.empty() && m.front() == ' ') m.remove_prefix(1);
    while (!m.empty() && m.back() == ' ') m.remove_suffix(1);
    if (!IsKnownModel(m)) return "";
    if (!out.empty()) out += ",";
    out += m;
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

// Stores the call's artifact (its body, or the file the listener streamed it into) as
// "<artifact_dir>/<sha>", durably.
Result<void, ApiError> KeepArtifact(const OpContext& ctx, const std::string& sha) {
  const std::string& dir = ctx.services.artifact_dir;
  Result<void, std::string> kept;
  if (!ctx.body_file.empty()) {
    kept = InstallArtifactFile(dir, std::string(ctx.body_file), sha, ctx.body_file_size);
  } else if (auto stored = StoreArtifact(dir, ctx.body); !stored) {
    kept = MakeUnexpected(std::move(stored).error());
  }
  if (kept) return {};
  LogError("PublishVersion: " + kept.error());
  return MakeUnexpected(ApiError(ApiErrorId::kInternalError));
}

constexpr size_t kMaxVersionCode = 32;
constexpr size_t kMaxVersionName = 128;

}  // namespace

namespace {

OpResult PublishVersion(OpContext& ctx) {
  const Params& p = ctx.params;
  store::VersionRecord v;
  v.version_type = NormalizeVersionType(p.Get("VersionType"));
  if (v.version_type.empty() || !p.Has("VersionType")) {
    return MakeUnexpected(ApiError::InvalidParameter("VersionType"));
  }
  v.version_code = p.Get("VersionCode");
  if (v.version_code.size() > kMaxVersionCode || !CompareVersions(v.version_code, "0")) {
    return MakeUnexpected(ApiError::InvalidParameter("VersionCode"));
  }
  v.version_name = p.Has("VersionName") ? p.Get("VersionName") : v.version_code;
  if (v.version_name.empty() || v.version_name.size() > kMaxVersionName) {
    return MakeUnexpected(ApiError::InvalidParameter("VersionName"));
  }
  v.release_type = p.Has("ReleaseType") ? p.Get("ReleaseType") : "release";
  if (v.release_type != "release" && v.release_type != "beta") {
    return MakeUnexpected(ApiError::InvalidParameter("ReleaseType"));
  }
  v.hardware_models = NormalizeModels(p.Get("HardwareModels"));
  if (v.hardware_models.empty()) {
    return MakeUnexpected(ApiError::InvalidParameter("HardwareModels"));
  }
  if (p.Has("MinDeviceVersion")) {
    v.min_device_version = p.Get("MinDeviceVersion");
    if (v.version_type != store::kVersionTypeDpi || !CompareVersions(v.min_device_version, "0")) {
      return MakeUnexpected(ApiError::InvalidParameter("MinDeviceVersion"));
    }
  }
  // The artifact is the request body (in memory, or streamed to a file by the listener), which
  // only signature V3 covers (it hashes the body).
  const bool in_file = !ctx.body_file.empty();
  const uint64_t size = in_file ? ctx.body_file_size : ctx.body.size();
  if (size == 0) return MakeUnexpected(ApiError::MissingParameter("Artifact"));
  if (!ctx.body_signed) return MakeUnexpected(ApiError::InvalidParameter("Artifact"));
  const std::string sha = in_file ? std::string(ctx.body_file_sha256) : Sha256Hex(ctx.body);
  if (p.Has("ArtifactSha256") && AsciiLower(p.Get("ArtifactSha256")) != sha) {
    return MakeUnexpected(ApiError::InvalidParameter("ArtifactSha256"));
  }
  if (auto existing = ctx.store().GetVersion(v.version_type, v.version_code); existing) {
    // The same artifact published again (e.g. through another node, which keeps its own copy of
    // the artifacts, docs/deployment.md): keep the file here and answer the version as it is.
    if (existing->sha256 != sha) {
      return MakeUnexpected(ApiError(ApiErrorId::kEntityAlreadyExists, {"version"}));
    }
    RETURN_IF_ERROR(KeepArtifact(ctx, sha));
    return boost::json::object{{"Version", OperatorVersionJson(*existing)}};
  }
  RETURN_IF_ERROR(KeepArtifact(ctx, sha));
  v.sha256 = sha;
  v.size = static_cast<int64_t>(size);
  v.create_ms = ctx.now_ms();
  if (auto r = ctx.store().PublishVersion(v); !r) {
    return MakeUnexpected(EntityError(r.error(), "version"));
  }
  return boost::json::object{{"Version", OperatorVersionJson(v)}};
}

}  // namespace

namespace {

OpResult ListVersions(OpContext& ctx) {
  std::vector<std::string> types;
  if (ctx.params.Has("VersionType")) {
    std::string t = NormalizeVersionType(ctx.params.Get("VersionType"));
    if (t.empty()) return MakeUnexpected(ApiError::InvalidParameter("VersionType"));
    types.push_back(t);
  } else {
    types = {std::string(store::kVersionTypeDevice), std::string(store::kVersionTypeDpi)};
  }
  boost::json::array items;
  for (const auto& t : types) {
    auto r = ctx.store().ListVersions(t);
    if (!r) return MakeUnexpected(StoreFailure(r.error()));
    for (const auto& v : *r) items.push_back(OperatorVersionJson(v));
  }
  return boost::json::object{{"Versions", boost::json::object{{"Version", std::move(items)}}}};
}

}  // namespace

namespace {

OpResult WithdrawVersion(OpContext& ctx) {
  std::string t = NormalizeVersionType(ctx.params.Get("VersionType"));
  if (t.empty()) return MakeUnexpected(ApiError::InvalidParameter("VersionType"));
  if (auto r = ctx.store().WithdrawVersion(t, ctx.params.Get("VersionCode"), ctx.now_ms()); !r) {
    return MakeUnexpected(EntityError(r.error(), "version"));
  }
  return boost::json::object{};
}

}  // namespace

namespace {

OpResult ListUpgrades(OpContext& ctx) {
  store::UpgradeFilter filter;
  filter.serial_number = ctx.params.Get("SerialNumber");
  filter.instance_id = ctx.params.Get("SmartAGId");
  std::string active = ctx.params.Get("ActiveOnly");
  if (!active.empty() && active != "true" && active != "false") {
    return MakeUnexpected(ApiError::InvalidParameter("ActiveOnly"));
  }
  filter.active_only = active == "true";
  filter.limit = 100;
  if (ctx.params.Has("MaxResults")) {
    try {
      filter.limit = std::stoll(ctx.params.Get("MaxResults"));
    } catch (...) {
      filter.limit = 0;
    }
    if (filter.limit < 1 || filter.limit > 10000) {
      return MakeUnexpected(ApiError::InvalidParameter("MaxResults"));
    }
  }
  auto r = ctx.store().ListUpgrades(filter);
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  boost::json::array items;
  for (const auto& u : *r) items.push_back(UpgradeJson(u));
  return boost::json::object{{"Upgrades", boost::json::object{{"Upgrade", std::move(items)}}}};
}

}  // namespace

namespace {

OpResult RolloutVersion(OpContext& ctx) {
  const std::string type = NormalizeVersionType(ctx.params.Get("VersionType"));
  if (type.empty()) return MakeUnexpected(ApiError::InvalidParameter("VersionType"));
  auto version = ctx.store().GetVersion(type, ctx.params.Get("VersionCode"));
  if (!version) {
    if (version.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kVersionNotExist));
    }
    return MakeUnexpected(StoreFailure(version.error()));
  }
  if (version->withdrawn) return MakeUnexpected(ApiError(ApiErrorId::kVersionNotExist));
  UpgradeEnv env{.store = ctx.store(),
                 .devices = ctx.services.devices,
                 .clock = ctx.services.clock,
                 .artifact_token_key = ctx.services.artifact_token_key,
                 .upgrade_timeout_ms = ctx.services.upgrade_timeout_ms};
  int64_t started = 0, skipped = 0;
  constexpr int64_t kBatch = 500;
  for (int64_t offset = 0;; offset += kBatch) {
    auto devices = ctx.store().ListDevices(offset, kBatch);
    if (!devices) return MakeUnexpected(StoreFailure(devices.error()));
    for (const store::DeviceRecord& d : *devices) {
      if (d.retired || !FitsModel(*version, d.hardware_model)) continue;
      const std::string& running =
          type == store::kVersionTypeDpi ? d.dpi_version : d.firmware_version;
      auto newer = CompareVersions(version->version_code, running);
      bool eligible = DeviceOnline(ctx, d.serial_number) && newer && *newer > 0;
      if (eligible && !version->min_device_version.empty()) {
        auto fits = CompareVersions(d.firmware_version, version->min_device_version);
        eligible = fits && *fits >= 0;
      }
      if (!eligible) {
        ++skipped;
        continue;
      }
      store::UpgradeRecord u;
      u.id = NewResourceId("up");
      u.serial_number = d.serial_number;
      u.account_id = d.account_id;
      u.instance_id = d.instance_id;
      u.version_type = type;
      u.version_code = version->version_code;
      u.from_version = running;
      u.sha256 = version->sha256;
      u.state = store::UpgradeState::kQueued;
      u.create_ms = ctx.now_ms();
      u.update_ms = u.create_ms;
      if (auto r = ctx.store().CreateUpgrades({u}); !r) {
        if (r.error().code != store::StoreErrorCode::kAlreadyExists) {
          return MakeUnexpected(StoreFailure(r.error()));
        }
        ++skipped;  // an upgrade is in flight already
        continue;
      }
      if (auto r = DispatchUpgrade(env, u); !r) return MakeUnexpected(StoreFailure(r.error()));
      ++started;
    }
    if (static_cast<int64_t>(devices->size()) < kBatch) break;
  }
  return boost::json::object{{"Started", started}, {"Skipped", skipped}};
}

}  // namespace

extern const OpSpec kPublishVersionSpec{
    .action = "PublishVersion",
    .handler = &PublishVersion,
    .required = {{"VersionType"}, {"VersionCode"}, {"HardwareModels"}},
    .operator_only = true};

extern const OpSpec kListVersionsSpec{
    .action = "ListVersions", .handler = &ListVersions, .operator_only = true};

extern const OpSpec kWithdrawVersionSpec{.action = "WithdrawVersion",
                                         .handler = &WithdrawVersion,
                                         .required = {{"VersionType"}, {"VersionCode"}},
                                         .operator_only = true};

extern const OpSpec kListUpgradesSpec{
    .action = "ListUpgrades", .handler = &ListUpgrades, .operator_only = true};

extern const OpSpec kRolloutVersionSpec{.action = "RolloutVersion",
                                        .handler = &RolloutVersion,
                                        .required = {{"VersionType"}, {"VersionCode"}},
                                        .operator_only = true};

}  // namespace sag::ops
