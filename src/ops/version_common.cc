#include "ops/version_common.h"

#include "common/ids.h"
#include "common/time_format.h"
#include "ops/version.h"

namespace sag::ops {

std::string NormalizeVersionType(std::string_view text) {
  if (text.empty() || text == store::kVersionTypeDevice)
    return std::string(store::kVersionTypeDevice);
  if (text == store::kVersionTypeDpi) return std::string(store::kVersionTypeDpi);
  return "";
}

bool FitsModel(const store::VersionRecord& version, std::string_view model) {
  std::string_view list = version.hardware_models;
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (list.substr(0, comma) == model) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool InstallableOn(const store::VersionRecord& v, const store::DeviceRecord& d) {
  if (v.withdrawn || !FitsModel(v, d.hardware_model)) return false;
  const std::string& running =
      v.version_type == store::kVersionTypeDpi ? d.dpi_version : d.firmware_version;
  auto newer = CompareVersions(v.version_code, running);
  if (newer && *newer <= 0) return false;
  if (!v.min_device_version.empty()) {
    auto fits = CompareVersions(d.firmware_version, v.min_device_version);
    if (!fits || *fits < 0) return false;
  }
  return true;
}

store::UpgradeRecord NewUpgrade(const store::InstanceRecord& in, const store::DeviceRecord& d,
                                const store::VersionRecord& v, std::string after_upgrade_id,
                                int64_t now_ms) {
  store::UpgradeRecord u;
  u.id = NewResourceId("up");
  u.serial_number = d.serial_number;
  u.account_id = in.account_id;
  u.instance_id = in.id;
  u.version_type = v.version_type;
  u.version_code = v.version_code;
  u.from_version = v.version_type == store::kVersionTypeDpi ? d.dpi_version : d.firmware_version;
  u.sha256 = v.sha256;
  u.state = store::UpgradeState::kQueued;
  u.after_upgrade_id = std::move(after_upgrade_id);
  u.create_ms = now_ms;
  u.update_ms = now_ms;
  return u;
}

boost::json::object SmartAgVersionJson(const store::VersionRecord& v) {
  return boost::json::object{{"Type", v.release_type},
                             {"CreateTime", v.create_ms},
                             {"VersionName", v.version_name},
                             {"VersionCode", v.version_code}};
}

boost::json::object OperatorVersionJson(const store::VersionRecord& v) {
  boost::json::object o{{"VersionType", v.version_type},
                        {"VersionCode", v.version_code},
                        {"VersionName", v.version_name},
                        {"ReleaseType", v.release_type},
                        {"HardwareModels", v.hardware_models},
                        {"Sha256", v.sha256},
                        {"Size", v.size},
                        {"CreateTime", v.create_ms},
                        {"Status", v.withdrawn ? "Withdrawn" : "Published"}};
  if (v.version_type == store::kVersionTypeDpi) o["MinDeviceVersion"] = v.min_device_version;
  return o;
}

boost::json::object UpgradeJson(const store::UpgradeRecord& u) {
  return boost::json::object{{"UpgradeId", u.id},
                             {"SerialNumber", u.serial_number},
                             {"SmartAGId", u.instance_id},
                             {"VersionType", u.version_type},
                             {"VersionCode", u.version_code},
                             {"FromVersion", u.from_version},
                             {"State", store::WireName(u.state)},
                             {"Detail", u.detail},
                             {"Generation", u.generation},
                             {"BytesDone", u.bytes_done},
                             {"AfterUpgradeId", u.after_upgrade_id},
                             {"CreateTime", u.create_ms},
                             {"UpdateTime", u.update_ms},
                             {"Deadline", u.deadline_ms}};
}

}  // namespace sag::ops
