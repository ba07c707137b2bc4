// Configuration facets: device facets whose desired value is computed from an instance's
// configuration (its ACL, its QoS policy, its NAT entries, ...) rather than set by one call. The
// part of the store that makes such a value the desired value of a device, so that whatever order
// concurrent changes commit and compute in, every device ends on the value of the latest change.
// Store inherits it.
//
// How the order is kept: every account has a configuration revision, a counter that each
// transaction changing what a configuration facet is computed from raises first (it also runs the
// account's configuration changes one at a time; see store/sql/config_revision.h). A facet's value
// is computed from one consistent read that includes the revision it saw, and SetConfigFacets
// stores it only when no value computed at a later revision was stored before.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Included by store/store.h after StoreResult is defined: include store/store.h, not this file.

namespace sag::store {

// The new value of a configuration facet for one device, computed from the configuration of the
// instance the device is bound to.
struct ConfigFacetValue {
  std::string instance_id;
  std::string serial_number;
  std::string value;  // JSON text, as the device receives it
};

// Values of one facet for several devices, all computed from one read at revision.
struct ConfigFacetUpdate {
  std::string facet;
  // What a device that was never given a value of the facet has: nothing configured. Such a device
  // gets a desired value (a new generation) only when its computed value differs from this.
  std::string empty_value;
  int64_t revision = 0;  // the account's configuration revision the values were computed at
  std::vector<ConfigFacetValue> values;
  int64_t now_ms = 0;
};

// A device whose facet got a new desired generation from SetConfigFacets.
struct ConfigFacetChange {
  std::string serial_number;
  int64_t generation = 0;
  std::string value;
};

class ConfigFacetStore {
 public:
  virtual ~ConfigFacetStore() = default;

  // In one transaction, for each value in order (the rule is store/config_decisions.h
  // DecideConfigFacet): a device that is missing or no longer bound to value.instance_id is
  // skipped; so is one whose desired value was computed for that instance at update.revision or
  // later (a newer computation was stored first). Otherwise, when the value differs from the
  // facet's desired value (empty_value for a device without one) it becomes the desired value
  // under a new generation, max(desired, applied, result) + 1 as SetDesiredFacet gives, and the
  // device is returned; when it is equal, only the revision is recorded (no new generation, nothing
  // to deliver). Returns the devices given a new generation, in the order of update.values.
  virtual StoreResult<std::vector<ConfigFacetChange>> SetConfigFacets(
      const ConfigFacetUpdate& update) = 0;
};

}  // namespace sag::store
