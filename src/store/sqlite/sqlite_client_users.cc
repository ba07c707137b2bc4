// SqliteStore: client users of SAG app instances and their sessions (store/client_user_store.h).
// Creation runs in one BEGIN IMMEDIATE transaction (the database write lock), so its checks and the
// insert are atomic across threads and processes; the primary key (instance, user name) and the
// UNIQUE (instance, client_ip) are the schema's own guarantee on top.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"

namespace sag::store {

namespace {

using sqlite::Connection;
using sqlite::Statement;

constexpr std::string_view kUserColumns =
    "account_id, instance_id, user_name, user_mail, bandwidth, client_ip, is_static_ip, state, "
    "disabled_by_root, password_hash, create_ms";

ClientUserRecord ReadUser(const Statement& s) {
  ClientUserRecord u;
  u.account_id = s.ColumnText(0);
  u.instance_id = s.ColumnText(1);
  u.user_name = s.ColumnText(2);
  u.user_mail = s.ColumnText(3);
  u.bandwidth = s.ColumnInt64(4);
  u.client_ip = static_cast<uint32_t>(s.ColumnInt64(5));
  u.is_static_ip = s.ColumnBool(6);
  u.state = s.ColumnInt64(7);
  u.disabled_by_root = s.ColumnBool(8);
  u.password_hash = s.ColumnText(9);
  u.create_ms = s.ColumnInt64(10);
  return u;
}

ClientSessionRecord ReadSession(const Statement& s) {
  ClientSessionRecord r;
  r.id = s.ColumnText(0);
  r.instance_id = s.ColumnText(1);
  r.user_name = s.ColumnText(2);
  r.client_ip = static_cast<uint32_t>(s.ColumnInt64(3));
  r.online_ms = s.ColumnInt64(4);
  return r;
}

StoreResult<std::optional<ClientUserRecord>> FindUser(Connection& conn, std::string_view account_id,
                                                      std::string_view instance_id,
                                                      std::string_view user_name) {
  static const std::string kSql = "SELECT " + std::string(kUserColumns) +
                                  " FROM client_users WHERE instance_id = ?1 AND user_name = ?2 "
                                  "AND (?3 = '' OR account_id = ?3)";
  ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
  stmt.BindText(1, instance_id).BindText(2, user_name).BindText(3, account_id);
  ASSIGN_OR_RETURN(const bool row, stmt.Step());
  if (!row) return std::optional<ClientUserRecord>();
  return std::optional<ClientUserRecord>(ReadUser(stmt));
}

StoreError NotFoundError(std::string detail) {
  return StoreError{StoreErrorCode::kNotFound, std::move(detail)};
}

}  // namespace

StoreResult<CreateClientUserResult> SqliteStore::CreateClientUser(
    const CreateClientUserRequest& request) {
  CreateClientUserResult result;
  auto run = RunWrite([&](Connection& conn) -> StoreResult<void> {
    result = CreateClientUserResult{};
    const ClientUserRecord& in = request.user;
    {
      ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("SELECT cidr_block FROM instances WHERE "
                                                    "id = ?1 AND account_id = ?2"));
      stmt.BindText(1, in.instance_id).BindText(2, in.account_id);
      ASSIGN_OR_RETURN(const bool found, stmt.Step());
      if (!found) {
        result.outcome = CreateClientUserOutcome::kInstanceNotFound;
        return {};
      }
      if (stmt.ColumnText(0) != request.cidr_block) {
        result.outcome = CreateClientUserOutcome::kPoolChanged;
        return {};
      }
    }
    ASSIGN_OR_RETURN(auto existing, FindUser(conn, in.account_id, in.instance_id, in.user_name));
    if (existing) {
      result.outcome = CreateClientUserOutcome::kNameTaken;
      return {};
    }
    std::vector<int64_t> used;
    {
      ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("SELECT client_ip FROM client_users "
                                                    "WHERE instance_id = ?1 ORDER BY client_ip"));
      stmt.BindText(1, in.instance_id);
      while (true) {
        ASSIGN_OR_RETURN(const bool row, stmt.Step());
        if (!row) break;
        used.push_back(stmt.ColumnInt64(0));
      }
    }
    ClientUserRecord user;
    result.outcome = PlaceClientUser(request, used, &user);
    if (result.outcome != CreateClientUserOutcome::kCreated) return {};
    static const std::string kInsert = "INSERT INTO client_users (" + std::string(kUserColumns) +
                                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    ASSIGN_OR_RETURN(Statement insert, conn.Prepare(kInsert));
    insert.BindText(1, user.account_id)
        .BindText(2, user.instance_id)
        .BindText(3, user.user_name)
        .BindText(4, user.user_mail)
        .BindInt64(5, user.bandwidth)
        .BindInt64(6, int64_t{user.client_ip})
        .BindBool(7, user.is_static_ip)
        .BindInt64(8, user.state)
        .BindBool(9, user.disabled_by_root)
        .BindText(10, user.password_hash)
        .BindInt64(11, user.create_ms);
    RETURN_IF_ERROR(insert.Run());
    result.outcome = CreateClientUserOutcome::kCreated;
    result.user = std::move(user);
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return result;
}

StoreResult<ClientUserRecord> SqliteStore::GetClientUser(std::string_view account_id,
                                                         std::string_view instance_id,
                                                         std::string_view user_name) {
  std::optional<ClientUserRecord> user;
  auto run = RunRead([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(user, FindUser(conn, account_id, instance_id, user_name));
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  if (!user) return MakeUnexpected(NotFoundError("client user not found"));
  return std::move(*user);
}

StoreResult<ClientUserPage> SqliteStore::ListClientUsers(const ClientUserFilter& filter) {
  ClientUserPage page;
  auto run = RunRead([&](Connection& conn) -> StoreResult<void> {
    page = ClientUserPage{};
    constexpr std::string_view kWhere =
        " FROM client_users WHERE instance_id = ?1 AND account_id = ?2 "
        "AND (?3 = '' OR user_name = ?3) AND (?4 = '' OR user_mail = ?4)";
    {
      static const std::string kCount = "SELECT count(*)" + std::string(kWhere);
      ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kCount));
      stmt.BindText(1, filter.instance_id)
          .BindText(2, filter.account_id)
          .BindText(3, filter.user_name)
          .BindText(4, filter.user_mail);
      ASSIGN_OR_RETURN(const bool row, stmt.Step());
      if (row) page.total = stmt.ColumnInt64(0);
    }
    static const std::string kSelect = "SELECT " + std::string(kUserColumns) + std::string(kWhere) +
                                       " ORDER BY create_ms, user_name LIMIT ?5 OFFSET ?6";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSelect));
    stmt.BindText(1, filter.instance_id)
        .BindText(2, filter.account_id)
        .BindText(3, filter.user_name)
        .BindText(4, filter.user_mail)
        .BindInt64(5, std::max<int64_t>(0, filter.limit))
        .BindInt64(6, std::max<int64_t>(0, filter.offset));
    while (true) {
      ASSIGN_OR_RETURN(const bool row, stmt.Step());
      if (!row) break;
      page.items.push_back(ReadUser(stmt));
    }
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return page;
}

StoreResult<ClientUserRecord> SqliteStore::UpdateClientUser(std::string_view account_id,
                                                            std::string_view instance_id,
                                                            std::string_view user_name,
                                                            const ClientUserPatch& patch) {
  ClientUserRecord out;
  auto run = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(auto user, FindUser(conn, account_id, instance_id, user_name));
    if (!user) return MakeUnexpected(NotFoundError("client user not found"));
    if (patch.bandwidth) user->bandwidth = *patch.bandwidth;
    if (patch.user_mail) user->user_mail = *patch.user_mail;
    if (patch.password_hash) user->password_hash = *patch.password_hash;
    if (patch.state) user->state = *patch.state;
    if (patch.disabled_by_root) user->disabled_by_root = *patch.disabled_by_root;
    {
      ASSIGN_OR_RETURN(Statement stmt,
                       conn.Prepare("UPDATE client_users SET bandwidth = ?3, user_mail = ?4, "
                                    "password_hash = ?5, state = ?6, disabled_by_root = ?7 "
                                    "WHERE instance_id = ?1 AND user_name = ?2"));
      stmt.BindText(1, instance_id)
          .BindText(2, user_name)
          .BindInt64(3, user->bandwidth)
          .BindText(4, user->user_mail)
          .BindText(5, user->password_hash)
          .BindInt64(6, user->state)
          .BindBool(7, user->disabled_by_root);
      RETURN_IF_ERROR(stmt.Run());
    }
    if (patch.state && *patch.state == 1) {
      ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("DELETE FROM client_sessions "
                                                    "WHERE instance_id = ?1 AND user_name = ?2"));
      stmt.BindText(1, instance_id).BindText(2, user_name);
      RETURN_IF_ERROR(stmt.Run());
    }
    out = std::move(*user);
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return out;
}

StoreResult<void> SqliteStore::DeleteClientUser(std::string_view account_id,
                                                std::string_view instance_id,
                                                std::string_view user_name) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("DELETE FROM client_users WHERE instance_id = ?1 "
                                                  "AND user_name = ?2 AND account_id = ?3"));
    stmt.BindText(1, instance_id).BindText(2, user_name).BindText(3, account_id);
    RETURN_IF_ERROR(stmt.Run());
    if (conn.Changes() == 0) return MakeUnexpected(NotFoundError("client user not found"));
    return {};
  });
}

StoreResult<ClientSessionRecord> SqliteStore::OpenClientSession(
    const ClientSessionRecord& session) {
  ClientSessionRecord out = session;
  auto run = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(auto user, FindUser(conn, "", session.instance_id, session.user_name));
    if (!user) return MakeUnexpected(NotFoundError("client user not found"));
    if (user->state != 0) {
      return MakeUnexpected(StoreError{StoreErrorCode::kConflict, "client user disabled"});
    }
    out.client_ip = user->client_ip;
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("INSERT INTO client_sessions (id, instance_id, user_name, "
                                  "client_ip, online_ms) VALUES (?1, ?2, ?3, ?4, ?5)"));
    stmt.BindText(1, out.id)
        .BindText(2, out.instance_id)
        .BindText(3, out.user_name)
        .BindInt64(4, int64_t{out.client_ip})
        .BindInt64(5, out.online_ms);
    return stmt.Run();
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return out;
}

StoreResult<void> SqliteStore::CloseClientSession(std::string_view session_id) {
  return RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("DELETE FROM client_sessions WHERE id = ?1"));
    stmt.BindText(1, session_id);
    RETURN_IF_ERROR(stmt.Run());
    if (conn.Changes() == 0) return MakeUnexpected(NotFoundError("client session not found"));
    return {};
  });
}

StoreResult<std::vector<ClientSessionRecord>> SqliteStore::ListClientSessions(
    std::string_view instance_id, std::string_view user_name) {
  std::vector<ClientSessionRecord> out;
  auto run = RunRead([&](Connection& conn) -> StoreResult<void> {
    out.clear();
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("SELECT id, instance_id, user_name, client_ip, online_ms "
                                  "FROM client_sessions WHERE instance_id = ?1 AND user_name = ?2 "
                                  "ORDER BY online_ms, id"));
    stmt.BindText(1, instance_id).BindText(2, user_name);
    while (true) {
      ASSIGN_OR_RETURN(const bool row, stmt.Step());
      if (!row) break;
      out.push_back(ReadSession(stmt));
    }
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return out;
}

StoreResult<int64_t> SqliteStore::CloseClientSessions(std::string_view instance_id,
                                                      std::string_view user_name) {
  int64_t closed = 0;
  auto run = RunWrite([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("DELETE FROM client_sessions "
                                                  "WHERE instance_id = ?1 AND user_name = ?2"));
    stmt.BindText(1, instance_id).BindText(2, user_name);
    RETURN_IF_ERROR(stmt.Run());
    closed = conn.Changes();
    return {};
  });
  if (!run) return MakeUnexpected(std::move(run).error());
  return closed;
}

}  // namespace sag::store
