// SqlStore: the device inventory, the runtime devices report, and device facets (desired and
// applied state). A facet row is changed only under its row lock (FOR UPDATE), read, decided on by
// the pure rules of store/decisions.h and written back, so generations only move forward whatever
// the number of concurrent callers.
#include <algorithm>

#include "store/decisions.h"
#include "store/sql/facet_rows.h"
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

using sql::kFacetColumns;
using sql::LockFacet;
using sql::ReadFacet;
using sql::WriteFacet;

}  // namespace

namespace sql {

DeviceFacetRecord ReadFacet(const Rows& s, int row) {
  return DeviceFacetRecord{.serial_number = s.Text(row, 0),
                           .facet = s.Text(row, 1),
                           .desired_generation = s.Int(row, 2),
                           .desired_value = s.Text(row, 3),
                           .applied_generation = s.Int(row, 4),
                           .result_generation = s.Int(row, 5),
                           .last_result = s.Text(row, 6),
                           .last_detail = s.Text(row, 7),
                           .update_ms = s.Int(row, 8)};
}

StoreResult<void> RequireDevice(Connection& conn, std::string_view serial_number) {
  static const Statement kLock("SELECT 1 FROM devices WHERE serial_number = $1 FOR KEY SHARE");
  ASSIGN_OR_RETURN(const bool found, sql::RowExists(conn, kLock, {serial_number}));
  if (!found) return MakeUnexpected(sql::NotFound("device"));
  return {};
}

StoreResult<DeviceFacetRecord> LockFacet(Connection& conn, std::string_view serial_number,
                                         std::string_view facet, int64_t now_ms) {
  RETURN_IF_ERROR(RequireDevice(conn, serial_number));
  static const Statement kEnsure(
      "INSERT INTO device_facets (" + std::string(kFacetColumns) +
      ") VALUES ($1, $2, 0, '', 0, 0, '', '', $3) ON CONFLICT (serial_number, facet) DO NOTHING");
  RETURN_IF_ERROR(sql::Exec(conn, kEnsure, {serial_number, facet, now_ms}));
  static const Statement kLock("SELECT " + std::string(kFacetColumns) +
                               " FROM device_facets WHERE serial_number = $1 AND facet = $2 "
                               "FOR UPDATE");
  return sql::GetOne(conn, kLock, {serial_number, facet}, &ReadFacet, "facet");
}

StoreResult<void> WriteFacet(Connection& conn, const DeviceFacetRecord& f) {
  static const Statement kWrite(
      "UPDATE device_facets SET desired_generation = $3, desired_value = $4, "
      "applied_generation = $5, result_generation = $6, last_result = $7, last_detail = $8, "
      "update_ms = $9 WHERE serial_number = $1 AND facet = $2");
  return sql::Exec(
      conn, kWrite,
      {f.serial_number, f.facet, f.desired_generation, f.desired_value, f.applied_generation,
       f.result_generation, f.last_result, f.last_detail, f.update_ms});
}

}  // namespace sql

StoreResult<void> SqlStore::RegisterDevice(const DeviceRecord& d) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kInsert(
        "INSERT INTO devices (serial_number, hardware_model, sealed_secret, retired, create_ms) "
        "VALUES ($1, $2, $3, $4, $5)");
    return sql::Exec(conn, kInsert,
                     {d.serial_number, d.hardware_model, Value::Bytes(d.sealed_secret),
                      Value::Bool(d.retired), d.create_ms});
  });
}

StoreResult<DeviceRecord> SqlStore::GetDevice(std::string_view serial_number) {
  return Transact(Txn::kReadOne, [&](Connection& conn) -> StoreResult<DeviceRecord> {
    ASSIGN_OR_RETURN(std::optional<DeviceRecord> device, sql::FindDevice(conn, serial_number));
    if (!device) return MakeUnexpected(sql::NotFound("device"));
    return *std::move(device);
  });
}

StoreResult<std::vector<DeviceRecord>> SqlStore::ListDevices(int64_t offset, int64_t limit) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    return sql::ListDeviceRows(conn, std::max<int64_t>(0, offset), std::max<int64_t>(0, limit));
  });
}

StoreResult<int64_t> SqlStore::CountDevices() {
  return Transact(Txn::kReadOne, [&](Connection& conn) -> StoreResult<int64_t> {
    static const Statement kCount("SELECT count(*) FROM devices");
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kCount));
    return rows.empty() ? int64_t{0} : rows.Int(0, 0);
  });
}

StoreResult<void> SqlStore::RetireDevice(std::string_view serial_number) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    // The exclusive lock waits for binders (which share-lock the device), and makes binders that
    // come later see the device retired.
    static const Statement kLock("SELECT 1 FROM devices WHERE serial_number = $1 FOR UPDATE");
    ASSIGN_OR_RETURN(const bool found, sql::RowExists(conn, kLock, {serial_number}));
    if (!found) return MakeUnexpected(sql::NotFound("device"));
    static const Statement kBound("SELECT 1 FROM device_bindings WHERE serial_number = $1");
    ASSIGN_OR_RETURN(const bool bound, sql::RowExists(conn, kBound, {serial_number}));
    if (bound) return MakeUnexpected(sql::Conflict("device is bound to an instance"));
    static const Statement kRetire("UPDATE devices SET retired = TRUE WHERE serial_number = $1");
    return sql::Exec(conn, kRetire, {serial_number});
  });
}

StoreResult<void> SqlStore::RecordDeviceConnected(std::string_view serial_number,
                                                  std::string_view firmware_version,
                                                  std::string_view dpi_version, int64_t boot_ms,
                                                  int64_t now_ms) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kUpdate(
        "UPDATE devices SET firmware_version = $2, dpi_version = $3, boot_ms = $4, "
        "last_connected_ms = $5 WHERE serial_number = $1");
    return sql::ChangeOne(
        conn, kUpdate, {serial_number, firmware_version, dpi_version, boot_ms, now_ms}, "device");
  });
}

StoreResult<void> SqlStore::RecordDeviceOffline(std::string_view serial_number,
                                                std::string_view reason, int64_t now_ms) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kUpdate(
        "UPDATE devices SET last_offline_ms = $2, offline_reason = $3 WHERE serial_number = $1");
    return sql::ChangeOne(conn, kUpdate, {serial_number, now_ms, reason}, "device");
  });
}

StoreResult<DesiredResult> SqlStore::SetDesiredFacet(std::string_view serial_number,
                                                     std::string_view facet, std::string_view value,
                                                     int64_t now_ms, bool require_synchronized) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<DesiredResult> {
    // The facet row is locked: the check below and the change are one step for every caller.
    ASSIGN_OR_RETURN(DeviceFacetRecord f, LockFacet(conn, serial_number, facet, now_ms));
    if (require_synchronized && HasUnconfirmedChange(f)) {
      return DesiredResult{DesiredOutcome::kUnsynchronized, 0};
    }
    f.desired_generation = NextDesiredGeneration(f);
    f.desired_value = std::string(value);
    f.update_ms = now_ms;
    RETURN_IF_ERROR(WriteFacet(conn, f));
    return DesiredResult{DesiredOutcome::kSet, f.desired_generation};
  });
}

StoreResult<void> SqlStore::RecordApplied(std::string_view serial_number, std::string_view facet,
                                          int64_t generation, std::string_view result,
                                          std::string_view detail, int64_t now_ms) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(DeviceFacetRecord f, LockFacet(conn, serial_number, facet, now_ms));
    ApplyReport(generation, result, detail, f);
    f.update_ms = now_ms;
    return WriteFacet(conn, f);
  });
}

StoreResult<std::vector<DeviceFacetRecord>> SqlStore::GetDeviceFacets(
    std::string_view serial_number) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList("SELECT " + std::string(kFacetColumns) +
                                 " FROM device_facets WHERE serial_number = $1 ORDER BY facet");
    return sql::ListAll(conn, kList, {serial_number}, &ReadFacet);
  });
}

}  // namespace sag::store
