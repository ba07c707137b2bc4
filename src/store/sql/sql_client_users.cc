// SqlStore: client users of SAG app instances and their sessions (store/client_user_store.h).
// CreateClientUser locks the instance row, so the creators of one instance run one at a time on
// every node and the UserCount check and address choice stay true until commit; the primary key
// (instance, user name) and UNIQUE (instance, client_ip) are the schema's own guarantee on top.
#include <algorithm>

#include "store/sql/queries.h"
#include "store/sql/sql_store.h"

namespace sag::store {

namespace {

using sql::Connection;
using sql::Rows;
using sql::Statement;
using sql::Txn;
using sql::Value;

constexpr std::string_view kUserColumns =
    "account_id, instance_id, user_name, user_mail, bandwidth, client_ip, is_static_ip, state, "
    "disabled_by_root, password_hash, create_ms";

ClientUserRecord ReadUser(const Rows& rows, int r) {
  return ClientUserRecord{.account_id = rows.Text(r, 0),
                          .instance_id = rows.Text(r, 1),
                          .user_name = rows.Text(r, 2),
                          .user_mail = rows.Text(r, 3),
                          .bandwidth = rows.Int(r, 4),
                          .client_ip = static_cast<uint32_t>(rows.Int(r, 5)),
                          .is_static_ip = rows.Bool(r, 6),
                          .state = rows.Int(r, 7),
                          .disabled_by_root = rows.Bool(r, 8),
                          .password_hash = rows.Text(r, 9),
                          .create_ms = rows.Int(r, 10)};
}

ClientSessionRecord ReadSession(const Rows& rows, int r) {
  return ClientSessionRecord{.id = rows.Text(r, 0),
                             .instance_id = rows.Text(r, 1),
                             .user_name = rows.Text(r, 2),
                             .client_ip = static_cast<uint32_t>(rows.Int(r, 3)),
                             .online_ms = rows.Int(r, 4)};
}

// The user ("" account: any); lock_row: FOR UPDATE (the caller changes it).
StoreResult<std::optional<ClientUserRecord>> FindUser(Connection& conn, std::string_view account_id,
                                                      std::string_view instance_id,
                                                      std::string_view user_name, bool lock_row) {
  static const std::string kSql = "SELECT " + std::string(kUserColumns) +
                                  " FROM client_users WHERE instance_id = $1 AND user_name = $2 "
                                  "AND ($3 = '' OR account_id = $3)";
  static const Statement kFind(kSql);
  static const Statement kLock(kSql + " FOR UPDATE");
  return sql::FindOne(conn, lock_row ? kLock : kFind, {instance_id, user_name, account_id},
                      &ReadUser);
}

const Statement kDeleteSessions(
    "DELETE FROM client_sessions WHERE instance_id = $1 AND user_name = $2");

}  // namespace

StoreResult<CreateClientUserResult> SqlStore::CreateClientUser(
    const CreateClientUserRequest& request) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<CreateClientUserResult> {
    CreateClientUserResult result;
    const ClientUserRecord& in = request.user;
    static const Statement kLockInstance(
        "SELECT cidr_block FROM instances WHERE id = $1 AND account_id = $2 FOR UPDATE");
    ASSIGN_OR_RETURN(Rows locked, conn.Run(kLockInstance, {in.instance_id, in.account_id}));
    if (locked.empty()) {
      result.outcome = CreateClientUserOutcome::kInstanceNotFound;
      return result;
    }
    if (locked.View(0, 0) != request.cidr_block) {
      result.outcome = CreateClientUserOutcome::kPoolChanged;
      return result;
    }
    ASSIGN_OR_RETURN(auto existing,
                     FindUser(conn, in.account_id, in.instance_id, in.user_name, false));
    if (existing) {
      result.outcome = CreateClientUserOutcome::kNameTaken;
      return result;
    }
    static const Statement kUsed(
        "SELECT client_ip FROM client_users WHERE instance_id = $1 ORDER BY client_ip");
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kUsed, {in.instance_id}));
    std::vector<int64_t> used;
    for (int r = 0; r < rows.size(); ++r) used.push_back(rows.Int(r, 0));
    ClientUserRecord user;
    result.outcome = PlaceClientUser(request, used, &user);
    if (result.outcome != CreateClientUserOutcome::kCreated) return result;
    static const Statement kInsert("INSERT INTO client_users (" + std::string(kUserColumns) +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
    RETURN_IF_ERROR(sql::Exec(
        conn, kInsert,
        {user.account_id, user.instance_id, user.user_name, user.user_mail, user.bandwidth,
         int64_t{user.client_ip}, Value::Bool(user.is_static_ip), user.state,
         Value::Bool(user.disabled_by_root), user.password_hash, user.create_ms}));
    result.user = std::move(user);
    return result;
  });
}

StoreResult<ClientUserRecord> SqlStore::GetClientUser(std::string_view account_id,
                                                      std::string_view instance_id,
                                                      std::string_view user_name) {
  return Transact(Txn::kReadOne, [&](Connection& conn) -> StoreResult<ClientUserRecord> {
    ASSIGN_OR_RETURN(auto user, FindUser(conn, account_id, instance_id, user_name, false));
    if (!user) return MakeUnexpected(sql::NotFound("client user"));
    return std::move(*user);
  });
}

StoreResult<ClientUserPage> SqlStore::ListClientUsers(const ClientUserFilter& filter) {
  return Transact(Txn::kRead, [&](Connection& conn) -> StoreResult<ClientUserPage> {
    constexpr std::string_view kWhere =
        " FROM client_users WHERE instance_id = $1 AND account_id = $2 "
        "AND ($3 = '' OR user_name = $3) AND ($4 = '' OR user_mail = $4)";
    static const Statement kCount("SELECT count(*)" + std::string(kWhere));
    static const Statement kPage("SELECT " + std::string(kUserColumns) + std::string(kWhere) +
                                 " ORDER BY create_ms, user_name LIMIT $5 OFFSET $6");
    ClientUserPage page;
    ASSIGN_OR_RETURN(Rows count, conn.Run(kCount, {filter.instance_id, filter.account_id,
                                                   filter.user_name, filter.user_mail}));
    if (!count.empty()) page.total = count.Int(0, 0);
    ASSIGN_OR_RETURN(
        page.items,
        sql::ListAll(conn, kPage,
                     {filter.instance_id, filter.account_id, filter.user_name, filter.user_mail,
                      std::max<int64_t>(0, filter.limit), std::max<int64_t>(0, filter.offset)},
                     &ReadUser));
    return page;
  });
}

StoreResult<ClientUserRecord> SqlStore::UpdateClientUser(std::string_view account_id,
                                                         std::string_view instance_id,
                                                         std::string_view user_name,
                                                         const ClientUserPatch& patch) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<ClientUserRecord> {
    ASSIGN_OR_RETURN(auto user, FindUser(conn, account_id, instance_id, user_name, true));
    if (!user) return MakeUnexpected(sql::NotFound("client user"));
    if (patch.bandwidth) user->bandwidth = *patch.bandwidth;
    if (patch.user_mail) user->user_mail = *patch.user_mail;
    if (patch.password_hash) user->password_hash = *patch.password_hash;
    if (patch.state) user->state = *patch.state;
    if (patch.disabled_by_root) user->disabled_by_root = *patch.disabled_by_root;
    static const Statement kUpdate(
        "UPDATE client_users SET bandwidth = $3, user_mail = $4, password_hash = $5, state = $6, "
        "disabled_by_root = $7 WHERE instance_id = $1 AND user_name = $2");
    RETURN_IF_ERROR(
        sql::Exec(conn, kUpdate,
                  {instance_id, user_name, user->bandwidth, user->user_mail, user->password_hash,
                   user->state, Value::Bool(user->disabled_by_root)}));
    if (patch.state && *patch.state == 1) {
      RETURN_IF_ERROR(sql::Exec(conn, kDeleteSessions, {instance_id, user_name}));
    }
    return std::move(*user);
  });
}

StoreResult<void> SqlStore::DeleteClientUser(std::string_view account_id,
                                             std::string_view instance_id,
                                             std::string_view user_name) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kDelete(
        "DELETE FROM client_users WHERE instance_id = $1 AND user_name = $2 AND account_id = $3");
    return sql::ChangeOne(conn, kDelete, {instance_id, user_name, account_id}, "client user");
  });
}

StoreResult<ClientSessionRecord> SqlStore::OpenClientSession(const ClientSessionRecord& session) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<ClientSessionRecord> {
    // The share lock keeps a concurrent Disable/Delete from slipping between check and insert.
    static const Statement kUser(
        "SELECT state, client_ip FROM client_users WHERE instance_id = $1 AND user_name = $2 "
        "FOR SHARE");
    ASSIGN_OR_RETURN(Rows user, conn.Run(kUser, {session.instance_id, session.user_name}));
    if (user.empty()) return MakeUnexpected(sql::NotFound("client user"));
    if (user.Int(0, 0) != 0) return MakeUnexpected(sql::Conflict("client user disabled"));
    ClientSessionRecord out = session;
    out.client_ip = static_cast<uint32_t>(user.Int(0, 1));
    static const Statement kInsert(
        "INSERT INTO client_sessions (id, instance_id, user_name, client_ip, online_ms) "
        "VALUES ($1, $2, $3, $4, $5)");
    RETURN_IF_ERROR(
        sql::Exec(conn, kInsert,
                  {out.id, out.instance_id, out.user_name, int64_t{out.client_ip}, out.online_ms}));
    return out;
  });
}

StoreResult<void> SqlStore::CloseClientSession(std::string_view session_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) {
    static const Statement kDelete("DELETE FROM client_sessions WHERE id = $1");
    return sql::ChangeOne(conn, kDelete, {session_id}, "client session");
  });
}

StoreResult<std::vector<ClientSessionRecord>> SqlStore::ListClientSessions(
    std::string_view instance_id, std::string_view user_name) {
  return Transact(Txn::kReadOne, [&](Connection& conn) {
    static const Statement kList(
        "SELECT id, instance_id, user_name, client_ip, online_ms FROM client_sessions "
        "WHERE instance_id = $1 AND user_name = $2 ORDER BY online_ms, id");
    return sql::ListAll(conn, kList, {instance_id, user_name}, &ReadSession);
  });
}

StoreResult<int64_t> SqlStore::CloseClientSessions(std::string_view instance_id,
                                                   std::string_view user_name) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<int64_t> {
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kDeleteSessions, {instance_id, user_name}));
    return rows.affected();
  });
}

}  // namespace sag::store
