// The persistent state of one simulated device: one JSON file per device in a state directory,
// replaced atomically, so that a restarted agent keeps its versions, generations and password
// hash. The device secret is never part of it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sag::device::agent {

// A firmware/dpi generation that ended without being applied.
struct EndedGeneration {
  int64_t generation = 0;
  std::string result;  // failed | reverted

  bool operator==(const EndedGeneration&) const = default;
};

// What a device remembers across restarts.
struct DeviceState {
  std::string serial_number;
  std::string model;
  std::string firmware;
  std::string dpi;
  int64_t boot_time_ms = 0;
  std::string admin_password_hash;         // "$argon2id$..." or empty; never logged
  std::string flow_log;                    // the flow_log facet's last value (JSON), "" when none
  std::map<std::string, int64_t> applied;  // facet -> last applied generation
  // facet -> the last firmware/dpi generation that failed or was reverted: answered again with
  // the same result if the server sends it again (an upgrade is never started over).
  std::map<std::string, EndedGeneration> unapplied;
  // An installed (or rolled back) firmware/dpi generation still to be reported after the next
  // welcome: facet, generation, result ("ok" | "reverted" | "failed") and detail. Empty facet:
  // none.
  std::string report_facet;
  int64_t report_generation = 0;
  std::string report_result;
  std::string report_detail;
  // Configuration facets (acl, ...) -> the value last applied, as JSON text: the rule set the
  // device enforces, kept across restarts.
  std::map<std::string, std::string> config;

  // The applied generation of facet, 0 when none.
  int64_t AppliedGeneration(std::string_view facet) const;

  bool operator==(const DeviceState&) const = default;
};

// Serializes state as one JSON object.
std::string DeviceStateToJson(const DeviceState& state);
// Parses DeviceStateToJson's output; an error names the problem.
Result<DeviceState, std::string> DeviceStateFromJson(std::string_view text);

// True when sn is safe as a file name: 1-64 characters of [A-Za-z0-9._-], not starting with '.'.
bool IsSafeSerialNumber(std::string_view sn);
// "<dir>/<sn>.json".
std::string StateFilePath(std::string_view dir, std::string_view sn);

// Reads a state file; nullopt when it does not exist, an error when it cannot be read or parsed.
Result<std::optional<DeviceState>, std::string> LoadDeviceState(const std::string& path);
// Writes the state atomically: a temporary file in the same directory, fsync, rename over path,
// then fsync of the directory. On error the previous file is untouched.
Result<void, std::string> SaveDeviceState(const std::string& path, const DeviceState& state);

}  // namespace sag::device::agent
