// SqlStore: instances, serial-number binding and activation.
//
// Binding: one row per bound device in device_bindings, whose primary key (the serial number)
// admits one binding per device whatever the callers do. Every bind, unbind and activation of an
// instance first locks the instance row, so the device count a decision reads stays true until
// commit on every node; the device row is share-locked, so a concurrent RetireDevice waits.
#include <algorithm>
#include <cctype>

#include "store/decisions.h"
#include "store/sql/queries.h"
#include "store/sql/records.h"
#include "store/sql/sql_store.h"

namespace sag::store {

namespace {

using sql::Connection;
using sql::Rows;
using sql::Statement;
using sql::Txn;
using sql::Value;

}  // namespace

StoreResult<void> SqlStore::CreateInstance(const InstanceRecord& r) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kInsert(
        "INSERT INTO instances (" + std::string(sql::kInstanceColumns) +
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
        "$18, $19, $20, $21, $22, $23, $24, $25, $26)");
    return sql::Exec(conn, kInsert,
                     {r.id,
                      r.account_id,
                      r.region_id,
                      r.name,
                      r.description,
                      WireName(r.status),
                      r.instance_type,
                      r.hardware_spec,
                      WireName(r.ha_type),
                      r.max_bandwidth,
                      r.cidr_block,
                      r.routing_strategy,
                      r.security_lock_threshold,
                      r.position,
                      Value::Bool(r.enable_software_connection_audit),
                      r.charge_type,
                      r.period_months,
                      r.order_id,
                      r.resource_group_id,
                      r.ccn_id,
                      r.user_count,
                      r.data_plan,
                      r.create_ms,
                      r.end_ms,
                      r.up_bandwidth_wan,
                      r.up_bandwidth_4g});
  });
}

StoreResult<InstanceRecord> SqlStore::GetInstance(std::string_view account_id,
                                                  std::string_view region_id,
                                                  std::string_view instance_id) {
  // The instance and its serial numbers from one snapshot.
  return Transact(Txn::kRead, [&](Connection& conn) {
    return sql::FindInstance(conn, account_id, region_id, instance_id);
  });
}

StoreResult<InstancePage> SqlStore::ListInstances(const InstanceFilter& filter) {
  sql::Where where("account_id = $?", filter.account_id);
  auto equals = [&](std::string_view condition, const std::string& value) {
    if (!value.empty()) where.And(condition, value);
  };
  equals("region_id = $?", filter.region_id);
  equals("name = $?", filter.name);
  if (filter.status) where.And("status = $?", WireName(*filter.status));  // static text
  equals("instance_type = $?", filter.instance_type);
  equals("hardware_spec = $?", filter.hardware_spec);
  equals("ccn_id = $?", filter.ccn_id);
  where.AndIn("id", filter.ids);
  equals("id IN (SELECT instance_id FROM device_bindings WHERE serial_number = $?)",
         filter.serial_number);
  if (filter.without_ccn) where.And("ccn_id = ''");
  equals("id IN (SELECT instance_id FROM acl_associations WHERE acl_id = $?)", filter.acl_id);
  for (const std::string& acl : filter.not_acl_ids) {
    where.And("id NOT IN (SELECT instance_id FROM acl_associations WHERE acl_id = $?)", acl);
  }
  if (filter.expired.has_value()) {
    where.And(
        *filter.expired ? "(end_ms > 0 AND end_ms <= $?)" : "NOT (end_ms > 0 AND end_ms <= $?)",
        filter.now_ms);
  }
  const int64_t offset = std::max<int64_t>(0, filter.offset);
  const int64_t limit = std::max<int64_t>(0, filter.limit);

  // Count, page and serial numbers from one snapshot, so they agree.
  return Transact(Txn::kRead, [&](Connection& conn) -> StoreResult<InstancePage> {
    InstancePage page;
    {
      ASSIGN_OR_RETURN(Rows count, conn.RunOnce("SELECT count(*) FROM instances" + where.text(),
                                                where.values()));
      page.total = count.empty() ? 0 : count.Int(0, 0);
    }
    if (limit > 0 && offset < page.total) {
      sql::Where paged = where;
      const std::string limit_at = paged.Next(limit);
      const std::string offset_at = paged.Next(offset);
      ASSIGN_OR_RETURN(Rows rows, conn.RunOnce("SELECT " + std::string(sql::kInstanceColumns) +
                                                   " FROM instances" + paged.text() +
                                                   " ORDER BY create_ms, id LIMIT " + limit_at +
                                                   " OFFSET " + offset_at,
                                               paged.values()));
      for (int i = 0; i < rows.size(); ++i) page.items.push_back(sql::ReadInstance(rows, i));
    }
    for (InstanceRecord& r : page.items) {
      ASSIGN_OR_RETURN(r.serial_numbers, sql::BoundSerialNumbers(conn, r.id));
    }
    return page;
  });
}

StoreResult<InstanceRecord> SqlStore::UpdateInstance(std::string_view account_id,
                                                     std::string_view region_id,
                                                     std::string_view instance_id,
                                                     const InstancePatch& patch) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<InstanceRecord> {
    ASSIGN_OR_RETURN(const bool found, sql::LockInstance(conn, account_id, region_id, instance_id));
    if (!found) return MakeUnexpected(sql::NotFound("instance"));
    ASSIGN_OR_RETURN(InstanceRecord r, sql::FindInstance(conn, account_id, region_id, instance_id));
    if (patch.name) r.name = *patch.name;
    if (patch.description) r.description = *patch.description;
    if (patch.status) r.status = *patch.status;
    if (patch.cidr_block) r.cidr_block = *patch.cidr_block;
    if (patch.routing_strategy) r.routing_strategy = *patch.routing_strategy;
    if (patch.security_lock_threshold) r.security_lock_threshold = *patch.security_lock_threshold;
    if (patch.position) r.position = *patch.position;
    if (patch.enable_software_connection_audit) {
      r.enable_software_connection_audit = *patch.enable_software_connection_audit;
    }
    if (patch.ccn_id) r.ccn_id = *patch.ccn_id;
    if (patch.end_ms) r.end_ms = *patch.end_ms;
    if (patch.max_bandwidth) r.max_bandwidth = *patch.max_bandwidth;
    if (patch.up_bandwidth_wan) r.up_bandwidth_wan = *patch.up_bandwidth_wan;
    if (patch.up_bandwidth_4g) r.up_bandwidth_4g = *patch.up_bandwidth_4g;
    if (patch.client_ips_within) {
      // Every client user keeps its ClientIp: the new block must still hold each one (creators
      // lock the instance row too, so none is created meanwhile).
      static const Statement kUsers("SELECT client_ip FROM client_users WHERE instance_id = $1");
      ASSIGN_OR_RETURN(Rows users, conn.Run(kUsers, {r.id}));
      for (int i = 0; i < users.size(); ++i) {
        if (!InClientIpRanges(*patch.client_ips_within, users.Int(i, 0))) {
          return MakeUnexpected(sql::Conflict("a client user's ClientIp is outside"));
        }
      }
    }
    static const Statement kUpdate(
        "UPDATE instances SET name = $2, description = $3, status = $4, cidr_block = $5, "
        "routing_strategy = $6, security_lock_threshold = $7, position = $8, "
        "enable_software_connection_audit = $9, ccn_id = $10, end_ms = $11, max_bandwidth = $12, "
        "up_bandwidth_wan = $13, up_bandwidth_4g = $14 WHERE id = $1");
    RETURN_IF_ERROR(sql::Exec(
        conn, kUpdate,
        {r.id, r.name, r.description, WireName(r.status), r.cidr_block, r.routing_strategy,
         r.security_lock_threshold, r.position, Value::Bool(r.enable_software_connection_audit),
         r.ccn_id, r.end_ms, r.max_bandwidth, r.up_bandwidth_wan, r.up_bandwidth_4g}));
    return r;
  });
}

StoreResult<void> SqlStore::DeleteInstance(std::string_view account_id, std::string_view region_id,
                                           std::string_view instance_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool found, sql::LockInstance(conn, account_id, region_id, instance_id));
    if (!found) return MakeUnexpected(sql::NotFound("instance"));
    // Release the devices: they stay in the inventory, unbound.
    static const Statement kUnbind("DELETE FROM device_bindings WHERE instance_id = $1");
    RETURN_IF_ERROR(sql::Exec(conn, kUnbind, {instance_id}));
    static const Statement kDelete("DELETE FROM instances WHERE id = $1");
    return sql::ChangeOne(conn, kDelete, {instance_id}, "instance");
  });
}

// Serial-number binding ---------------------------------------------------------------------------

StoreResult<BindOutcome> SqlStore::BindSerialNumber(const BindSerialNumberRequest& request) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<BindOutcome> {
    ASSIGN_OR_RETURN(
        const bool instance_found,
        sql::LockInstance(conn, request.account_id, request.region_id, request.instance_id));
    if (!instance_found) return BindOutcome::kInstanceNotFound;
    ASSIGN_OR_RETURN(
        const InstanceRecord instance,
        sql::FindInstance(conn, request.account_id, request.region_id, request.instance_id));
    BindFacts facts{.instance_id = instance.id,
                    .hardware_spec = instance.hardware_spec,
                    .bound_devices = static_cast<int64_t>(instance.serial_numbers.size()),
                    .max_devices = request.max_devices,
                    .register_unknown = request.register_unknown,
                    .device = std::nullopt};
    // Locked for update: RetireDevice cannot interleave, and the bind may replace the device's
    // generated secret; binders of the same device to other instances wait here in turn.
    static const Statement kLockDevice("SELECT 1 FROM devices WHERE serial_number = $1 FOR UPDATE");
    bool replace_secret = false;  // the device's secret is sagd's (or none): the bind sets it
    auto read_device = [&]() -> StoreResult<void> {
      ASSIGN_OR_RETURN(const bool exists,
                       sql::RowExists(conn, kLockDevice, {request.serial_number}));
      facts.device.reset();
      if (!exists) return {};
      ASSIGN_OR_RETURN(const std::optional<DeviceRecord> d,
                       sql::FindDevice(conn, request.serial_number));
      if (!d) return MakeUnexpected(StoreError{StoreErrorCode::kCorrupt, "locked device unread"});
      facts.device = BindFacts::Device{.retired = d->retired,
                                       .hardware_model = d->hardware_model,
                                       .bound_instance_id = d->instance_id};
      replace_secret = d->secret_generated || d->sealed_secret.empty();
      return {};
    };
    RETURN_IF_ERROR(read_device());
    if (!facts.device) {
      // An unknown device is created only when it would be bound (everything but kBound leaves
      // this transaction without effect); a concurrent creator may win the insert, and then the
      // device is decided on like any other.
      const BindOutcome outcome = DecideBind(facts);
      if (outcome != BindOutcome::kBound) return outcome;
      static const Statement kCreate(
          "INSERT INTO devices (serial_number, hardware_model, sealed_secret, retired, create_ms) "
          "VALUES ($1, $2, $3, FALSE, $4) ON CONFLICT (serial_number) DO NOTHING");
      RETURN_IF_ERROR(sql::Exec(
          conn, kCreate,
          {request.serial_number, instance.hardware_spec, Value::Bytes(""), request.now_ms}));
      RETURN_IF_ERROR(read_device());
      if (!facts.device) {  // created and deleted meanwhile: let the caller try again
        return MakeUnexpected(
            StoreError{StoreErrorCode::kUnavailable, "device vanished while being bound"});
      }
    }
    const BindOutcome outcome = DecideBind(facts);
    if (outcome != BindOutcome::kBound) return outcome;
    // The primary key on serial_number admits one binding of the device: a concurrent binder to
    // another instance that got there first makes this insert a unique violation (the instance
    // lock keeps (instance_id, bind_seq) free of races).
    static const Statement kBind(
        "INSERT INTO device_bindings (serial_number, instance_id, bind_seq, bound_ms) "
        "VALUES ($1, $2, (SELECT coalesce(max(bind_seq), 0) + 1 FROM device_bindings "
        "WHERE instance_id = $2), $3)");
    auto bound = sql::Exec(conn, kBind, {request.serial_number, instance.id, request.now_ms});
    if (!bound) {
      if (conn.last_failure() == sql::Failure::kUniqueViolation) {
        return BindOutcome::kBoundElsewhere;  // the failed statement changed nothing
      }
      return MakeUnexpected(std::move(bound).error());
    }
    if (!request.sealed_secret.empty() && replace_secret) {
      static const Statement kSecret(
          "UPDATE devices SET sealed_secret = $2, secret_generated = TRUE WHERE serial_number = "
          "$1");
      RETURN_IF_ERROR(
          sql::Exec(conn, kSecret, {request.serial_number, Value::Bytes(request.sealed_secret)}));
    }
    return BindOutcome::kBound;
  });
}

StoreResult<UnbindOutcome> SqlStore::UnbindSerialNumber(std::string_view account_id,
                                                        std::string_view region_id,
                                                        std::string_view instance_id,
                                                        std::string_view serial_number) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<UnbindOutcome> {
    // Locked like a bind, so that ActivateInstance's "a device is bound" holds until it commits.
    ASSIGN_OR_RETURN(const bool found, sql::LockInstance(conn, account_id, region_id, instance_id));
    if (!found) return UnbindOutcome::kInstanceNotFound;
    static const Statement kUnbind(
        "DELETE FROM device_bindings WHERE serial_number = $1 AND instance_id = $2");
    ASSIGN_OR_RETURN(Rows deleted, conn.Run(kUnbind, {serial_number, instance_id}));
    return deleted.affected() == 0 ? UnbindOutcome::kNotBoundHere : UnbindOutcome::kUnbound;
  });
}

StoreResult<ActivateOutcome> SqlStore::ActivateInstance(std::string_view account_id,
                                                        std::string_view region_id,
                                                        std::string_view instance_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<ActivateOutcome> {
    ASSIGN_OR_RETURN(const bool found, sql::LockInstance(conn, account_id, region_id, instance_id));
    if (!found) return ActivateOutcome::kInstanceNotFound;
    ASSIGN_OR_RETURN(const InstanceRecord instance,
                     sql::FindInstance(conn, account_id, region_id, instance_id));
    const ActivateOutcome outcome =
        DecideActivate(instance.status, static_cast<int64_t>(instance.serial_numbers.size()));
    if (outcome != ActivateOutcome::kActivated) return outcome;
    static const Statement kActivate("UPDATE instances SET status = 'Active' WHERE id = $1");
    RETURN_IF_ERROR(sql::Exec(conn, kActivate, {instance.id}));
    return outcome;
  });
}

}  // namespace sag::store
