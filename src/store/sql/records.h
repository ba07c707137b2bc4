// Reads of instances, devices and CCNs shared by several SqlStore files, with the row locks their
// writers take (locks render to nothing on SQLite, see statement.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql/connection.h"
#include "store/store.h"

namespace sag::store::sql {

class Where;

// The columns of InstanceRecord (without serial_numbers), in the order ReadInstance reads them.
inline constexpr std::string_view kInstanceColumns =
    "id, account_id, region_id, name, description, status, instance_type, hardware_spec, ha_type, "
    "max_bandwidth, cidr_block, routing_strategy, security_lock_threshold, position, "
    "enable_software_connection_audit, charge_type, period_months, order_id, resource_group_id, "
    "ccn_id, user_count, data_plan, create_ms, end_ms, up_bandwidth_wan, up_bandwidth_4g";
InstanceRecord ReadInstance(const Rows& rows, int row);

// Devices (d) with their binding (b) and its instance (i), if any.
inline constexpr std::string_view kDeviceFrom =
    "FROM devices d LEFT JOIN device_bindings b ON b.serial_number = d.serial_number "
    "LEFT JOIN instances i ON i.id = b.instance_id";

// CCN columns of ccns c, with the number of instances bound (instances whose ccn_id is the CCN's
// id: the CCN's account's, and other accounts' bound through a grant).
inline constexpr std::string_view kCcnColumns =
    "c.id, c.account_id, c.region_id, c.name, c.description, c.cidr_block, c.is_default, "
    "c.interworking_status, c.create_ms, "
    "(SELECT count(*) FROM instances i WHERE i.ccn_id = c.id)";

// The instance (account, region, id) with its serial numbers in bind order; an empty region
// matches any region. kNotFound when missing. Callers that need the two reads consistent run this
// in a kRead or kWrite transaction (on PostgreSQL after LockInstance).
StoreResult<InstanceRecord> FindInstance(Connection& conn, std::string_view account_id,
                                         std::string_view region_id, std::string_view instance_id);
// Locks the instance (account, region, id) FOR UPDATE until the transaction ends; false when there
// is no such instance. Every change of an instance's devices, CCN or client users takes this lock
// first, so checks made after it stay true until commit.
StoreResult<bool> LockInstance(Connection& conn, std::string_view account_id,
                               std::string_view region_id, std::string_view instance_id);
// The serial numbers bound to the instance, in bind order.
StoreResult<std::vector<std::string>> BoundSerialNumbers(Connection& conn,
                                                         std::string_view instance_id);

// The device with its binding; nullopt when missing.
StoreResult<std::optional<DeviceRecord>> FindDevice(Connection& conn,
                                                    std::string_view serial_number);

// A page of the device inventory, by create_ms then serial number.
StoreResult<std::vector<DeviceRecord>> ListDeviceRows(Connection& conn, int64_t offset,
                                                      int64_t limit);

// The CCN (account, region, id) with its instance count; an empty region matches any region.
StoreResult<CcnRecord> FindCcn(Connection& conn, std::string_view account_id,
                               std::string_view region_id, std::string_view ccn_id);

// A page of the CCNs of ccns c matching where, ordered by creation time then id.
StoreResult<std::vector<CcnRecord>> ListCcnRows(Connection& conn, const Where& where, int64_t limit,
                                                int64_t offset);

}  // namespace sag::store::sql
