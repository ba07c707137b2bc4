// What DescribeDeviceAutoUpgradePolicy and ModifyDeviceAutoUpgradePolicy share: finding the
// policy a call is about.
#pragma once

#include "ops/op.h"
#include "store/store.h"

namespace sag::ops {

// The policy in effect for the call's SmartAGId, SerialNumber and VersionType (default Device):
// SAG.InstanceNoFound for an unknown instance, SAG.InvalidSerialNumber when the serial number is
// not a device of the instance, InvalidParameter for an unknown VersionType.
Result<store::UpgradePolicyRecord, ApiError> LoadDevicePolicy(const OpContext& ctx);

}  // namespace sag::ops
