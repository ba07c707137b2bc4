// PgStore: client users of SAG app instances and their sessions (store/client_user_store.h).
// CreateClientUser locks the instance row (SELECT ... FOR UPDATE), so on every node the creators
// of one instance run one at a time and the UserCount check and address choice stay true until
// commit; the primary key (instance, user name) and UNIQUE (instance, client_ip) are the schema's
// own guarantee on top.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "store/pg/pg_store.h"
#include "store/pg/pg_util.h"

namespace sag::store {

namespace {

using pg::Connection;
using pg::Rows;

constexpr std::string_view kUserColumns =
    "account_id, instance_id, user_name, user_mail, bandwidth, client_ip, is_static_ip, state, "
    "disabled_by_root, password_hash, create_ms";

ClientUserRecord ReadUser(const Rows& rows, int r) {
  ClientUserRecord u;
  u.account_id = rows.Text(r, 0);
  u.instance_id = rows.Text(r, 1);
  u.user_name = rows.Text(r, 2);
  u.user_mail = rows.Text(r, 3);
  u.bandwidth = rows.Int(r, 4);
  u.client_ip = static_cast<uint32_t>(rows.Int(r, 5));
  u.is_static_ip = rows.Bool(r, 6);
  u.state = rows.Int(r, 7);
  u.disabled_by_root = rows.Bool(r, 8);
  u.password_hash = rows.Text(r, 9);
  u.create_ms = rows.Int(r, 10);
  return u;
}

ClientSessionRecord ReadSession(const Rows& rows, int r) {
  ClientSessionRecord s;
  s.id = rows.Text(r, 0);
  s.instance_id = rows.Text(r, 1);
  s.user_name = rows.Text(r, 2);
  s.client_ip = static_cast<uint32_t>(rows.Int(r, 3));
  s.online_ms = rows.Int(r, 4);
  return s;
}

// The user; lock_row: FOR UPDATE (the caller changes it).
StoreResult<std::optional<ClientUserRecord>> FindUser(Connection& conn, std::string_view account_id,
                                                      std::string_view instance_id,
                                                      std::string_view user_name, bool lock_row) {
  static const std::string kSql = "SELECT " + std::string(kUserColumns) +
                                  " FROM client_users WHERE instance_id = $1 AND user_name = $2 "
                                  "AND ($3::text = '' OR account_id = $3::text)";
  static const std::string kLockSql = kSql + " FOR UPDATE";
  ASSIGN_OR_RETURN(Rows rows,
                   conn.Query(lock_row ? kLockSql : kSql, {instance_id, user_name, account_id}));
  if (rows.empty()) return std::optional<ClientUserRecord>();
  return std::optional<ClientUserRecord>(ReadUser(rows, 0));
}

StoreError NotFoundError(std::string detail) {
  return StoreError{StoreErrorCode::kNotFound, std::move(detail)};
}

}  // namespace

StoreResult<CreateClientUserResult> PgStore::CreateClientUser(
    const CreateClientUserRequest& request) {
  CreateClientUserResult result;
  auto run = RunWrite([&](Connection& conn) -> StoreResult<void> {
    result = CreateClientUserResult{};
    const ClientUserRecord& in = request.user;
    ASSIGN_OR_RETURN(Rows locked, conn.Query("SELECT cidr_block FROM instances WHERE id = $1 "
                                             "AND account_id = $2 FOR UPDATE",
                                             {in.instance_id, in.account_id}));
    if (locked.empty()) {
      result.outcome = CreateClientUserOutcome::kInstanceNotFound;
      return {};
    }
    if (locked.Text(0, 0) != request.cidr_block) {
      result.outcome = CreateClientUserOutcome::kPoolChanged;
      return {};
    }
    ASSIGN_OR_RETURN(auto existing,
                     FindUser(conn, in.account_id, in.instance_id, in.user_name, false));
    if (existing) {
      result.outcome = CreateClientUserOutcome::kNameTaken;
      return {};
    }
    std::vector<int64_t> used;
    {
      ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT client_ip FROM client_users "
                                             "WHERE instance_id = $1 ORDER BY client_ip",
                                             {in.instance_id}));
      for (int r = 0; r < rows.size(); ++r) used.push_back(rows.Int(r, 0));
    }
    ClientUserRecord user;
    result.outcome = PlaceClientUser(request, used, &user);
    if (result.outcome != CreateClientUserOutcome::kCreated) return {};
    static const std::string kInsert = "INSERT INTO client_users (" + std::string(kUserColumns) +
                                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    RETURN_IF_ERROR(conn.Query(
        kInsert, {user.account_id, user.instance_id, user.user_name, user.user_mail, user.bandwidth,
                  int64_t{user.client_ip}, pg::Param::Bool(user.is_static_ip), user.state,
                  pg::Param::Bool(user.disabled_by_root), user.password_hash, user.create_ms}));
    result.outcome = CreateClientUserOutcome::kCreated;
    result.user = std::move(user);
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return result;
}

StoreResult<ClientUserRecord> PgStore::GetClientUser(std::string_view account_id,
                                                     std::string_view instance_id,
                                                     std::string_view user_name) {
  std::optional<ClientUserRecord> user;
  auto run = RunRead([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(user, FindUser(conn, account_id, instance_id, user_name, false));
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  if (!user) return MakeUnexpected(NotFoundError("client user not found"));
  return std::move(*user);
}

StoreResult<ClientUserPage> PgStore::ListClientUsers(const ClientUserFilter& filter) {
  ClientUserPage page;
  auto run = RunRead([&](Connection& conn) -> StoreResult<void> {
    page = ClientUserPage{};
    constexpr std::string_view kWhere =
        " FROM client_users WHERE instance_id = $1 AND account_id = $2 "
        "AND ($3::text = '' OR user_name = $3::text) AND ($4::text = '' OR user_mail = $4::text)";
    static const std::string kCount = "SELECT count(*)" + std::string(kWhere);
    ASSIGN_OR_RETURN(Rows count, conn.Query(kCount, {filter.instance_id, filter.account_id,
                                                     filter.user_name, filter.user_mail}));
    if (!count.empty()) page.total = count.Int(0, 0);
    static const std::string kSelect = "SELECT " + std::string(kUserColumns) + std::string(kWhere) +
                                       " ORDER BY create_ms, user_name LIMIT $5 OFFSET $6";
    ASSIGN_OR_RETURN(Rows rows,
                     conn.Query(kSelect, {filter.instance_id, filter.account_id, filter.user_name,
                                          filter.user_mail, std::max<int64_t>(0, filter.limit),
                                          std::max<int64_t>(0, filter.offset)}));
    for (int r = 0; r < rows.size(); ++r) page.items.push_back(ReadUser(rows, r));
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return page;
}

StoreResult<ClientUserRecord> PgStore::UpdateClientUser(std::string_view account_id,
                                                        std::string_view instance_id,
                                                        std::string_view user_name,
                                                        const ClientUserPatch& patch) {
  ClientUserRecord out;
  auto run = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(auto user, FindUser(conn, account_id, instance_id, user_name, true));
    if (!user) return MakeUnexpected(NotFoundError("client user not found"));
    if (patch.bandwidth) user->bandwidth = *patch.bandwidth;
    if (patch.user_mail) user->user_mail = *patch.user_mail;
    if (patch.password_hash) user->password_hash = *patch.password_hash;
    if (patch.state) user->state = *patch.state;
    if (patch.disabled_by_root) user->disabled_by_root = *patch.disabled_by_root;
    RETURN_IF_ERROR(
        conn.Query("UPDATE client_users SET bandwidth = $3, user_mail = $4, "
                   "password_hash = $5, state = $6, disabled_by_root = $7 "
                   "WHERE instance_id = $1 AND user_name = $2",
                   {instance_id, user_name, user->bandwidth, user->user_mail, user->password_hash,
                    user->state, pg::Param::Bool(user->disabled_by_root)}));
    if (patch.state && *patch.state == 1) {
      RETURN_IF_ERROR(
          conn.Query("DELETE FROM client_sessions "
                     "WHERE instance_id = $1 AND user_name = $2",
                     {instance_id, user_name}));
    }
    out = std::move(*user);
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return out;
}

StoreResult<void> PgStore::DeleteClientUser(std::string_view account_id,
                                            std::string_view instance_id,
                                            std::string_view user_name) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Rows rows, conn.Query("DELETE FROM client_users WHERE instance_id = $1 "
                                           "AND user_name = $2 AND account_id = $3",
                                           {instance_id, user_name, account_id}));
    if (rows.affected() == 0) return MakeUnexpected(NotFoundError("client user not found"));
    return {};
  });
}

StoreResult<ClientSessionRecord> PgStore::OpenClientSession(const ClientSessionRecord& session) {
  ClientSessionRecord out = session;
  auto run = RunWrite([&](Connection& conn) -> StoreResult<void> {
    // The share lock keeps a concurrent Disable/Delete from slipping between check and insert.
    static const std::string kSql =
        "SELECT state, client_ip FROM client_users WHERE instance_id = $1 AND user_name = $2 "
        "FOR SHARE";
    ASSIGN_OR_RETURN(Rows user, conn.Query(kSql, {session.instance_id, session.user_name}));
    if (user.empty()) return MakeUnexpected(NotFoundError("client user not found"));
    if (user.Int(0, 0) != 0) {
      return MakeUnexpected(StoreError{StoreErrorCode::kConflict, "client user disabled"});
    }
    out.client_ip = static_cast<uint32_t>(user.Int(0, 1));
    RETURN_IF_ERROR(conn.Query(
        "INSERT INTO client_sessions (id, instance_id, user_name, "
        "client_ip, online_ms) VALUES ($1, $2, $3, $4, $5)",
        {out.id, out.instance_id, out.user_name, int64_t{out.client_ip}, out.online_ms}));
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return out;
}

StoreResult<void> PgStore::CloseClientSession(std::string_view session_id) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Rows rows,
                     conn.Query("DELETE FROM client_sessions WHERE id = $1", {session_id}));
    if (rows.affected() == 0) return MakeUnexpected(NotFoundError("client session not found"));
    return {};
  });
}

StoreResult<std::vector<ClientSessionRecord>> PgStore::ListClientSessions(
    std::string_view instance_id, std::string_view user_name) {
  std::vector<ClientSessionRecord> out;
  auto run = RunRead([&](Connection& conn) -> StoreResult<void> {
    out.clear();
    ASSIGN_OR_RETURN(Rows rows,
                     conn.Query("SELECT id, instance_id, user_name, client_ip, online_ms "
                                "FROM client_sessions WHERE instance_id = $1 AND user_name = $2 "
                                "ORDER BY online_ms, id",
                                {instance_id, user_name}));
    for (int r = 0; r < rows.size(); ++r) out.push_back(ReadSession(rows, r));
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return out;
}

StoreResult<int64_t> PgStore::CloseClientSessions(std::string_view instance_id,
                                                  std::string_view user_name) {
  int64_t closed = 0;
  auto run = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Rows rows, conn.Query("DELETE FROM client_sessions "
                                           "WHERE instance_id = $1 AND user_name = $2",
                                           {instance_id, user_name}));
    closed = rows.affected();
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return closed;
}

}  // namespace sag::store
