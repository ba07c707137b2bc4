#include "store/sql/records.h"

#include "store/sql/queries.h"

namespace sag::store::sql {

namespace {

DeviceRecord ReadDevice(const Rows& s, int row) {
  DeviceRecord d;
  d.serial_number = s.Text(row, 0);
  d.hardware_model = s.Text(row, 1);
  d.sealed_secret = s.Text(row, 2);
  d.retired = s.Bool(row, 3);
  d.create_ms = s.Int(row, 4);
  d.account_id = s.Text(row, 5);
  d.instance_id = s.Text(row, 6);
  d.bound_ms = s.Int(row, 7);
  d.firmware_version = s.Text(row, 8);
  d.dpi_version = s.Text(row, 9);
  d.boot_ms = s.Int(row, 10);
  d.last_connected_ms = s.Int(row, 11);
  d.last_offline_ms = s.Int(row, 12);
  d.offline_reason = s.Text(row, 13);
  d.secret_generated = s.Bool(row, 14);
  d.secret_ms = s.Int(row, 15);
  return d;
}

CcnRecord ReadCcn(const Rows& s, int row) {
  CcnRecord c;
  c.id = s.Text(row, 0);
  c.account_id = s.Text(row, 1);
  c.region_id = s.Text(row, 2);
  c.name = s.Text(row, 3);
  c.description = s.Text(row, 4);
  c.cidr_block = s.Text(row, 5);
  c.is_default = s.Bool(row, 6);
  c.interworking_status = s.Text(row, 7);
  c.create_ms = s.Int(row, 8);
  c.instance_count = s.Int(row, 9);
  return c;
}

}  // namespace

InstanceRecord ReadInstance(const Rows& s, int row) {
  InstanceRecord r;
  int i = 0;
  r.id = s.Text(row, i++);
  r.account_id = s.Text(row, i++);
  r.region_id = s.Text(row, i++);
  r.name = s.Text(row, i++);
  r.description = s.Text(row, i++);
  r.status = InstanceStatusFromColumn(s.View(row, i++));
  r.instance_type = s.Text(row, i++);
  r.hardware_spec = s.Text(row, i++);
  r.ha_type = HaTypeFromColumn(s.View(row, i++));
  r.max_bandwidth = s.Int(row, i++);
  r.cidr_block = s.Text(row, i++);
  r.routing_strategy = s.Text(row, i++);
  r.security_lock_threshold = s.Int(row, i++);
  r.position = s.Text(row, i++);
  r.enable_software_connection_audit = s.Bool(row, i++);
  r.charge_type = s.Text(row, i++);
  r.period_months = s.Int(row, i++);
  r.order_id = s.Text(row, i++);
  r.resource_group_id = s.Text(row, i++);
  r.ccn_id = s.Text(row, i++);
  r.user_count = s.Int(row, i++);
  r.data_plan = s.Int(row, i++);
  r.create_ms = s.Int(row, i++);
  r.end_ms = s.Int(row, i++);
  r.up_bandwidth_wan = s.Int(row, i++);
  r.up_bandwidth_4g = s.Int(row, i++);
  return r;
}

StoreResult<std::vector<std::string>> BoundSerialNumbers(Connection& conn,
                                                         std::string_view instance_id) {
  static const Statement kSerials(
      "SELECT serial_number FROM device_bindings WHERE instance_id = $1 ORDER BY bind_seq");
  ASSIGN_OR_RETURN(Rows rows, conn.Run(kSerials, {instance_id}));
  std::vector<std::string> sns;
  sns.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) sns.push_back(rows.Text(i, 0));
  return sns;
}

StoreResult<InstanceRecord> FindInstance(Connection& conn, std::string_view account_id,
                                         std::string_view region_id, std::string_view instance_id) {
  static const Statement kFind("SELECT " + std::string(kInstanceColumns) +
                               " FROM instances WHERE id = $1 AND account_id = $2 "
                               "AND ($3 = '' OR region_id = $3)");
  ASSIGN_OR_RETURN(InstanceRecord r, GetOne(conn, kFind, {instance_id, account_id, region_id},
                                            &ReadInstance, "instance"));
  ASSIGN_OR_RETURN(r.serial_numbers, BoundSerialNumbers(conn, r.id));
  return r;
}

StoreResult<bool> LockInstance(Connection& conn, std::string_view account_id,
                               std::string_view region_id, std::string_view instance_id) {
  static const Statement kLock(
      "SELECT 1 FROM instances WHERE id = $1 AND account_id = $2 "
      "AND ($3 = '' OR region_id = $3) FOR UPDATE");
  return RowExists(conn, kLock, {instance_id, account_id, region_id});
}

StoreResult<std::optional<DeviceRecord>> FindDevice(Connection& conn,
                                                    std::string_view serial_number) {
  static const Statement kFind(
      "SELECT d.serial_number, d.hardware_model, d.sealed_secret, d.retired, d.create_ms, "
      "coalesce(i.account_id, ''), coalesce(b.instance_id, ''), coalesce(b.bound_ms, 0), "
      "d.firmware_version, d.dpi_version, d.boot_ms, d.last_connected_ms, d.last_offline_ms, "
      "d.offline_reason, d.secret_generated, d.secret_ms " +
      std::string(kDeviceFrom) + " WHERE d.serial_number = $1");
  return FindOne(conn, kFind, {serial_number}, &ReadDevice);
}

StoreResult<std::vector<DeviceRecord>> ListDeviceRows(Connection& conn, int64_t offset,
                                                      int64_t limit) {
  static const Statement kList(
      "SELECT d.serial_number, d.hardware_model, d.sealed_secret, d.retired, d.create_ms, "
      "coalesce(i.account_id, ''), coalesce(b.instance_id, ''), coalesce(b.bound_ms, 0), "
      "d.firmware_version, d.dpi_version, d.boot_ms, d.last_connected_ms, d.last_offline_ms, "
      "d.offline_reason, d.secret_generated, d.secret_ms " +
      std::string(kDeviceFrom) + " ORDER BY d.create_ms, d.serial_number LIMIT $1 OFFSET $2");
  return ListAll(conn, kList, {limit, offset}, &ReadDevice);
}

StoreResult<CcnRecord> FindCcn(Connection& conn, std::string_view account_id,
                               std::string_view region_id, std::string_view ccn_id) {
  static const Statement kFind("SELECT " + std::string(kCcnColumns) +
                               " FROM ccns c WHERE c.id = $1 AND c.account_id = $2 "
                               "AND ($3 = '' OR c.region_id = $3)");
  return GetOne(conn, kFind, {ccn_id, account_id, region_id}, &ReadCcn, "CCN");
}

StoreResult<std::vector<CcnRecord>> ListCcnRows(Connection& conn, const Where& where, int64_t limit,
                                                int64_t offset) {
  Where page = where;
  const std::string limit_at = page.Next(limit);
  const std::string offset_at = page.Next(offset);
  ASSIGN_OR_RETURN(Rows rows, conn.RunOnce("SELECT " + std::string(kCcnColumns) + " FROM ccns c" +
                                               page.text() + " ORDER BY c.create_ms, c.id LIMIT " +
                                               limit_at + " OFFSET " + offset_at,
                                           page.values()));
  std::vector<CcnRecord> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(ReadCcn(rows, i));
  return out;
}

}  // namespace sag::store::sql
