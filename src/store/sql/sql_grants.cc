// SqlStore: cross-account grants (SAG -> CCN, CCN -> CEN, SAG -> VBR), binding a granted instance
// to another account's CCN, a CCN's CEN and VBR bindings (store/grant_store.h).
//
// Every change that concerns an instance locks its row first (as binds and unbinds do), and a
// change of a CCN's grants or CEN locks the CCN row, so the checks made after the lock hold until
// commit whatever the number of callers or nodes.
#include <algorithm>

#include "store/grant_decisions.h"
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

constexpr std::string_view kSagGrantColumns =
    "id, account_id, region_id, instance_id, ccn_id, ccn_uid, grant_traffic_service, create_ms";

SagCcnGrantRecord ReadSagGrant(const Rows& s, int row) {
  return SagCcnGrantRecord{.id = s.Text(row, 0),
                           .account_id = s.Text(row, 1),
                           .region_id = s.Text(row, 2),
                           .instance_id = s.Text(row, 3),
                           .ccn_id = s.Text(row, 4),
                           .ccn_uid = s.Text(row, 5),
                           .grant_traffic_service = s.Bool(row, 6),
                           .create_ms = s.Int(row, 7)};
}

constexpr std::string_view kCenGrantColumns =
    "id, account_id, region_id, ccn_id, cen_id, cen_uid, grant_traffic_service, create_ms, "
    "modify_ms";

CenGrantRecord ReadCenGrant(const Rows& s, int row) {
  return CenGrantRecord{.id = s.Text(row, 0),
                        .account_id = s.Text(row, 1),
                        .region_id = s.Text(row, 2),
                        .ccn_id = s.Text(row, 3),
                        .cen_id = s.Text(row, 4),
                        .cen_uid = s.Text(row, 5),
                        .grant_traffic_service = s.Bool(row, 6),
                        .create_ms = s.Int(row, 7),
                        .modify_ms = s.Int(row, 8)};
}

VbrGrantRecord ReadVbrGrant(const Rows& s, int row) {
  return VbrGrantRecord{.id = s.Text(row, 0),
                        .account_id = s.Text(row, 1),
                        .region_id = s.Text(row, 2),
                        .instance_id = s.Text(row, 3),
                        .vbr_id = s.Text(row, 4),
                        .vbr_region_id = s.Text(row, 5),
                        .vbr_uid = s.Text(row, 6),
                        .create_ms = s.Int(row, 7),
                        .bound = s.Bool(row, 8)};
}

// The instance's grant to a CCN, if any.
StoreResult<std::optional<SagCcnGrantRecord>> SagGrantOf(Connection& conn,
                                                         std::string_view instance_id) {
  static const Statement kFind("SELECT " + std::string(kSagGrantColumns) +
                               " FROM sag_ccn_grants WHERE instance_id = $1");
  return sql::FindOne(conn, kFind, {instance_id}, &ReadSagGrant);
}

// Locks the CCN (account, region, id) until the transaction ends; false when there is none.
StoreResult<bool> LockCcnRow(Connection& conn, std::string_view account_id,
                             std::string_view region_id, std::string_view ccn_id, bool exclusive) {
  static const std::string kWhere =
      "SELECT 1 FROM ccns WHERE id = $1 AND account_id = $2 AND ($3 = '' OR region_id = $3)";
  static const Statement kUpdate(kWhere + " FOR UPDATE");
  static const Statement kShare(kWhere + " FOR SHARE");
  return sql::RowExists(conn, exclusive ? kUpdate : kShare, {ccn_id, account_id, region_id});
}

// limit and offset as the page reads use them (negative counts as 0).
std::pair<int64_t, int64_t> Bounds(int64_t offset, int64_t limit) {
  return {std::max<int64_t>(0, offset), std::max<int64_t>(0, limit)};
}

// A page of rows of `table` matching where, read by read, in creation order then id.
template <typename T>
StoreResult<GrantPage<T>> ReadPage(Connection& conn, std::string_view select_from,
                                   std::string_view count_from, const sql::Where& where,
                                   int64_t offset, int64_t limit, T (*read)(const Rows&, int)) {
  GrantPage<T> page;
  ASSIGN_OR_RETURN(
      Rows count,
      conn.RunOnce("SELECT count(*) " + std::string(count_from) + where.text(), where.values()));
  page.total = count.empty() ? 0 : count.Int(0, 0);
  const auto [from, size] = Bounds(offset, limit);
  if (size == 0 || from >= page.total) return page;
  sql::Where paged = where;
  const std::string limit_at = paged.Next(size);
  const std::string offset_at = paged.Next(from);
  ASSIGN_OR_RETURN(Rows rows, conn.RunOnce(std::string(select_from) + paged.text() +
                                               " ORDER BY g.create_ms, g.id LIMIT " + limit_at +
                                               " OFFSET " + offset_at,
                                           paged.values()));
  for (int i = 0; i < rows.size(); ++i) page.items.push_back(read(rows, i));
  return page;
}

}  // namespace

// SAG -> CCN ----------------------------------------------------------------------------------

StoreResult<std::pair<SagGrantOutcome, std::string>> SqlStore::GrantSagToCcn(
    const SagCcnGrantRecord& g) {
  using R = std::pair<SagGrantOutcome, std::string>;
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<R> {
    ASSIGN_OR_RETURN(const bool found,
                     sql::LockInstance(conn, g.account_id, g.region_id, g.instance_id));
    if (!found) return R{SagGrantOutcome::kInstanceNotFound, ""};
    ASSIGN_OR_RETURN(auto existing, SagGrantOf(conn, g.instance_id));
    const SagGrantOutcome outcome = DecideSagGrant(existing, g.ccn_id, g.ccn_uid);
    if (outcome == SagGrantOutcome::kAlreadyGranted) return R{outcome, existing->id};
    if (outcome != SagGrantOutcome::kGranted) return R{outcome, ""};
    ASSIGN_OR_RETURN(const InstanceRecord in,
                     sql::FindInstance(conn, g.account_id, g.region_id, g.instance_id));
    static const Statement kInsert("INSERT INTO sag_ccn_grants (" + std::string(kSagGrantColumns) +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    RETURN_IF_ERROR(sql::Exec(conn, kInsert,
                              {g.id, g.account_id, in.region_id, g.instance_id, g.ccn_id, g.ccn_uid,
                               Value::Bool(g.grant_traffic_service), g.create_ms}));
    return R{outcome, g.id};
  });
}

StoreResult<SagRevokeOutcome> SqlStore::RevokeSagFromCcn(std::string_view account_id,
                                                         std::string_view region_id,
                                                         std::string_view instance_id,
                                                         std::string_view ccn_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<SagRevokeOutcome> {
    ASSIGN_OR_RETURN(const bool found, sql::LockInstance(conn, account_id, region_id, instance_id));
    if (!found) return SagRevokeOutcome::kInstanceNotFound;
    ASSIGN_OR_RETURN(auto existing, SagGrantOf(conn, instance_id));
    if (!existing || existing->ccn_id != ccn_id) return SagRevokeOutcome::kNotGranted;
    static const Statement kDelete("DELETE FROM sag_ccn_grants WHERE instance_id = $1");
    RETURN_IF_ERROR(sql::Exec(conn, kDelete, {instance_id}));
    static const Statement kUnbind(
        "UPDATE instances SET ccn_id = '' WHERE id = $1 AND ccn_id = $2");
    RETURN_IF_ERROR(sql::Exec(conn, kUnbind, {instance_id, ccn_id}));
    return SagRevokeOutcome::kRevoked;
  });
}

StoreResult<GrantPage<SagCcnGrantRecord>> SqlStore::ListSagCcnGrants(std::string_view account_id,
                                                                     std::string_view region_id,
                                                                     std::string_view instance_id,
                                                                     int64_t offset,
                                                                     int64_t limit) {
  sql::Where where("g.account_id = $?", account_id);
  where.And("g.instance_id = $?", instance_id);
  if (!region_id.empty()) where.And("g.region_id = $?", region_id);
  return Transact(Txn::kRead, [&](Connection& conn) {
    return ReadPage(conn,
                    "SELECT g.id, g.account_id, g.region_id, g.instance_id, g.ccn_id, g.ccn_uid, "
                    "g.grant_traffic_service, g.create_ms FROM sag_ccn_grants g",
                    "FROM sag_ccn_grants g", where, offset, limit, &ReadSagGrant);
  });
}

StoreResult<std::vector<SagCcnGrantRecord>> SqlStore::ListGrantsToCcn(std::string_view ccn_uid,
                                                                      std::string_view ccn_id) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList("SELECT " + std::string(kSagGrantColumns) +
                                 " FROM sag_ccn_grants WHERE ccn_uid = $1 AND ccn_id = $2 "
                                 "ORDER BY create_ms, id");
    return sql::ListAll(conn, kList, {ccn_uid, ccn_id}, &ReadSagGrant);
  });
}

StoreResult<GrantedBindOutcome> SqlStore::BindGrantedInstance(std::string_view caller_account_id,
                                                              std::string_view ccn_id,
                                                              std::string_view owner_account_id,
                                                              std::string_view instance_id,
                                                              bool bind) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<GrantedBindOutcome> {
    ASSIGN_OR_RETURN(const bool found, sql::LockInstance(conn, owner_account_id, "", instance_id));
    if (!found) return GrantedBindOutcome::kNotGranted;
    ASSIGN_OR_RETURN(auto grant, SagGrantOf(conn, instance_id));
    if (!grant || grant->ccn_id != ccn_id || grant->ccn_uid != caller_account_id) {
      return GrantedBindOutcome::kNotGranted;
    }
    ASSIGN_OR_RETURN(const InstanceRecord in,
                     sql::FindInstance(conn, owner_account_id, "", instance_id));
    ASSIGN_OR_RETURN(const bool ccn_found,
                     LockCcnRow(conn, caller_account_id, in.region_id, ccn_id, false));
    if (!ccn_found) return GrantedBindOutcome::kCcnNotFound;
    const GrantedBindOutcome outcome = DecideGrantedBind(in.ccn_id, ccn_id, bind);
    if (outcome == GrantedBindOutcome::kBound) {
      static const Statement kBind(
          "UPDATE instances SET ccn_id = $2 WHERE id = $1 AND ccn_id = ''");
      RETURN_IF_ERROR(sql::Exec(conn, kBind, {instance_id, ccn_id}));
    } else if (outcome == GrantedBindOutcome::kUnbound) {
      static const Statement kUnbind(
          "UPDATE instances SET ccn_id = '' WHERE id = $1 AND ccn_id = $2");
      RETURN_IF_ERROR(sql::Exec(conn, kUnbind, {instance_id, ccn_id}));
    }
    return outcome;
  });
}

// CCN -> CEN ----------------------------------------------------------------------------------

StoreResult<CenOutcome> SqlStore::GrantCcnToCen(const CenGrantRecord& g) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<CenOutcome> {
    ASSIGN_OR_RETURN(const bool found, LockCcnRow(conn, g.account_id, g.region_id, g.ccn_id, true));
    if (!found) return CenOutcome::kCcnNotFound;
    ASSIGN_OR_RETURN(const CcnRecord ccn, sql::FindCcn(conn, g.account_id, g.region_id, g.ccn_id));
    static const Statement kUpsert(
        "INSERT INTO cen_grants (" + std::string(kCenGrantColumns) +
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (ccn_id, cen_id) DO UPDATE "
        "SET cen_uid = excluded.cen_uid, grant_traffic_service = excluded.grant_traffic_service, "
        "modify_ms = excluded.modify_ms");
    RETURN_IF_ERROR(sql::Exec(conn, kUpsert,
                              {g.id, g.account_id, ccn.region_id, g.ccn_id, g.cen_id, g.cen_uid,
                               Value::Bool(g.grant_traffic_service), g.create_ms}));
    return CenOutcome::kDone;
  });
}

StoreResult<CenOutcome> SqlStore::RevokeCcnFromCen(std::string_view account_id,
                                                   std::string_view region_id,
                                                   std::string_view ccn_id,
                                                   std::string_view cen_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<CenOutcome> {
    ASSIGN_OR_RETURN(const bool found, LockCcnRow(conn, account_id, region_id, ccn_id, true));
    if (!found) return CenOutcome::kCcnNotFound;
    static const Statement kDelete("DELETE FROM cen_grants WHERE ccn_id = $1 AND cen_id = $2");
    ASSIGN_OR_RETURN(Rows deleted, conn.Run(kDelete, {ccn_id, cen_id}));
    return deleted.affected() == 0 ? CenOutcome::kNotGranted : CenOutcome::kDone;
  });
}

StoreResult<GrantPage<CenGrantRecord>> SqlStore::ListCenGrants(std::string_view account_id,
                                                               std::string_view region_id,
                                                               std::string_view ccn_id,
                                                               int64_t offset, int64_t limit) {
  sql::Where where("g.account_id = $?", account_id);
  if (!region_id.empty()) where.And("g.region_id = $?", region_id);
  if (!ccn_id.empty()) where.And("g.ccn_id = $?", ccn_id);
  return Transact(Txn::kRead, [&](Connection& conn) {
    return ReadPage(conn,
                    "SELECT g.id, g.account_id, g.region_id, g.ccn_id, g.cen_id, g.cen_uid, "
                    "g.grant_traffic_service, g.create_ms, g.modify_ms FROM cen_grants g",
                    "FROM cen_grants g", where, offset, limit, &ReadCenGrant);
  });
}

StoreResult<CenOutcome> SqlStore::AttachCcnToCen(std::string_view account_id,
                                                 std::string_view region_id,
                                                 std::string_view ccn_id, std::string_view cen_id,
                                                 int64_t now_ms) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<CenOutcome> {
    ASSIGN_OR_RETURN(const bool found, LockCcnRow(conn, account_id, region_id, ccn_id, true));
    if (!found) return CenOutcome::kCcnNotFound;
    static const Statement kCurrent("SELECT cen_id FROM ccn_cens WHERE ccn_id = $1");
    ASSIGN_OR_RETURN(Rows current, conn.Run(kCurrent, {ccn_id}));
    if (!current.empty()) {
      return current.Text(0, 0) == cen_id ? CenOutcome::kDone : CenOutcome::kAttachedOther;
    }
    static const Statement kInsert(
        "INSERT INTO ccn_cens (ccn_id, cen_id, create_ms) VALUES ($1, $2, $3)");
    RETURN_IF_ERROR(sql::Exec(conn, kInsert, {ccn_id, cen_id, now_ms}));
    return CenOutcome::kDone;
  });
}

StoreResult<CenOutcome> SqlStore::DetachCcnFromCen(std::string_view account_id,
                                                   std::string_view region_id,
                                                   std::string_view ccn_id,
                                                   std::string_view cen_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<CenOutcome> {
    ASSIGN_OR_RETURN(const bool found, LockCcnRow(conn, account_id, region_id, ccn_id, true));
    if (!found) return CenOutcome::kCcnNotFound;
    static const Statement kDelete("DELETE FROM ccn_cens WHERE ccn_id = $1 AND cen_id = $2");
    ASSIGN_OR_RETURN(Rows deleted, conn.Run(kDelete, {ccn_id, cen_id}));
    return deleted.affected() == 0 ? CenOutcome::kNotAttached : CenOutcome::kDone;
  });
}

StoreResult<std::string> SqlStore::GetCcnCen(std::string_view ccn_id) {
  return Transact(Txn::kReadOne, [&](Connection& conn) -> StoreResult<std::string> {
    static const Statement kGet("SELECT cen_id FROM ccn_cens WHERE ccn_id = $1");
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kGet, {ccn_id}));
    return rows.empty() ? std::string() : rows.Text(0, 0);
  });
}

// SAG -> VBR ----------------------------------------------------------------------------------

StoreResult<VbrGrantOutcome> SqlStore::GrantSagToVbr(const VbrGrantRecord& g) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<VbrGrantOutcome> {
    ASSIGN_OR_RETURN(const bool found,
                     sql::LockInstance(conn, g.account_id, g.region_id, g.instance_id));
    if (!found) return VbrGrantOutcome::kInstanceNotFound;
    ASSIGN_OR_RETURN(const InstanceRecord in,
                     sql::FindInstance(conn, g.account_id, g.region_id, g.instance_id));
    static const Statement kInsert(
        "INSERT INTO vbr_grants (id, account_id, region_id, instance_id, vbr_id, vbr_region_id, "
        "vbr_uid, create_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (instance_id, vbr_id) DO NOTHING");
    RETURN_IF_ERROR(sql::Exec(conn, kInsert,
                              {g.id, g.account_id, in.region_id, g.instance_id, g.vbr_id,
                               g.vbr_region_id, g.vbr_uid, g.create_ms}));
    return VbrGrantOutcome::kDone;
  });
}

StoreResult<VbrGrantOutcome> SqlStore::RevokeSagFromVbr(std::string_view account_id,
                                                        std::string_view region_id,
                                                        std::string_view instance_id,
                                                        std::string_view vbr_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<VbrGrantOutcome> {
    ASSIGN_OR_RETURN(const bool found, sql::LockInstance(conn, account_id, region_id, instance_id));
    if (!found) return VbrGrantOutcome::kInstanceNotFound;
    static const Statement kDelete("DELETE FROM vbr_grants WHERE instance_id = $1 AND vbr_id = $2");
    ASSIGN_OR_RETURN(Rows deleted, conn.Run(kDelete, {instance_id, vbr_id}));
    if (deleted.affected() == 0) return VbrGrantOutcome::kNotGranted;
    static const Statement kUnbind(
        "DELETE FROM vbr_bindings WHERE instance_id = $1 AND vbr_id = $2");
    RETURN_IF_ERROR(sql::Exec(conn, kUnbind, {instance_id, vbr_id}));
    return VbrGrantOutcome::kDone;
  });
}

StoreResult<GrantPage<VbrGrantRecord>> SqlStore::ListVbrGrants(std::string_view account_id,
                                                               std::string_view region_id,
                                                               std::string_view instance_id,
                                                               std::string_view vbr_id,
                                                               int64_t offset, int64_t limit) {
  sql::Where where("g.account_id = $?", account_id);
  if (!region_id.empty()) where.And("g.region_id = $?", region_id);
  if (!instance_id.empty()) where.And("g.instance_id = $?", instance_id);
  if (!vbr_id.empty()) where.And("g.vbr_id = $?", vbr_id);
  return Transact(Txn::kRead, [&](Connection& conn) {
    return ReadPage(conn,
                    "SELECT g.id, g.account_id, g.region_id, g.instance_id, g.vbr_id, "
                    "g.vbr_region_id, g.vbr_uid, g.create_ms, "
                    "(SELECT count(*) FROM vbr_bindings b WHERE b.instance_id = g.instance_id "
                    "AND b.vbr_id = g.vbr_id) FROM vbr_grants g",
                    "FROM vbr_grants g", where, offset, limit, &ReadVbrGrant);
  });
}

namespace {

// BindVbr and UnbindVbr: the checks of GrantStore::BindVbr, then the change.
StoreResult<VbrBindOutcome> ChangeVbrBinding(Connection& conn, const VbrBindRequest& r, bool bind) {
  ASSIGN_OR_RETURN(const bool found,
                   sql::LockInstance(conn, r.owner_account_id, r.region_id, r.instance_id));
  if (!found) return VbrBindOutcome::kInstanceNotFound;
  if (r.caller_account_id != r.owner_account_id) {
    static const Statement kGranted(
        "SELECT 1 FROM vbr_grants WHERE instance_id = $1 AND vbr_id = $2 AND vbr_uid = $3");
    ASSIGN_OR_RETURN(
        const bool granted,
        sql::RowExists(conn, kGranted, {r.instance_id, r.vbr_id, r.caller_account_id}));
    if (!granted) return VbrBindOutcome::kInstanceNotFound;
  }
  ASSIGN_OR_RETURN(const InstanceRecord in,
                   sql::FindInstance(conn, r.owner_account_id, r.region_id, r.instance_id));
  VbrBindFacts facts{.instance_id = in.id,
                     .instance_ccn_id = in.ccn_id,
                     .instance_vbr_id = std::nullopt,
                     .vbr_bound_instance = std::nullopt};
  static const Statement kMine("SELECT vbr_id FROM vbr_bindings WHERE instance_id = $1");
  ASSIGN_OR_RETURN(Rows mine, conn.Run(kMine, {in.id}));
  if (!mine.empty()) facts.instance_vbr_id = mine.Text(0, 0);
  static const Statement kTheirs(
      "SELECT instance_id FROM vbr_bindings WHERE vbr_region_id = $1 AND vbr_id = $2");
  ASSIGN_OR_RETURN(Rows theirs, conn.Run(kTheirs, {r.vbr_region_id, r.vbr_id}));
  if (!theirs.empty()) facts.vbr_bound_instance = theirs.Text(0, 0);
  const VbrBindOutcome outcome = DecideVbrBind(facts, r.vbr_id, bind);
  if (outcome == VbrBindOutcome::kBound) {
    static const Statement kInsert(
        "INSERT INTO vbr_bindings (vbr_region_id, vbr_id, instance_id, instance_account_id, "
        "create_ms) VALUES ($1, $2, $3, $4, $5)");
    // Another instance binding the VBR at the same moment loses on the primary key
    // (kAlreadyExists).
    RETURN_IF_ERROR(
        sql::Exec(conn, kInsert, {r.vbr_region_id, r.vbr_id, in.id, r.owner_account_id, r.now_ms}));
  } else if (outcome == VbrBindOutcome::kUnbound) {
    static const Statement kDelete("DELETE FROM vbr_bindings WHERE instance_id = $1");
    RETURN_IF_ERROR(sql::Exec(conn, kDelete, {in.id}));
  }
  return outcome;
}

}  // namespace

StoreResult<VbrBindOutcome> SqlStore::BindVbr(const VbrBindRequest& request) {
  return Transact(Txn::kWrite,
                  [&](Connection& conn) { return ChangeVbrBinding(conn, request, true); });
}

StoreResult<VbrBindOutcome> SqlStore::UnbindVbr(const VbrBindRequest& request) {
  return Transact(Txn::kWrite,
                  [&](Connection& conn) { return ChangeVbrBinding(conn, request, false); });
}

StoreResult<std::vector<VbrBindingRecord>> SqlStore::ListVbrBindings(
    const std::vector<std::string>& vbr_ids, std::string_view vbr_region_id) {
  return Transact(Txn::kRead, [&](Connection& conn) -> StoreResult<std::vector<VbrBindingRecord>> {
    static const Statement kGet(
        "SELECT vbr_id, vbr_region_id, instance_id, instance_account_id, create_ms "
        "FROM vbr_bindings WHERE vbr_region_id = $1 AND vbr_id = $2");
    std::vector<VbrBindingRecord> out;
    for (const std::string& id : vbr_ids) {
      ASSIGN_OR_RETURN(Rows rows, conn.Run(kGet, {vbr_region_id, id}));
      if (rows.empty()) continue;
      out.push_back(VbrBindingRecord{.vbr_id = rows.Text(0, 0),
                                     .vbr_region_id = rows.Text(0, 1),
                                     .instance_id = rows.Text(0, 2),
                                     .instance_account_id = rows.Text(0, 3),
                                     .create_ms = rows.Int(0, 4)});
    }
    return out;
  });
}

}  // namespace sag::store
