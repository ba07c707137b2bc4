// Configuration facets: device facets whose value is computed from the configuration of the
// instance a device is bound to (its ACL's rule set, its QoS policy, its NAT entries, its flow
// log, ...), not set by one call. docs/device-protocol.md gives each facet's value schema.
//
// The mechanism, shared by every such facet: after a change commits, RefreshConfigFacet computes
// the facet's value for every device bound to the affected instances from one consistent read,
// makes it the device's desired value under a new generation when it differs from the current one
// (store::SetConfigFacets), and pushes it to the devices that are online; the device confirms with
// `applied`, and a device that is offline gets it after its next hello (the device session sends
// every unconfirmed facet then).
//
// Decisions (docs/semantics.md "Configuration facets"):
//   - A configuration change supersedes an unconfirmed one: there is no require_synchronized
//     check; the device is always sent the newest value, never an intermediate one it may not have
//     confirmed.
//   - Whatever order concurrent changes of one account commit and compute in, every device ends on
//     the value computed from the latest change (each value carries the account's configuration
//     revision it was computed at; a value computed at an older revision than the stored one is
//     dropped).
//   - The API call does not wait for devices: it succeeds once the change is stored; the devices'
//     confirmations show in DescribeSAGDeviceInfo.SynStatus and the operator's ListDeviceStates.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"
#include "common/result.h"
#include "ops/op.h"
#include "store/store.h"

namespace sag::ops {

// Values of one facet computed from one consistent read.
struct ComputedConfigFacet {
  int64_t revision = 0;  // the account's configuration revision the read saw
  std::vector<store::ConfigFacetValue> values;
};

// One kind of configuration facet.
struct ConfigFacetKind {
  std::string_view facet;        // the facet name on the device channel
  std::string_view empty_value;  // the value of a device with nothing configured (JSON text)
  // Reads, in one consistent read, what the facet of the account's instances is computed from and
  // renders the value for every device bound to them (instances that do not exist are left out).
  store::StoreResult<ComputedConfigFacet> (*compute)(store::Store& store,
                                                     std::string_view account_id,
                                                     const std::vector<std::string>& instance_ids);
};

// Recomputes kind's facet for every device bound to instance_ids (of account_id), stores the
// values that changed as new desired generations and pushes them to the online devices. Returns
// the devices that got a new generation. An error means nothing was delivered (the change that
// called it is committed regardless; the next change of the same instances delivers it).
Result<std::vector<store::ConfigFacetChange>, ApiError> RefreshConfigFacet(
    OpServices& services, const ConfigFacetKind& kind, std::string_view account_id,
    const std::vector<std::string>& instance_ids);

// Every configuration facet kind sagd knows, for callers that change what all of them depend on
// (binding a device to an instance).
const std::vector<const ConfigFacetKind*>& AllConfigFacetKinds();

// RefreshConfigFacet for every kind; failures are logged, not returned (for callers whose own
// change must succeed regardless).
void RefreshAllConfigFacets(OpServices& services, std::string_view account_id,
                            const std::vector<std::string>& instance_ids);

}  // namespace sag::ops
