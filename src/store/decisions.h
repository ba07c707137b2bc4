// The decisions of the store's conditional methods, as pure functions over what the method read
// inside its transaction. The store reads the facts (locking what it must), calls the decision and
// writes what it says; the functions themselves touch no database, so each rule is written once and
// tested in tests/store/decisions_test.cc without one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/domain_states.h"

namespace sag::store {

enum class BindOutcome;
enum class ActivateOutcome;
enum class CcnBindOutcome;
enum class CcnUnbindOutcome;
struct DeviceFacetRecord;

// What BindSerialNumber decides on.
struct BindFacts {
  std::string instance_id;
  std::string hardware_spec;  // the instance's
  int64_t bound_devices = 0;  // devices bound to the instance now
  int64_t max_devices = 1;
  bool register_unknown = false;
  struct Device {
    bool retired = false;
    std::string hardware_model;
    std::string bound_instance_id;  // "" when unbound
  };
  std::optional<Device> device;  // nullopt: no such device
};

// The outcome of a bind with facts (the instance exists), checked in the order of BindOutcome:
// the device exists (or may be created: register_unknown) → not retired → its model is the
// instance's hardware_spec → not bound to another instance → not bound here → the instance has
// room. For an unknown device that may be registered, only the room is checked: kBound then means
// "create the device, then decide again on it".
BindOutcome DecideBind(const BindFacts& facts);

// ActivateInstance: kAlreadyActive when status is Active (checked before the devices), kNoDevice
// when none is bound, else kActivated.
ActivateOutcome DecideActivate(InstanceStatus status, int64_t bound_devices);

// BindInstanceToCcn on an instance bound to instance_ccn_id ("" = none), to ccn_id (which exists):
// kAlreadyBound, kBoundToOther, or kBound.
CcnBindOutcome DecideCcnBind(std::string_view instance_ccn_id, std::string_view ccn_id);
// UnbindInstanceFromCcn: kUnbound when the instance is bound to ccn_id, else kNotBound.
CcnUnbindOutcome DecideCcnUnbind(std::string_view instance_ccn_id, std::string_view ccn_id);

// True while the device has not confirmed the facet's latest desired value (a change is pending).
bool HasUnconfirmedChange(const DeviceFacetRecord& facet);
// The generation a new desired value of facet gets: max(desired, applied, result) + 1, so that the
// change is newer than every generation the device ever reported (applied, failed or reverted),
// even one the server does not otherwise remember.
int64_t NextDesiredGeneration(const DeviceFacetRecord& facet);
// The facet after the device reported result for generation: "ok" raises applied_generation to
// generation (never lowers it); every result replaces result_generation, last_result and
// last_detail.
void ApplyReport(int64_t generation, std::string_view result, std::string_view detail,
                 DeviceFacetRecord& facet);

}  // namespace sag::store
