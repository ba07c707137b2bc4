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

// The version as an element of SmartAGVersions.SmartAGVersion[] (reference §2).
boost::json::object SmartAgVersionJson(const store::VersionRecord& version);

// The version as the operator API shows it (every field, Status Published|Withdrawn).
boost::json::object OperatorVersionJson(const store::VersionRecord& version);

// The upgrade as the operator API shows it.
boost::json::object UpgradeJson(const store::UpgradeRecord& upgrade);

}  // namespace sag::ops
