// SqlStore: Cloud Connect Networks, an instance's CCN, and the server-wide settings.
//
// A bind or unbind locks the instance row and share-locks the CCN row, and DeleteCcn locks the CCN
// exclusively before counting its instances, so a CCN is never deleted with an instance bound.
#include <algorithm>

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

// Locks the CCN (account, region, id) until the transaction ends, exclusively or shared (it must
// not be deleted meanwhile); false when there is no such CCN.
StoreResult<bool> LockCcn(Connection& conn, std::string_view account_id, std::string_view region_id,
                          std::string_view ccn_id, bool exclusive) {
  static const std::string kWhere =
      "SELECT 1 FROM ccns WHERE id = $1 AND account_id = $2 AND ($3 = '' OR region_id = $3)";
  static const Statement kUpdate(kWhere + " FOR UPDATE");
  static const Statement kShare(kWhere + " FOR SHARE");
  return sql::RowExists(conn, exclusive ? kUpdate : kShare, {ccn_id, account_id, region_id});
}

}  // namespace

StoreResult<void> SqlStore::CreateCcn(const CcnRecord& c) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kInsert(
        "INSERT INTO ccns (id, account_id, region_id, name, description, cidr_block, is_default, "
        "interworking_status, create_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    return sql::Exec(conn, kInsert,
                     {c.id, c.account_id, c.region_id, c.name, c.description, c.cidr_block,
                      Value::Bool(c.is_default), c.interworking_status, c.create_ms});
  });
}

StoreResult<CcnRecord> SqlStore::GetCcn(std::string_view account_id, std::string_view region_id,
                                        std::string_view ccn_id) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    return sql::FindCcn(conn, account_id, region_id, ccn_id);
  });
}

StoreResult<CcnPage> SqlStore::ListCcns(const CcnFilter& filter) {
  sql::Where where("c.account_id = $?", filter.account_id);
  if (!filter.region_id.empty()) where.And("c.region_id = $?", filter.region_id);
  if (!filter.name.empty()) where.And("c.name = $?", filter.name);
  where.AndIn("c.id", filter.ids);
  const int64_t offset = std::max<int64_t>(0, filter.offset);
  const int64_t limit = std::max<int64_t>(0, filter.limit);

  // Count and page from one snapshot.
  return Transact(Txn::kRead, [&](Connection& conn) -> StoreResult<CcnPage> {
    CcnPage page;
    ASSIGN_OR_RETURN(Rows count,
                     conn.RunOnce("SELECT count(*) FROM ccns c" + where.text(), where.values()));
    page.total = count.empty() ? 0 : count.Int(0, 0);
    if (limit > 0 && offset < page.total) {
      ASSIGN_OR_RETURN(page.items, sql::ListCcnRows(conn, where, limit, offset));
    }
    return page;
  });
}

StoreResult<CcnRecord> SqlStore::UpdateCcn(std::string_view account_id, std::string_view region_id,
                                           std::string_view ccn_id, const CcnPatch& patch) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<CcnRecord> {
    ASSIGN_OR_RETURN(const bool found, LockCcn(conn, account_id, region_id, ccn_id, true));
    if (!found) return MakeUnexpected(sql::NotFound("CCN"));
    ASSIGN_OR_RETURN(CcnRecord c, sql::FindCcn(conn, account_id, region_id, ccn_id));
    if (patch.name) c.name = *patch.name;
    if (patch.description) c.description = *patch.description;
    if (patch.cidr_block) c.cidr_block = *patch.cidr_block;
    if (patch.interworking_status) c.interworking_status = *patch.interworking_status;
    static const Statement kUpdate(
        "UPDATE ccns SET name = $2, description = $3, cidr_block = $4, interworking_status = $5 "
        "WHERE id = $1");
    RETURN_IF_ERROR(sql::Exec(conn, kUpdate,
                              {c.id, c.name, c.description, c.cidr_block, c.interworking_status}));
    return c;
  });
}

StoreResult<void> SqlStore::DeleteCcn(std::string_view account_id, std::string_view region_id,
                                      std::string_view ccn_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    // The exclusive lock waits for binders (which share-lock the CCN); the count read after it
    // sees every bind committed before.
    ASSIGN_OR_RETURN(const bool found, LockCcn(conn, account_id, region_id, ccn_id, true));
    if (!found) return MakeUnexpected(sql::NotFound("CCN"));
    ASSIGN_OR_RETURN(const CcnRecord c, sql::FindCcn(conn, account_id, region_id, ccn_id));
    if (c.instance_count > 0)
      return MakeUnexpected(sql::Conflict("instances are bound to the CCN"));
    static const Statement kCen("SELECT 1 FROM ccn_cens WHERE ccn_id = $1");
    ASSIGN_OR_RETURN(const bool on_cen, sql::RowExists(conn, kCen, {c.id}));
    if (on_cen) return MakeUnexpected(sql::Conflict("the CCN is attached to a CEN"));
    static const Statement kGrants("DELETE FROM cen_grants WHERE ccn_id = $1");
    RETURN_IF_ERROR(sql::Exec(conn, kGrants, {c.id}));
    static const Statement kDelete("DELETE FROM ccns WHERE id = $1");
    return sql::ChangeOne(conn, kDelete, {c.id}, "CCN");
  });
}

StoreResult<CcnBindOutcome> SqlStore::BindInstanceToCcn(std::string_view account_id,
                                                        std::string_view region_id,
                                                        std::string_view instance_id,
                                                        std::string_view ccn_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<CcnBindOutcome> {
    ASSIGN_OR_RETURN(const bool found, sql::LockInstance(conn, account_id, region_id, instance_id));
    if (!found) return CcnBindOutcome::kInstanceNotFound;
    ASSIGN_OR_RETURN(const InstanceRecord instance,
                     sql::FindInstance(conn, account_id, region_id, instance_id));
    ASSIGN_OR_RETURN(const bool ccn_found,
                     LockCcn(conn, account_id, instance.region_id, ccn_id, false));
    if (!ccn_found) return CcnBindOutcome::kCcnNotFound;
    const CcnBindOutcome outcome = DecideCcnBind(instance.ccn_id, ccn_id);
    if (outcome != CcnBindOutcome::kBound) return outcome;
    static const Statement kBind("UPDATE instances SET ccn_id = $2 WHERE id = $1 AND ccn_id = ''");
    ASSIGN_OR_RETURN(Rows updated, conn.Run(kBind, {instance.id, ccn_id}));
    if (updated.affected() != 1) {  // cannot happen under the lock; never report a bind not made
      return MakeUnexpected(
          StoreError{StoreErrorCode::kUnavailable, "instance changed while being bound"});
    }
    return outcome;
  });
}

StoreResult<CcnUnbindOutcome> SqlStore::UnbindInstanceFromCcn(std::string_view account_id,
                                                              std::string_view region_id,
                                                              std::string_view instance_id,
                                                              std::string_view ccn_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<CcnUnbindOutcome> {
    ASSIGN_OR_RETURN(const bool found, sql::LockInstance(conn, account_id, region_id, instance_id));
    if (!found) return CcnUnbindOutcome::kInstanceNotFound;
    ASSIGN_OR_RETURN(const InstanceRecord instance,
                     sql::FindInstance(conn, account_id, region_id, instance_id));
    ASSIGN_OR_RETURN(const bool ccn_found,
                     LockCcn(conn, account_id, instance.region_id, ccn_id, false));
    if (!ccn_found) return CcnUnbindOutcome::kCcnNotFound;
    const CcnUnbindOutcome outcome = DecideCcnUnbind(instance.ccn_id, ccn_id);
    if (outcome != CcnUnbindOutcome::kUnbound) return outcome;
    static const Statement kUnbind(
        "UPDATE instances SET ccn_id = '' WHERE id = $1 AND ccn_id = $2");
    RETURN_IF_ERROR(sql::Exec(conn, kUnbind, {instance.id, ccn_id}));
    return outcome;
  });
}

// Settings ----------------------------------------------------------------------------------------

StoreResult<std::optional<std::string>> SqlStore::GetSetting(std::string_view key) {
  return Transact(Txn::kReadOne, [&](Connection& conn) -> StoreResult<std::optional<std::string>> {
    static const Statement kGet("SELECT value FROM settings WHERE key = $1");
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kGet, {key}));
    if (rows.empty()) return std::optional<std::string>();
    return std::optional<std::string>(rows.Text(0, 0));
  });
}

StoreResult<void> SqlStore::PutSetting(std::string_view key, std::string_view value) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    static const Statement kPut(
        "INSERT INTO settings (key, value) VALUES ($1, $2) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    RETURN_IF_ERROR(sql::Exec(conn, kPut, {key, value}));
    return AnnounceSettingChanged(conn, key);
  });
}

StoreResult<void> SqlStore::AnnounceSettingChanged(Connection& /*conn*/, std::string_view /*key*/) {
  return {};
}

}  // namespace sag::store
