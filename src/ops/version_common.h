// What the version operations share: the catalogue entries a device model may install, and the
// wire views of versions and upgrades.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "store/store.h"

namespace sag::ops {

// The VersionType parameter: "" -> "Device"; Device and Dpi (case as documented) are kept; any
// other value yields "".
std::string NormalizeVersionType(std::string_view text);

// True when the comma-separated hardware_models list names model.
bool FitsModel(const store::VersionRecord& version, std::string_view model);

// True when device may upgrade to version now: not withdrawn, for its hardware model, newer than
// what it runs of that type, and (Dpi) its Device version at least the version's minimum.
bool InstallableOn(const store::VersionRecord& version, const store::DeviceRecord& device);

// A new Queued upgrade of device (bound to instance) to version, waiting for after_upgrade_id
// ("" = none).
store::UpgradeRecord NewUpgrade(const store::InstanceRecord& instance,
                                const store::DeviceRecord& device,
                                const store::VersionRecord& version, std::string after_upgrade_id,
                                int64_t now_ms);

// The version as an element of SmartAGVersions.SmartAGVersion[].
boost::json::object SmartAgVersionJson(const store::VersionRecord& version);

// The version as the operator API shows it (every field, Status Published|Withdrawn).
boost::json::object OperatorVersionJson(const store::VersionRecord& version);

// The upgrade as the operator API shows it.
boost::json::object UpgradeJson(const store::UpgradeRecord& upgrade);

}  // namespace sag::ops
