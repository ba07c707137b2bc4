// What the instance operations share: loading an instance with the operation's own not-found code,
// store-error mapping, state checks, and the two wire views of an instance.
#pragma once

#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/api_error.h"
#include "common/result.h"
#include "ops/op.h"
#include "ops/store_errors.h"
#include "store/store.h"

namespace sag::ops {

// Loads the caller's instance id in the call's region. A missing instance, another account's
// instance and an instance in another region all yield not_found.
Result<store::InstanceRecord, ApiError> LoadInstance(const OpContext& ctx, std::string_view id,
                                                     ApiErrorId not_found);

// The account's default resource group id ("rg-acfm..."), stable per account.
std::string DefaultResourceGroup(const std::string& account_id);

// True when a device of the instance has a change pushed and not yet answered (desired generation
// above applied, and no failure reported for it): an operation in flight (docs/semantics.md,
// ResourceInOperating).
Result<bool, ApiError> HasChangeInFlight(const OpContext& ctx, const store::InstanceRecord& in);

// True once the instance's EndTime has passed on the business clock.
bool InArrears(const store::InstanceRecord& instance, int64_t now_ms);

// The instance's bound devices, in bind order (a device that cannot be read is a record with only
// its serial number), for the versions the views show.
std::vector<store::DeviceRecord> DevicesOf(const OpContext& ctx,
                                           const store::InstanceRecord& instance);

// The instance as one element of DescribeSmartAccessGateways' SmartAccessGateway[] list;
// ccn_name is the name of its CCN ("" when none); devices from DevicesOf.
boost::json::object InstanceListItem(const store::InstanceRecord& instance, int64_t now_ms,
                                     const std::string& ccn_name,
                                     const std::vector<store::DeviceRecord>& devices = {});
// The device secret the account of the device's instance may read (Devices.Device[].SecretKey):
// the one sagd generated for an open-registry device; "" for a secret the operator gave (or one
// that cannot be opened).
std::string ReadableSecretKey(const OpContext& ctx, const store::DeviceRecord& device);

// The instance as the DescribeSmartAccessGatewayAttribute body (without RequestId); secret_keys
// are the devices' ReadableSecretKey, in the order of devices.
boost::json::object InstanceAttribute(const store::InstanceRecord& instance, int64_t now_ms,
                                      const std::string& ccn_name,
                                      const std::vector<store::DeviceRecord>& devices = {},
                                      const std::vector<std::string>& secret_keys = {});
// The name of the instance's CCN, or "" when it has none (or it cannot be read).
std::string CcnNameOf(const OpContext& ctx, const store::InstanceRecord& instance);

// True for a purchase period the reference allows: 1-9, 12, 24 or 36 months.
bool IsValidPeriod(int64_t months);
// epoch_ms plus a number of calendar months (day clamped to the end of a shorter month): the
// EndTime of an instance bought for that period.
int64_t AddMonths(int64_t epoch_ms, int64_t months);

}  // namespace sag::ops
